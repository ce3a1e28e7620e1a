package dev.rebound.notifier.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An alert as the API returns it and as notifications describe it: plain values only, no JSON library. The
 * edge maps it to JSON in one place.
 */
public record AlertView(String id, String dedupKey, AlertState state, Map<String, String> labels, String severity,
    String summary, Map<String, Object> details, Instant startsAt, Instant endsAt, Instant openedAt,
    Instant lastSeenAt, int occurrences, String acknowledgedBy, Instant acknowledgedAt, Instant resolvedAt,
    String generatorUrl, AlertSource source, List<AlertHistoryEntry> history) {

  public static AlertView of(Alert a) {
    AlertEvent e = a.event();
    return new AlertView(a.id(), e.dedupKey(), a.state(), e.labels(), e.severity().label(), e.summary(), e.details(),
        e.startsAt(), e.endsAt(), a.openedAt(), a.lastSeenAt(), a.occurrences(), a.acknowledgedBy(),
        a.acknowledgedAt(), a.resolvedAt(), e.generatorUrl(), e.source(), a.history());
  }

  public String label(String name) {
    return labels.getOrDefault(name, "");
  }

  public String kind() {
    return label(AlertLabels.KIND);
  }

  public boolean resolved() {
    return state == AlertState.RESOLVED;
  }
}
