package dev.rebound.notifier.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One alert as the notifier keeps it: the latest report of its dedup key, its state and its history. Immutable;
 * every change returns a new value with {@link #version()} + 1, so a store can update it with
 * {@code WHERE version = ?} and lose no concurrent change.
 *
 * @param acknowledgedBy who acknowledged it, or null
 * @param resolvedAt when it was resolved, or null while open
 */
public record Alert(String id, AlertEvent event, AlertState state, Instant openedAt, Instant lastSeenAt,
    int occurrences, String acknowledgedBy, Instant acknowledgedAt, Instant resolvedAt,
    List<AlertHistoryEntry> history, long version) {

  /** The name automatic changes are recorded under. */
  public static final String REBOUND = "rebound";

  public Alert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(state, "state");
    history = List.copyOf(history);
  }

  /** A new firing alert for {@code event}. */
  public static Alert open(String id, AlertEvent event, Instant now) {
    return new Alert(id, event, AlertState.FIRING, now, now, 1, null, null, null,
        List.of(new AlertHistoryEntry(null, AlertState.FIRING, by(event), event.summary(), now)), 0);
  }

  public String dedupKey() {
    return event.dedupKey();
  }

  /** A person takes it: escalation stops. Only a firing alert can be acknowledged. */
  public Alert acknowledge(String by, String comment, Instant now) {
    if (state != AlertState.FIRING) {
      throw new AlertTransitionException(id, state, "acknowledge");
    }
    String who = who(by);
    return new Alert(id, event, AlertState.ACKNOWLEDGED, openedAt, lastSeenAt, occurrences, who, now, null,
        append(AlertState.ACKNOWLEDGED, who, comment == null ? "acknowledged" : comment, now), version + 1);
  }

  /** It is over: by a person, by the sender, or by healing. A resolved alert stays resolved. */
  public Alert resolve(String by, String reason, Instant now) {
    if (state == AlertState.RESOLVED) {
      throw new AlertTransitionException(id, state, "resolve");
    }
    return new Alert(id, event, AlertState.RESOLVED, openedAt, lastSeenAt, occurrences, acknowledgedBy,
        acknowledgedAt, now, append(AlertState.RESOLVED, who(by), reason == null ? "resolved" : reason, now),
        version + 1);
  }

  /** Another report of the same alert: the newest labels, summary and details win; no history entry (not a state change). */
  public Alert seenAgain(AlertEvent repeat, Instant now) {
    if (!repeat.dedupKey().equals(event.dedupKey())) {
      throw new IllegalArgumentException("dedup key " + repeat.dedupKey() + " is not this alert's " + event.dedupKey());
    }
    AlertEvent merged = new AlertEvent(event.dedupKey(), repeat.labels(), repeat.summary(), repeat.details(),
        event.startsAt(), repeat.endsAt(), repeat.generatorUrl() == null ? event.generatorUrl() : repeat.generatorUrl(),
        event.source());
    return new Alert(id, merged, state, openedAt, now, occurrences + 1, acknowledgedBy, acknowledgedAt, resolvedAt,
        history, version + 1);
  }

  private List<AlertHistoryEntry> append(AlertState to, String by, String reason, Instant now) {
    List<AlertHistoryEntry> h = new ArrayList<>(history);
    h.add(new AlertHistoryEntry(state, to, by, reason, now));
    return h;
  }

  private static String who(String by) {
    if (by == null || by.isBlank()) {
      throw new InvalidAlertException("by", "must name who acts");
    }
    return by.trim();
  }

  private static String by(AlertEvent event) {
    return event.source() == AlertSource.ALERTMANAGER ? "alertmanager" : REBOUND;
  }
}
