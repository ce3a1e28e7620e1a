package dev.rebound.notifier.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Microsoft Teams Workflows webhook body: a message with one Adaptive Card (version 1.4) attachment —
 * {@code {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
 * "content":{"type":"AdaptiveCard",…}}]}} (Microsoft Learn, "Send Adaptive Cards using an incoming webhook").
 * Only Action.OpenUrl is used (webhooks do not support Action.Submit).
 */
public final class TeamsCard {
  static final int MAX_LISTED = 20;

  private TeamsCard() {
  }

  public static Map<String, Object> build(GroupNotification.Message m, String template) {
    List<AlertView> alerts = m.all();
    boolean resolved = m.firing().isEmpty();
    List<Object> body = new ArrayList<>();
    body.add(Map.of("type", "TextBlock", "size", "Large", "weight", "Bolder", "wrap", true,
        "color", resolved ? "Good" : "Attention",
        "text", (resolved ? "Resolved: " : "Firing: ") + TextEscaping.teams(alerts.get(0).kind())
            + (alerts.size() > 1 ? " (" + alerts.size() + " alerts)" : "")));
    List<Object> actions = new ArrayList<>();
    for (AlertView a : alerts.subList(0, Math.min(MAX_LISTED, alerts.size()))) {
      body.add(Map.of("type", "TextBlock", "wrap", true, "weight", "Bolder", "separator", true,
          "text", MessageTemplate.choose(template, a.kind()).render(a, TextEscaping::teams)));
      List<Object> facts = new ArrayList<>();
      for (Map.Entry<String, String> e : a.labels().entrySet()) {
        facts.add(Map.of("title", TextEscaping.teams(e.getKey()), "value", TextEscaping.teams(e.getValue())));
      }
      body.add(Map.of("type", "FactSet", "facts", facts));
      if (a.generatorUrl() != null && actions.size() < 5) {
        actions.add(Map.of("type", "Action.OpenUrl", "title", "Open " + (actions.size() + 1), "url", a.generatorUrl()));
      }
    }
    if (alerts.size() > MAX_LISTED) {
      body.add(Map.of("type", "TextBlock", "isSubtle", true, "text", (alerts.size() - MAX_LISTED) + " more alerts"));
    }
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.4");
    card.put("body", body);
    if (!actions.isEmpty()) {
      card.put("actions", actions);
    }
    Map<String, Object> attachment = new LinkedHashMap<>();
    attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
    attachment.put("contentUrl", null);
    attachment.put("content", card);
    return Map.of("type", "message", "attachments", List.of(attachment));
  }
}
