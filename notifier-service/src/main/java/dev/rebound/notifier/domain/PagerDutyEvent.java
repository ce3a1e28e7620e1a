package dev.rebound.notifier.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PagerDuty Events API v2 bodies ({@code POST https://events.pagerduty.com/v2/enqueue}): one event per alert,
 * {@code dedup_key} the alert's dedup key (≤ 255 characters), so a retried delivery or a repeat never opens a
 * second incident and the resolve closes the right one. {@code payload.summary} ≤ 1024 characters; severity
 * one of critical, error, warning, info.
 */
public final class PagerDutyEvent {
  public static final String CLIENT = "Rebound";
  static final int MAX_SUMMARY = 1024;
  static final int MAX_DEDUP_KEY = 255;

  private PagerDutyEvent() {
  }

  /** The PagerDuty action an alert's state asks for. */
  public enum Action {
    TRIGGER, ACKNOWLEDGE, RESOLVE;

    public String label() {
      return name().toLowerCase();
    }

    public static Action of(AlertState state) {
      return switch (state) {
        case FIRING -> TRIGGER;
        case ACKNOWLEDGED -> ACKNOWLEDGE;
        case RESOLVED -> RESOLVE;
      };
    }
  }

  /**
   * @param clientUrl the link back to Rebound (the alert's page in the dashboard), or null
   */
  public static Map<String, Object> build(AlertView a, Secret routingKey, Action action, String template,
      String clientUrl) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("routing_key", routingKey.reveal());
    body.put("event_action", action.label());
    body.put("dedup_key", dedupKey(a.dedupKey()));
    if (action != Action.TRIGGER) {
      return body; // acknowledge and resolve carry only the key
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("summary", TextEscaping.clip(MessageTemplate.choose(template, a.kind()).render(a, s -> s), MAX_SUMMARY));
    payload.put("source", a.label(AlertLabels.STAGE).isEmpty() ? "rebound" : "rebound/" + a.label(AlertLabels.STAGE));
    payload.put("severity", a.severity());
    payload.put("timestamp", a.startsAt().toString());
    putIfPresent(payload, "component", a.label(AlertLabels.STAGE));
    putIfPresent(payload, "group", a.label(AlertLabels.WORKFLOW));
    putIfPresent(payload, "class", a.kind());
    Map<String, Object> custom = new LinkedHashMap<>();
    custom.put("labels", a.labels());
    custom.putAll(a.details());
    custom.put("occurrences", a.occurrences());
    payload.put("custom_details", custom);
    body.put("payload", payload);
    List<Map<String, String>> links = new ArrayList<>();
    if (a.generatorUrl() != null) {
      links.add(Map.of("href", a.generatorUrl(), "text", "Source"));
    }
    if (clientUrl != null) {
      links.add(Map.of("href", clientUrl, "text", "Alert in Rebound"));
    }
    if (!links.isEmpty()) {
      body.put("links", links);
    }
    body.put("client", CLIENT);
    if (clientUrl != null) {
      body.put("client_url", clientUrl);
    }
    return body;
  }

  /** Keys longer than PagerDuty's 255 are replaced by their SHA-256 (stable, so resolve still matches). */
  static String dedupKey(String key) {
    return key.length() <= MAX_DEDUP_KEY ? key : "sha256:" + Secret.of(key).handle();
  }

  private static void putIfPresent(Map<String, Object> m, String k, String v) {
    if (v != null && !v.isEmpty()) {
      m.put(k, v);
    }
  }
}
