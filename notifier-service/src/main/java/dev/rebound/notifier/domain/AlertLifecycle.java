package dev.rebound.notifier.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a report, a healing or the passing of time does to an alert. The service looks up the open alert of
 * the event's dedup key (at most one: a store keeps that unique), asks here, and persists the answer.
 */
public final class AlertLifecycle {
  private AlertLifecycle() {
  }

  /** What happened to the alert. */
  public enum Change {
    /** No open alert had this dedup key: a new one fires (and goes through routing). */
    OPENED,
    /** A repeat of an open alert: updated in place, never a second page. */
    UPDATED,
    /** The sender says it ended (Alertmanager's endsAt in the past): resolved. */
    RESOLVED,
    /** The sender says something ended that is not open here: nothing to do. */
    IGNORED
  }

  /** The alert to persist ({@code null} when {@link Change#IGNORED}) and what happened. */
  public record Received(Alert alert, Change change) {
  }

  /**
   * @param open the open alert of {@code event}'s dedup key, if any
   * @param newId the id to give a new alert
   */
  public static Received receive(Optional<Alert> open, AlertEvent event, String newId, Instant now) {
    Objects.requireNonNull(event, "event");
    if (open.isPresent() && open.get().state().open()) {
      Alert updated = open.get().seenAgain(event, now);
      if (event.endedBy(now)) {
        return new Received(updated.resolve(sender(event), "ended at " + event.endsAt(), now), Change.RESOLVED);
      }
      return new Received(updated, Change.UPDATED);
    }
    if (event.endedBy(now)) {
      return new Received(null, Change.IGNORED);
    }
    return new Received(Alert.open(newId, event, now), Change.OPENED);
  }

  /** Resolves {@code alert} if {@code healing} ends its condition and it is still open. */
  public static Optional<Alert> heal(Alert alert, Healing healing, Instant now) {
    if (!alert.state().open() || !healing.heals(alert)) {
      return Optional.empty();
    }
    return Optional.of(alert.resolve(Alert.REBOUND, healing.reason(), now));
  }

  /** Resolves an open alert whose sender-given end has passed (the service's sweep calls this). */
  public static Optional<Alert> expire(Alert alert, Instant now) {
    if (!alert.state().open() || !alert.event().endedBy(now)) {
      return Optional.empty();
    }
    return Optional.of(alert.resolve(sender(alert.event()), "ended at " + alert.event().endsAt(), now));
  }

  private static String sender(AlertEvent event) {
    return event.source() == AlertSource.ALERTMANAGER ? "alertmanager" : Alert.REBOUND;
  }
}
