package dev.rebound.common.policy;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When, and whether, a failed attempt is tried again: a {@link Backoff} kind, a cap on one delay, a
 * {@link Jitter}, a number of retries, an optional deadline counted from the first attempt and an
 * optional per-attempt timeout (which travels with the task as its lease). Immutable; built by
 * {@link #builder()} (validated, errors name the field) or read with {@link #fromJson(JsonObject)} /
 * {@link #fromMap(String, Map, RetryPolicy)}.
 *
 * <p>The decision itself is a pure function of the policy, a {@link RetryContext}, the current time
 * and a random source: {@link #next(RetryContext, Instant, RandomGenerator)}. In deterministic mode the
 * random source is seeded by (task id, attempt) instead, so the same failure always gets the same delay.
 *
 * <pre>{@code
 * RetryPolicy p = RetryPolicy.builder().linear(Duration.ofSeconds(30), Duration.ofSeconds(30))
 *     .maxRetries(2).jitter(Jitter.EQUAL).build();
 * p.nominalSchedule(5);                         // [30s, 60s]
 * p.next(RetryContext.afterAttempt(1, first), now, random); // Scheduled(retry 1, 15..30 s)
 * p.next(RetryContext.afterAttempt(3, first), now, random); // Exhausted(MAX_RETRIES, …)
 * }</pre>
 */
public final class RetryPolicy {

  /** Delay before the first retry of {@link #DEFAULT}. */
  public static final Duration DEFAULT_BASE = Duration.ofSeconds(1);
  /** Growth per retry of {@link #DEFAULT}. */
  public static final double DEFAULT_FACTOR = 2.0;
  /** Retries after the first attempt, unless configured. */
  public static final int DEFAULT_MAX_RETRIES = 5;
  /** Cap on one delay, unless configured. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);
  /** Jitter, unless configured. */
  public static final Jitter DEFAULT_JITTER = Jitter.FULL;
  /** The most retries a policy may allow. */
  public static final int MAX_RETRIES_LIMIT = 1000;

  /**
   * The policy of a stage without one of its own: exponential 1 s × 2, 5 retries (1, 2, 4, 8, 16 s),
   * each delay at most 5 min, full jitter, no deadline, no attempt timeout.
   */
  public static final RetryPolicy DEFAULT = builder().build();

  private final Backoff backoff;
  private final int maxRetries;
  private final Duration maxDelay;
  private final Duration deadline;
  private final Duration attemptTimeout;
  private final Jitter jitter;
  private final boolean deterministic;
  /** {@link #nominalMillis} of retries 1 to maxRetries, at index retry: every decision needs one. */
  private final long[] nominal;

  private RetryPolicy(Builder b) {
    this.backoff = b.backoff;
    this.maxRetries = b.maxRetries;
    this.maxDelay = b.maxDelay;
    this.deadline = b.deadline;
    this.attemptTimeout = b.attemptTimeout;
    this.jitter = b.jitter;
    this.deterministic = b.deterministic;
    this.nominal = new long[maxRetries + 1];
    for (int retry = 1; retry <= maxRetries; retry++) {
      nominal[retry] = computeNominalMillis(retry);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public Backoff backoff() {
    return backoff;
  }

  /** Retries after the first attempt; 0 means one attempt only. */
  public int maxRetries() {
    return maxRetries;
  }

  /** {@code maxRetries() + 1}: the attempts a run gets, first one included. */
  public int maxAttempts() {
    return maxRetries + 1;
  }

  /** The cap on one delay (a retry-after hint may exceed it). */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** No attempt is scheduled to start later than this after the first attempt. */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  /** How long one attempt may run: the lease a claimed task carries. */
  public Optional<Duration> attemptTimeout() {
    return Optional.ofNullable(attemptTimeout);
  }

  public Jitter jitter() {
    return jitter;
  }

  /** True when jitter draws from a random source seeded by (task id, attempt). */
  public boolean deterministic() {
    return deterministic;
  }

  /** The delay before retry {@code retry} (1-based) before jitter, capped by {@link #maxDelay()}. */
  public Duration nominalDelay(int retry) {
    return Duration.ofMillis(nominalMillis(retry));
  }

  /**
   * The delays before jitter of the first {@code retries} retries, as far as the policy allows
   * ({@code min(retries, maxRetries)} of them): what {@code GET /v1/policies/{stage}/schedule} shows.
   */
  public List<Duration> nominalSchedule(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative, was " + retries);
    }
    int n = Math.min(retries, maxRetries);
    List<Duration> out = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      out.add(nominalDelay(i));
    }
    return Collections.unmodifiableList(out);
  }

  /** {@link #next(RetryContext, Instant, RandomGenerator)} at the clock's current instant. */
  public NextAttempt next(RetryContext context, Clock clock, RandomGenerator random) {
    return next(context, clock.instant(), random);
  }

  /**
   * What follows the failed attempt {@code context.attempt()}: exhausted when no retry is left (the
   * task's own {@code maxAttempts} overriding {@code maxRetries}); otherwise the capped nominal delay,
   * jittered, raised to the retry-after hint — and exhausted after all when that would start the next
   * attempt after the deadline.
   *
   * @param random the random source; ignored in deterministic mode
   * @throws IllegalArgumentException when the context lacks what this policy needs: a task id in
   *                                  deterministic mode, the first attempt's time with a deadline
   */
  public NextAttempt next(RetryContext context, Instant now, RandomGenerator random) {
    int retry = context.attempt();
    int allowed = retriesAllowed(context);
    if (retry > allowed) {
      return new NextAttempt.Exhausted(NextAttempt.Reason.MAX_RETRIES, noRetryLeft(retry, allowed));
    }
    return after(context, now, delayMillis(context, random));
  }

  /**
   * {@link #next}'s delay in milliseconds for a context with a retry left (see {@link #retriesAllowed}): the
   * same checks and the same random draws, nothing built. A caller that decides about more than the policy
   * (a circuit may hold the retry anyway) asks for this, then {@link #pastDeadline}, and builds the
   * {@link NextAttempt} with {@link #after} only when it needs one.
   *
   * @throws IllegalArgumentException as {@link #next}
   */
  public long delayMillis(RetryContext context, RandomGenerator random) {
    int retry = context.attempt();
    if (deterministic && context.taskId() == null) {
      throw new IllegalArgumentException("a deterministic policy needs the task id to seed its jitter");
    }
    if (deadline != null && context.firstAttemptAt() == null) {
      throw new IllegalArgumentException("a policy with a deadline needs the time of the first attempt");
    }
    long delay = jittered(retry, previousMillis(context), draws(context.taskId(), retry, random));
    if (context.retryAfter() != null) {
      delay = Math.max(delay, context.retryAfter().toMillis());
    }
    return delay;
  }

  /** Whether a retry {@code delayMillis} from now starts after the deadline: {@link #after} is then exhausted. */
  public boolean pastDeadline(RetryContext context, Instant now, long delayMillis) {
    return deadline != null && now.plusMillis(delayMillis).isAfter(context.firstAttemptAt().plus(deadline));
  }

  /** What {@link #next} says once it has drawn {@code delayMillis}: the retry, or exhausted by the deadline. */
  public NextAttempt after(RetryContext context, Instant now, long delayMillis) {
    int retry = context.attempt();
    Instant at = now.plusMillis(delayMillis);
    if (pastDeadline(context, now, delayMillis)) {
      Instant limit = context.firstAttemptAt().plus(deadline);
      return new NextAttempt.Exhausted(NextAttempt.Reason.DEADLINE, "retry " + retry + " would start at " + at
          + ", after the deadline " + limit + " (" + ConfigMap.format(deadline) + " after the first attempt)");
    }
    return new NextAttempt.Scheduled(retry, Duration.ofMillis(delayMillis), at);
  }

  /**
   * The retries allowed in this context: the task's own {@code maxAttempts} less one, else {@code maxRetries}.
   * {@link #next} is exhausted ({@link NextAttempt.Reason#MAX_RETRIES}, no random draw) when
   * {@code context.attempt()} is above it: a caller that needs only that can tell it without the sentence.
   */
  public int retriesAllowed(RetryContext context) {
    return context.maxAttempts() > 0 ? context.maxAttempts() - 1 : maxRetries;
  }

  /** The detail of {@link #next}'s {@link NextAttempt.Reason#MAX_RETRIES}: "attempt 6 failed and 5 retries are allowed". */
  public static String noRetryLeft(int attempt, int allowed) {
    return "attempt " + attempt + " failed and "
        + (allowed == 0 ? "no retry is" : allowed == 1 ? "1 retry is" : allowed + " retries are") + " allowed";
  }

  /**
   * A copy with every duration (delays, cap, deadline, attempt timeout) multiplied by {@code timeScale},
   * rounded to whole milliseconds and at least 1 ms, so tests and demos run real schedules fast. Factors
   * and counts are unchanged. Hints passed in a {@link RetryContext} are the caller's to scale.
   */
  public RetryPolicy scaled(double timeScale) {
    checkTimeScale(timeScale);
    if (timeScale == 1.0) {
      return this;
    }
    Builder b = toBuilder().backoff(backoff.scaled(timeScale)).maxDelay(PolicyValues.scale(maxDelay, timeScale));
    b.deadline = PolicyValues.scale(deadline, timeScale);
    b.attemptTimeout = PolicyValues.scale(attemptTimeout, timeScale);
    return b.build();
  }

  static void checkTimeScale(double timeScale) {
    if (!(timeScale > 0 && Double.isFinite(timeScale))) {
      throw new PolicyException("timeScale", "must be a positive number, was " + timeScale);
    }
  }

  /**
   * The policy as JSON: {@code backoff} (its kind) and that kind's parameters, {@code maxRetries},
   * {@code maxDelay}, {@code jitter}, {@code deterministic}, and {@code deadline} / {@code attemptTimeout}
   * when set. Durations are written as strings ({@code "30s"}, {@code "1500ms"}).
   */
  public JsonObject toJson() {
    return PolicyMapper.toJson(this);
  }

  /**
   * Reads a whole policy; fields left out take the builder's defaults (the {@code DEFAULT_*} constants).
   * Unknown fields are refused by name. Durations are strings with a unit or milliseconds.
   *
   * @throws PolicyException naming the field
   */
  public static RetryPolicy fromJson(JsonObject json) {
    return fromMap("", json.getMap(), DEFAULT);
  }

  /**
   * Reads a policy from configuration, e.g. the YAML value of {@code retry.policies.tests}: fields left
   * out keep {@code base}'s values (when the kind changes, the new kind's parameters must be given,
   * except exponential's {@code factor}, 2 by default, and linear's {@code increment}, its base by
   * default). Scalars may be strings ({@code "2.5"}, {@code "3"}, {@code "true"}); keys may be written
   * camelCase or kebab-case ({@code maxRetries} or {@code max-retries}); {@code deadline: none} and
   * {@code attemptTimeout: none} clear an inherited value.
   *
   * @param path where the map came from, prefixed to every field named in an error
   *             ({@code retry.policies.tests} → {@code retry.policies.tests.factor})
   * @throws PolicyException naming the key path
   */
  public static RetryPolicy fromMap(String path, Map<String, ?> values, RetryPolicy base) {
    return PolicyMapper.fromMap(path, values, base);
  }

  long nominalMillis(int retry) {
    return retry >= 1 && retry < nominal.length ? nominal[retry] : computeNominalMillis(retry);
  }

  private long computeNominalMillis(int retry) {
    return Math.min(backoff.delayMillis(retry), maxDelay.toMillis());
  }

  private long jittered(int retry, long previous, RandomGenerator random) {
    return jitter.apply(nominalMillis(retry), nominalMillis(1), previous, maxDelay.toMillis(), random);
  }

  private RandomGenerator draws(String taskId, int retry, RandomGenerator random) {
    return deterministic ? ReplayableRandom.of(taskId, retry) : random;
  }

  /** Only decorrelated jitter looks at the previous delay. */
  private long previousMillis(RetryContext context) {
    if (jitter != Jitter.DECORRELATED) {
      return 0;
    }
    if (context.previousDelay() != null) {
      return context.previousDelay().toMillis();
    }
    long base = nominalMillis(1);
    int retry = context.attempt();
    if (retry == 1) {
      return base;
    }
    if (!deterministic) {
      return nominalMillis(retry - 1);
    }
    long previous = base; // replay the chain: each earlier retry drew from its own seed
    for (int k = 1; k < retry; k++) {
      previous = jittered(k, previous, ReplayableRandom.of(context.taskId(), k));
    }
    return previous;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p && backoff.equals(p.backoff) && maxRetries == p.maxRetries
        && maxDelay.equals(p.maxDelay) && Objects.equals(deadline, p.deadline)
        && Objects.equals(attemptTimeout, p.attemptTimeout) && jitter == p.jitter && deterministic == p.deterministic;
  }

  @Override
  public int hashCode() {
    return Objects.hash(backoff, maxRetries, maxDelay, deadline, attemptTimeout, jitter, deterministic);
  }

  @Override
  public String toString() {
    return "RetryPolicy" + toJson().encode();
  }

  /** Validates on {@link #build()}; every error names its field. */
  public static final class Builder {
    private Backoff backoff = Backoff.exponential(DEFAULT_BASE, DEFAULT_FACTOR);
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private Duration deadline;
    private Duration attemptTimeout;
    private Jitter jitter = DEFAULT_JITTER;
    private boolean deterministic;

    private Builder() {
    }

    private Builder(RetryPolicy p) {
      backoff = p.backoff;
      maxRetries = p.maxRetries;
      maxDelay = p.maxDelay;
      deadline = p.deadline;
      attemptTimeout = p.attemptTimeout;
      jitter = p.jitter;
      deterministic = p.deterministic;
    }

    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    public Builder exponential(Duration base, double factor) {
      return backoff(Backoff.exponential(base, factor));
    }

    public Builder linear(Duration base, Duration increment) {
      return backoff(Backoff.linear(base, increment));
    }

    public Builder fixed(Duration interval) {
      return backoff(Backoff.fixed(interval));
    }

    public Builder custom(Duration... delays) {
      return backoff(Backoff.custom(delays));
    }

    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = PolicyValues.millis(maxDelay);
      return this;
    }

    /** {@code null} for none. */
    public Builder deadline(Duration deadline) {
      this.deadline = PolicyValues.millis(deadline);
      return this;
    }

    /** {@code null} for none. */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = PolicyValues.millis(attemptTimeout);
      return this;
    }

    public Builder jitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    public Builder deterministic(boolean deterministic) {
      this.deterministic = deterministic;
      return this;
    }

    /** @throws PolicyException naming the first invalid field */
    public RetryPolicy build() {
      if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
        throw new PolicyException("maxRetries", "must be between 0 and " + MAX_RETRIES_LIMIT + ", was " + maxRetries);
      }
      PolicyValues.checkDuration("maxDelay", maxDelay, false);
      Duration first = backoff.first();
      if (maxDelay.compareTo(first) < 0) {
        throw new PolicyException("maxDelay", "must not be below the first delay " + ConfigMap.format(first)
            + ", was " + ConfigMap.format(maxDelay));
      }
      if (deadline != null) {
        PolicyValues.checkDuration("deadline", deadline, false);
      }
      if (attemptTimeout != null) {
        PolicyValues.checkDuration("attemptTimeout", attemptTimeout, false);
      }
      return new RetryPolicy(this);
    }
  }
}
