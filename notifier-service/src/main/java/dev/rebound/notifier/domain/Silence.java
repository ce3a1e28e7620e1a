package dev.rebound.notifier.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A silence: while active, alerts matching all its matchers are not notified (they still fire and are listed).
 * As in Alertmanager it has a time range, who made it and why, and at least one matcher that does not match
 * the empty string (so it cannot silence everything by accident).
 */
public record Silence(String id, List<LabelMatcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
    String comment) {

  /** Pending before it starts, active until it ends, expired after. */
  public enum State {
    PENDING, ACTIVE, EXPIRED
  }

  public Silence {
    matchers = List.copyOf(matchers);
    if (matchers.isEmpty()) {
      throw new InvalidAlertException("matchers", "must have at least one matcher");
    }
    if (matchers.stream().allMatch(m -> m.matches(Map.of()))) {
      throw new InvalidAlertException("matchers", "at least one matcher must not match the empty value "
          + "(this silence would silence every alert)");
    }
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(endsAt, "endsAt");
    if (!endsAt.isAfter(startsAt)) {
      throw new InvalidAlertException("endsAt", "must be after startsAt");
    }
    if (createdBy == null || createdBy.isBlank()) {
      throw new InvalidAlertException("createdBy", "must name who silences");
    }
    if (comment == null || comment.isBlank()) {
      throw new InvalidAlertException("comment", "must say why");
    }
  }

  public State state(Instant now) {
    if (now.isBefore(startsAt)) {
      return State.PENDING;
    }
    return now.isBefore(endsAt) ? State.ACTIVE : State.EXPIRED;
  }

  public boolean mutes(Map<String, String> labels, Instant now) {
    return state(now) == State.ACTIVE && LabelMatcher.all(matchers, labels);
  }

  /** Ends it now ({@code DELETE /v1/silences/{id}}); an expired silence stays as it was. */
  public Silence expire(Instant now) {
    if (state(now) == State.EXPIRED) {
      return this;
    }
    Instant end = now.isAfter(startsAt) ? now : startsAt.plusMillis(1);
    return new Silence(id, matchers, state(now) == State.PENDING ? now.minusMillis(1) : startsAt,
        state(now) == State.PENDING ? now : end, createdBy, comment);
  }

  /** Whether any of {@code silences} mutes {@code labels} now. */
  public static boolean anyMutes(List<Silence> silences, Map<String, String> labels, Instant now) {
    return silences.stream().anyMatch(s -> s.mutes(labels, now));
  }
}
