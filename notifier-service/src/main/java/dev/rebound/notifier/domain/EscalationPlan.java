package dev.rebound.notifier.domain;

import dev.rebound.common.policy.ConfigMap.Nulls;
import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How an unacknowledged alert escalates: steps of (delay, receivers) — each delay counted from the step
 * before, the first from when the alert opened (PagerDuty's escalation-rule semantics) — then the whole
 * cycle repeated {@link #maxRepeats()} times, {@link #repeatInterval()} after the last step of the cycle
 * before, each repeat's interval multiplied by {@link #decay()} (1 = constant; 2 = 30 m, 60 m, 120 m…).
 * Acknowledging stops it; resolving ends it.
 *
 * <p>A step firing is identified by {@link StepId} (alert, step index, repeat): the service inserts that
 * key into PostgreSQL with {@code ON CONFLICT DO NOTHING} and delivers only when its insert won, so
 * several instances never fire the same step twice, and a restart resumes at {@link #next}.
 */
public final class EscalationPlan {

  public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofMinutes(30);
  public static final int DEFAULT_MAX_REPEATS = 0;
  public static final double DEFAULT_DECAY = 1.0;
  /** Repeats are capped so a typo cannot page for ever. */
  public static final int MAX_REPEATS_LIMIT = 100;

  /** One step: after {@code delay}, notify {@code receivers}. */
  public record Step(Duration delay, List<String> receivers) {
    public Step {
      Objects.requireNonNull(delay, "delay");
      receivers = List.copyOf(receivers);
    }
  }

  /** The identity of one firing of one step: the idempotency key of the service's insert. */
  public record StepId(String alertId, int step, int repeat) {
  }

  /** A step to fire at {@code dueAt} (in the past when it is overdue: fire it now). */
  public record DueStep(StepId id, Instant dueAt, List<String> receivers) {
  }

  private final List<Step> steps;
  private final Duration repeatInterval;
  private final int maxRepeats;
  private final double decay;

  private EscalationPlan(Builder b) {
    this.steps = List.copyOf(b.steps);
    this.repeatInterval = b.repeatInterval;
    this.maxRepeats = b.maxRepeats;
    this.decay = b.decay;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Step> steps() {
    return steps;
  }

  public Duration repeatInterval() {
    return repeatInterval;
  }

  public int maxRepeats() {
    return maxRepeats;
  }

  public double decay() {
    return decay;
  }

  /**
   * The next step to fire for an alert, or empty when escalation is over: the alert was acknowledged
   * (stopped) or resolved (ended), or every step of every repeat has fired.
   *
   * @param fired the steps already fired for this alert (from the store)
   */
  public Optional<DueStep> next(Alert alert, Set<StepId> fired) {
    if (alert.state() != AlertState.FIRING) {
      return Optional.empty();
    }
    Instant cycleStart = alert.openedAt();
    for (int repeat = 0; repeat <= maxRepeats; repeat++) {
      Instant at = cycleStart;
      for (int i = 0; i < steps.size(); i++) {
        at = at.plus(steps.get(i).delay());
        StepId id = new StepId(alert.id(), i, repeat);
        if (!fired.contains(id)) {
          return Optional.of(new DueStep(id, at, steps.get(i).receivers()));
        }
      }
      cycleStart = at.plus(intervalBefore(repeat + 1));
    }
    return Optional.empty();
  }

  /** The steps due by {@code now}, in order; usually one. */
  public List<DueStep> due(Alert alert, Set<StepId> fired, Instant now) {
    List<DueStep> out = new ArrayList<>();
    Set<StepId> seen = new HashSet<>(fired);
    Optional<DueStep> next = next(alert, seen);
    while (next.isPresent() && !next.get().dueAt().isAfter(now)) {
      out.add(next.get());
      seen.add(next.get().id());
      next = next(alert, seen);
    }
    return out;
  }

  /** The wait before repeat {@code n} (n ≥ 1): repeatInterval × decay^(n−1), in whole milliseconds. */
  Duration intervalBefore(int n) {
    double ms = repeatInterval.toMillis() * Math.pow(decay, n - 1);
    return Duration.ofMillis((long) Math.min(ms, Duration.ofDays(365).toMillis()));
  }

  static EscalationPlan fromMap(String path, Object raw) {
    ConfigMap r = ConfigMap.of(path, raw, Set.of("steps", "repeatInterval", "maxRepeats", "decay"), Nulls.ABSENT);
    Builder b = builder().repeatInterval(r.duration("repeatInterval", DEFAULT_REPEAT_INTERVAL))
        .maxRepeats(r.integer("maxRepeats", DEFAULT_MAX_REPEATS)).decay(r.decimal("decay", DEFAULT_DECAY));
    List<?> items = r.list("steps");
    for (int i = 0; i < items.size(); i++) {
      ConfigMap s = ConfigMap.of(r.key("steps") + "[" + i + "]", items.get(i), Set.of("after", "receivers"), Nulls.ABSENT);
      List<String> receivers = s.strings("receivers");
      PolicyException.check(!receivers.isEmpty(), s.key("receivers"), "must name at least one receiver");
      b.step(s.duration("after", Duration.ZERO), receivers);
    }
    try {
      return b.build();
    } catch (dev.rebound.common.policy.PolicyException e) {
      throw e.under(path);
    }
  }

  /** Validating builder. */
  public static final class Builder {
    private final List<Step> steps = new ArrayList<>();
    private Duration repeatInterval = DEFAULT_REPEAT_INTERVAL;
    private int maxRepeats = DEFAULT_MAX_REPEATS;
    private double decay = DEFAULT_DECAY;

    public Builder step(Duration delay, List<String> receivers) {
      steps.add(new Step(delay, receivers));
      return this;
    }

    public Builder repeatInterval(Duration d) {
      this.repeatInterval = d;
      return this;
    }

    public Builder maxRepeats(int n) {
      this.maxRepeats = n;
      return this;
    }

    public Builder decay(double factor) {
      this.decay = factor;
      return this;
    }

    public EscalationPlan build() {
      PolicyException.check(!steps.isEmpty(), "steps", "must have at least one step");
      for (Step s : steps) {
        PolicyException.check(!s.delay().isNegative(), "steps", "a step's delay must not be negative");
      }
      PolicyException.check(maxRepeats >= 0 && maxRepeats <= MAX_REPEATS_LIMIT, "max-repeats",
          "must be between 0 and " + MAX_REPEATS_LIMIT + ", was " + maxRepeats);
      PolicyException.check(maxRepeats == 0 || !repeatInterval.isZero() && !repeatInterval.isNegative(),
          "repeat-interval", "must be positive when max-repeats is set");
      PolicyException.check(decay >= 1.0 && decay <= 10.0, "decay", "must be between 1 (constant) and 10, was " + decay);
      return new EscalationPlan(this);
    }
  }

  /** The receivers every step names (for checking they exist). */
  List<String> receiverNames() {
    return steps.stream().flatMap(s -> s.receivers().stream()).distinct().toList();
  }

  @Override
  public String toString() {
    return "EscalationPlan" + Map.of("steps", steps, "repeatInterval", repeatInterval, "maxRepeats", maxRepeats,
        "decay", decay);
  }
}
