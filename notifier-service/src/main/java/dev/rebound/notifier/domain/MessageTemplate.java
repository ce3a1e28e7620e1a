package dev.rebound.notifier.domain;

import dev.rebound.common.policy.PolicyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A one-line headline with placeholders: {@code {{summary}}}, {@code {{severity}}}, {@code {{kind}}},
 * {@code {{state}}}, {@code {{id}}}, {@code {{label.NAME}}}, {@code {{details.NAME}}}. Nothing else: no logic,
 * so an operator's template cannot break a delivery. Values are escaped for the channel while the template's
 * own text is taken as written (the operator wrote it for that channel).
 */
public final class MessageTemplate {

  private static final Map<String, String> DEFAULTS = Map.of(
      AlertLabels.DEAD_LETTER, "Task {{label.task}} of stage {{label.stage}} was dead-lettered: {{summary}}",
      AlertLabels.CIRCUIT_OPEN, "Circuit {{label.circuit}} is open: {{summary}}",
      AlertLabels.BUDGET_EXHAUSTED, "Retry budget of stage {{label.stage}} is exhausted: {{summary}}",
      AlertLabels.WORKFLOW_ABORTED, "Workflow {{label.workflow}} was aborted: {{summary}}",
      AlertLabels.NEW_FINGERPRINT, "New failure {{label.fingerprint}} in stage {{label.stage}}: {{summary}}",
      AlertLabels.FAILURE, "Failure reported by {{details.source}} ({{label.category}}): {{summary}}");
  private static final MessageTemplate SUMMARY_ONLY = parse("default", "{{summary}}");

  private final List<String> parts; // even: literal text; odd: placeholder names

  private MessageTemplate(List<String> parts) {
    this.parts = List.copyOf(parts);
  }

  /** @throws PolicyException naming {@code field} for an unclosed or unknown placeholder */
  public static MessageTemplate parse(String field, String text) {
    List<String> parts = new ArrayList<>();
    int at = 0;
    String t = text.strip();
    while (true) {
      int open = t.indexOf("{{", at);
      if (open < 0) {
        parts.add(t.substring(at));
        return new MessageTemplate(parts);
      }
      int close = t.indexOf("}}", open);
      if (close < 0) {
        throw new PolicyException(field, "has an unclosed {{ at character " + open);
      }
      String name = t.substring(open + 2, close).trim();
      if (!known(name)) {
        throw new PolicyException(field, "has an unknown placeholder {{" + name + "}} (known: summary, severity, kind, "
            + "state, id, label.NAME, details.NAME)");
      }
      parts.add(t.substring(at, open));
      parts.add(name);
      at = close + 2;
    }
  }

  private static boolean known(String name) {
    return switch (name) {
      case "summary", "severity", "kind", "state", "id" -> true;
      default -> name.matches("(label|details)\\.[a-zA-Z_][a-zA-Z0-9_]*");
    };
  }

  /** The built-in headline of an alert kind ({@code {{summary}}} for kinds without one). */
  public static MessageTemplate defaultFor(String kind) {
    String text = DEFAULTS.get(kind);
    return text == null ? SUMMARY_ONLY : parse("default." + kind, text);
  }

  /** {@code override} when given, else the default of the alert's kind. */
  public static MessageTemplate choose(String override, String kind) {
    return override == null ? defaultFor(kind) : parse("template", override);
  }

  public String render(AlertView alert, UnaryOperator<String> escape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      sb.append(i % 2 == 0 ? parts.get(i) : escape.apply(value(alert, parts.get(i))));
    }
    return sb.toString();
  }

  private static String value(AlertView a, String name) {
    return switch (name) {
      case "summary" -> a.summary();
      case "severity" -> a.severity();
      case "kind" -> a.kind();
      case "state" -> a.state().name().toLowerCase();
      case "id" -> a.id();
      default -> {
        if (name.startsWith("label.")) {
          yield a.label(name.substring(6));
        }
        Object v = a.details().get(name.substring(8));
        yield v == null ? "" : String.valueOf(v);
      }
    };
  }
}
