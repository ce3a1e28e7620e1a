package dev.rebound.notifier.domain;

import dev.rebound.common.policy.PolicyException;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One Alertmanager label matcher: {@code name="value"}, {@code name!="value"}, {@code name=~"regex"},
 * {@code name!~"regex"} (quotes optional). As in Alertmanager, a missing label has the empty value, and a
 * regex must match the whole value (it is anchored at both ends).
 */
public record LabelMatcher(String name, Op op, String value) {

  /** The four matcher operators. */
  public enum Op {
    EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  private static final Pattern FORM = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");

  public LabelMatcher {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(value, "value");
  }

  /** Parses one matcher; {@code field} names it in the error (e.g. {@code notifier.route.routes[0].matchers[1]}). */
  public static LabelMatcher parse(String field, String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new PolicyException(field, "must be a matcher such as name=\"value\", name!=\"value\", name=~\"regex\" "
          + "or name!~\"regex\", was '" + text + "'");
    }
    String raw = m.group(3);
    String value = raw;
    if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
      value = unquote(raw.substring(1, raw.length() - 1));
    } else if (raw.startsWith("\"") || raw.endsWith("\"")) {
      throw new PolicyException(field, "has an unbalanced quote: '" + text + "'");
    }
    Op op = switch (m.group(2)) {
      case "=" -> Op.EQUAL;
      case "!=" -> Op.NOT_EQUAL;
      case "=~" -> Op.REGEX;
      default -> Op.NOT_REGEX;
    };
    LabelMatcher matcher = new LabelMatcher(m.group(1), op, value);
    if (op == Op.REGEX || op == Op.NOT_REGEX) {
      try {
        matcher.pattern();
      } catch (PatternSyntaxException e) {
        throw new PolicyException(field, "has an invalid regex '" + value + "': " + e.getDescription());
      }
    }
    return matcher;
  }

  private static String unquote(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        sb.append(n == 'n' ? '\n' : n);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private Pattern pattern() {
    return Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL);
  }

  public boolean matches(Map<String, String> labels) {
    String actual = labels.getOrDefault(name, "");
    return switch (op) {
      case EQUAL -> actual.equals(value);
      case NOT_EQUAL -> !actual.equals(value);
      case REGEX -> pattern().matcher(actual).matches();
      case NOT_REGEX -> !pattern().matcher(actual).matches();
    };
  }

  /** True when all {@code matchers} match (an empty list matches everything). */
  public static boolean all(Iterable<LabelMatcher> matchers, Map<String, String> labels) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return name + op.symbol + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
