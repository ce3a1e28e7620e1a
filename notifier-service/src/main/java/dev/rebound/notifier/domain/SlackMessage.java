package dev.rebound.notifier.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Slack incoming-webhook body: Block Kit {@code blocks} plus the {@code text} fallback Slack shows in
 * notifications. Respects Block Kit's limits (header 150 characters, section text 3000, at most 10 fields of
 * 2000, at most 50 blocks). Alert text is escaped for mrkdwn.
 */
public final class SlackMessage {
  static final int MAX_BLOCKS = 50;
  static final int MAX_LISTED = 20;

  private SlackMessage() {
  }

  public static Map<String, Object> build(GroupNotification.Message m, String template) {
    List<AlertView> alerts = m.all();
    AlertView first = alerts.get(0);
    String headline = MessageTemplate.choose(template, first.kind()).render(first, TextEscaping::slack);
    boolean resolved = m.firing().isEmpty();
    String prefix = resolved ? "[RESOLVED] " : "[" + first.severity().toUpperCase() + "] ";
    String count = alerts.size() > 1 ? " (+" + (alerts.size() - 1) + " more)" : "";
    String fallback = TextEscaping.clip(prefix + headline + count, 3000);

    List<Map<String, Object>> blocks = new ArrayList<>();
    blocks.add(Map.of("type", "header", "text", Map.of("type", "plain_text",
        "text", TextEscaping.clip((resolved ? "Resolved: " : "Firing: ") + first.kind() + count, 150))));
    int listed = 0;
    for (AlertView a : alerts) {
      if (listed == MAX_LISTED || blocks.size() >= MAX_BLOCKS - 2) {
        break;
      }
      blocks.add(section(a, template));
      listed++;
    }
    if (alerts.size() > listed) {
      blocks.add(Map.of("type", "context", "elements", List.of(Map.of("type", "mrkdwn",
          "text", (alerts.size() - listed) + " more alerts in this group"))));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("text", fallback);
    body.put("blocks", blocks);
    return body;
  }

  private static Map<String, Object> section(AlertView a, String template) {
    String text = (a.resolved() ? ":white_check_mark: " : ":rotating_light: ")
        + "*" + MessageTemplate.choose(template, a.kind()).render(a, TextEscaping::slack) + "*";
    Object rootCause = a.details().get("rootCause");
    if (rootCause != null) {
      text += "\nRoot cause: " + TextEscaping.slack(String.valueOf(rootCause));
    }
    Object action = a.details().get("recommendation");
    if (action != null) {
      text += "\nRecommended: " + TextEscaping.slack(String.valueOf(action));
    }
    if (a.generatorUrl() != null) {
      text += "\n<" + a.generatorUrl().replace(">", "%3E").replace("|", "%7C") + "|Open>";
    }
    List<Map<String, Object>> fields = new ArrayList<>();
    for (String name : List.of(AlertLabels.SEVERITY, AlertLabels.STAGE, AlertLabels.WORKFLOW, AlertLabels.CATEGORY,
        AlertLabels.TASK, AlertLabels.FINGERPRINT)) {
      String v = a.label(name);
      if (!v.isEmpty() && fields.size() < 10) {
        fields.add(Map.of("type", "mrkdwn", "text", TextEscaping.clip("*" + name + "*\n" + TextEscaping.slack(v), 2000)));
      }
    }
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("type", "section");
    section.put("text", Map.of("type", "mrkdwn", "text", TextEscaping.clip(text, 3000)));
    if (!fields.isEmpty()) {
      section.put("fields", fields);
    }
    return section;
  }
}
