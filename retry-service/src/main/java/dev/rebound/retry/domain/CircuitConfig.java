package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link CircuitBreaker} opens, waits and closes. Immutable; built by {@link #builder()} or read
 * with {@link #fromMap}. A circuit opens on {@code failureThreshold} consecutive counted failures
 * <b>or</b> when the failure rate over the sliding window reaches {@code failureRateThreshold} once the
 * window holds {@code minimumCalls} calls (either trigger can be switched off with 0).
 */
public final class CircuitConfig {

  public static final boolean DEFAULT_ENABLED = true;
  /** Consecutive counted failures that open the circuit (the seeds' figure); 0 switches this trigger off. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  /** Failure rate in [0, 1] over the window that opens the circuit; 0 switches this trigger off. */
  public static final double DEFAULT_FAILURE_RATE_THRESHOLD = 0.5;
  public static final SlidingWindow.Type DEFAULT_SLIDING_WINDOW_TYPE = SlidingWindow.Type.COUNT_BASED;
  /** Calls in a count-based window. */
  public static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;
  /** Length of a time-based window. */
  public static final Duration DEFAULT_SLIDING_WINDOW_DURATION = Duration.ofSeconds(60);
  /** Calls the window must hold before its failure rate can open the circuit. */
  public static final int DEFAULT_MINIMUM_CALLS = 10;
  /** How long the circuit stays open the first time (vertx-circuit-breaker's resetTimeout). */
  public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(30);
  /** Growth of the open time each time the circuit reopens without having closed; 1 = no growth. */
  public static final double DEFAULT_OPEN_DURATION_MULTIPLIER = 1.0;
  /** The longest open time growth may reach. */
  public static final Duration DEFAULT_MAX_OPEN_DURATION = Duration.ofMinutes(10);
  /** Probes admitted while half-open. */
  public static final int DEFAULT_HALF_OPEN_PROBES = 1;
  /** Successful probes that close the circuit. */
  public static final int DEFAULT_SUCCESS_THRESHOLD = 1;
  /** A task's own permanent failure (its bad input) says nothing about the stage or dependency. */
  public static final boolean DEFAULT_COUNT_PERMANENT_FAILURES = false;

  public static final CircuitConfig DEFAULT = builder().build();

  static final Set<String> FIELDS = new LinkedHashSet<>(List.of("enabled", "failureThreshold", "failureRateThreshold",
      "slidingWindowType", "slidingWindowSize", "slidingWindowDuration", "minimumCalls", "openDuration",
      "openDurationMultiplier", "maxOpenDuration", "halfOpenProbes", "successThreshold", "countPermanentFailures"));

  private final boolean enabled;
  private final int failureThreshold;
  private final double failureRateThreshold;
  private final SlidingWindow.Type slidingWindowType;
  private final int slidingWindowSize;
  private final Duration slidingWindowDuration;
  private final int minimumCalls;
  private final Duration openDuration;
  private final double openDurationMultiplier;
  private final Duration maxOpenDuration;
  private final int halfOpenProbes;
  private final int successThreshold;
  private final boolean countPermanentFailures;

  private CircuitConfig(Builder b) {
    enabled = b.enabled;
    failureThreshold = b.failureThreshold;
    failureRateThreshold = b.failureRateThreshold;
    slidingWindowType = b.slidingWindowType;
    slidingWindowSize = b.slidingWindowSize;
    slidingWindowDuration = b.slidingWindowDuration;
    minimumCalls = b.minimumCalls;
    openDuration = b.openDuration;
    openDurationMultiplier = b.openDurationMultiplier;
    maxOpenDuration = b.maxOpenDuration;
    halfOpenProbes = b.halfOpenProbes;
    successThreshold = b.successThreshold;
    countPermanentFailures = b.countPermanentFailures;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** False: the circuits of this kind never open (no state is kept). */
  public boolean enabled() {
    return enabled;
  }

  public int failureThreshold() {
    return failureThreshold;
  }

  public double failureRateThreshold() {
    return failureRateThreshold;
  }

  public SlidingWindow.Type slidingWindowType() {
    return slidingWindowType;
  }

  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  public Duration slidingWindowDuration() {
    return slidingWindowDuration;
  }

  public int minimumCalls() {
    return minimumCalls;
  }

  public Duration openDuration() {
    return openDuration;
  }

  public double openDurationMultiplier() {
    return openDurationMultiplier;
  }

  public Duration maxOpenDuration() {
    return maxOpenDuration;
  }

  public int halfOpenProbes() {
    return halfOpenProbes;
  }

  public int successThreshold() {
    return successThreshold;
  }

  public boolean countPermanentFailures() {
    return countPermanentFailures;
  }

  /** The open time after {@code opens} openings without a close (1 = the first): grown and capped. */
  public Duration openDurationAfter(int opens) {
    double ms = openDuration.toMillis() * Math.pow(openDurationMultiplier, Math.max(0, opens - 1));
    return Duration.ofMillis((long) Math.min(ms, maxOpenDuration.toMillis()));
  }

  /** A copy with every duration multiplied by {@code timeScale} (at least 1 ms), like the policies' timeScale. */
  public CircuitConfig scaled(double timeScale) {
    if (!(timeScale > 0 && Double.isFinite(timeScale))) {
      throw new PolicyException("timeScale", "must be a positive number, was " + timeScale);
    }
    return toBuilder().slidingWindowDuration(scale(slidingWindowDuration, timeScale))
        .openDuration(scale(openDuration, timeScale)).maxOpenDuration(scale(maxOpenDuration, timeScale)).build();
  }

  static Duration scale(Duration d, double timeScale) {
    return Duration.ofMillis(Math.max(1, Math.round(d.toMillis() * timeScale)));
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("enabled", enabled);
    m.put("failureThreshold", failureThreshold);
    m.put("failureRateThreshold", failureRateThreshold);
    m.put("slidingWindowType", slidingWindowType.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    m.put("slidingWindowSize", slidingWindowSize);
    m.put("slidingWindowDuration", ConfigMap.format(slidingWindowDuration));
    m.put("minimumCalls", minimumCalls);
    m.put("openDuration", ConfigMap.format(openDuration));
    m.put("openDurationMultiplier", openDurationMultiplier);
    m.put("maxOpenDuration", ConfigMap.format(maxOpenDuration));
    m.put("halfOpenProbes", halfOpenProbes);
    m.put("successThreshold", successThreshold);
    m.put("countPermanentFailures", countPermanentFailures);
    return m;
  }

  /**
   * Reads a configuration map (e.g. {@code retry.circuits.stage}); fields left out keep {@code base}'s.
   * {@code failureRateThreshold} may be written {@code 0.5} or {@code 50%}.
   *
   * @throws PolicyException naming the key path
   */
  public static CircuitConfig fromMap(String path, Map<String, ?> values, CircuitConfig base) {
    ConfigMap r = ConfigMap.of(path, values, FIELDS);
    Builder b = base.toBuilder()
        .enabled(r.bool("enabled", base.enabled))
        .failureThreshold(r.integer("failureThreshold", base.failureThreshold))
        .failureRateThreshold(r.ratio("failureRateThreshold", base.failureRateThreshold))
        .slidingWindowType(r.enumValue("slidingWindowType", SlidingWindow.Type.class, base.slidingWindowType))
        .slidingWindowSize(r.integer("slidingWindowSize", base.slidingWindowSize))
        .slidingWindowDuration(r.duration("slidingWindowDuration", base.slidingWindowDuration))
        .minimumCalls(r.integer("minimumCalls", base.minimumCalls))
        .openDuration(r.duration("openDuration", base.openDuration))
        .openDurationMultiplier(r.decimal("openDurationMultiplier", base.openDurationMultiplier))
        .maxOpenDuration(r.duration("maxOpenDuration", base.maxOpenDuration))
        .halfOpenProbes(r.integer("halfOpenProbes", base.halfOpenProbes))
        .successThreshold(r.integer("successThreshold", base.successThreshold))
        .countPermanentFailures(r.bool("countPermanentFailures", base.countPermanentFailures));
    try {
      return b.build();
    } catch (PolicyException e) {
      throw e.under(path);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CircuitConfig c && toMap().equals(c.toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "CircuitConfig" + toMap();
  }

  /** Validates on {@link #build()}; every error names its field. */
  public static final class Builder {
    private boolean enabled = DEFAULT_ENABLED;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private double failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
    private SlidingWindow.Type slidingWindowType = DEFAULT_SLIDING_WINDOW_TYPE;
    private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
    private Duration slidingWindowDuration = DEFAULT_SLIDING_WINDOW_DURATION;
    private int minimumCalls = DEFAULT_MINIMUM_CALLS;
    private Duration openDuration = DEFAULT_OPEN_DURATION;
    private double openDurationMultiplier = DEFAULT_OPEN_DURATION_MULTIPLIER;
    private Duration maxOpenDuration = DEFAULT_MAX_OPEN_DURATION;
    private int halfOpenProbes = DEFAULT_HALF_OPEN_PROBES;
    private int successThreshold = DEFAULT_SUCCESS_THRESHOLD;
    private boolean countPermanentFailures = DEFAULT_COUNT_PERMANENT_FAILURES;

    private Builder() {
    }

    private Builder(CircuitConfig c) {
      enabled = c.enabled;
      failureThreshold = c.failureThreshold;
      failureRateThreshold = c.failureRateThreshold;
      slidingWindowType = c.slidingWindowType;
      slidingWindowSize = c.slidingWindowSize;
      slidingWindowDuration = c.slidingWindowDuration;
      minimumCalls = c.minimumCalls;
      openDuration = c.openDuration;
      openDurationMultiplier = c.openDurationMultiplier;
      maxOpenDuration = c.maxOpenDuration;
      halfOpenProbes = c.halfOpenProbes;
      successThreshold = c.successThreshold;
      countPermanentFailures = c.countPermanentFailures;
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder failureThreshold(int failureThreshold) {
      this.failureThreshold = failureThreshold;
      return this;
    }

    public Builder failureRateThreshold(double failureRateThreshold) {
      this.failureRateThreshold = failureRateThreshold;
      return this;
    }

    public Builder slidingWindowType(SlidingWindow.Type slidingWindowType) {
      this.slidingWindowType = Objects.requireNonNull(slidingWindowType, "slidingWindowType");
      return this;
    }

    public Builder slidingWindowSize(int slidingWindowSize) {
      this.slidingWindowSize = slidingWindowSize;
      return this;
    }

    public Builder slidingWindowDuration(Duration slidingWindowDuration) {
      this.slidingWindowDuration = slidingWindowDuration;
      return this;
    }

    public Builder minimumCalls(int minimumCalls) {
      this.minimumCalls = minimumCalls;
      return this;
    }

    public Builder openDuration(Duration openDuration) {
      this.openDuration = openDuration;
      return this;
    }

    public Builder openDurationMultiplier(double openDurationMultiplier) {
      this.openDurationMultiplier = openDurationMultiplier;
      return this;
    }

    public Builder maxOpenDuration(Duration maxOpenDuration) {
      this.maxOpenDuration = maxOpenDuration;
      return this;
    }

    public Builder halfOpenProbes(int halfOpenProbes) {
      this.halfOpenProbes = halfOpenProbes;
      return this;
    }

    public Builder successThreshold(int successThreshold) {
      this.successThreshold = successThreshold;
      return this;
    }

    public Builder countPermanentFailures(boolean countPermanentFailures) {
      this.countPermanentFailures = countPermanentFailures;
      return this;
    }

    /** @throws PolicyException naming the first invalid field */
    public CircuitConfig build() {
      PolicyException.check(failureThreshold >= 0 && failureThreshold <= 10_000, "failureThreshold",
          "must be between 0 (off) and 10000, was " + failureThreshold);
      PolicyException.check(failureRateThreshold >= 0 && failureRateThreshold <= 1, "failureRateThreshold",
          "must be between 0 (off) and 1 (or 100%), was " + failureRateThreshold);
      PolicyException.check(slidingWindowSize >= 1 && slidingWindowSize <= 10_000, "slidingWindowSize",
          "must be between 1 and 10000, was " + slidingWindowSize);
      positive("slidingWindowDuration", slidingWindowDuration);
      PolicyException.check(minimumCalls >= 1, "minimumCalls", "must be at least 1, was " + minimumCalls);
      PolicyException.check(slidingWindowType != SlidingWindow.Type.COUNT_BASED || minimumCalls <= slidingWindowSize,
          "minimumCalls", "must not exceed slidingWindowSize (" + slidingWindowSize + ") in a count-based window, was "
              + minimumCalls);
      positive("openDuration", openDuration);
      PolicyException.check(openDurationMultiplier >= 1 && openDurationMultiplier <= 100, "openDurationMultiplier",
          "must be between 1 (no growth) and 100, was " + openDurationMultiplier);
      positive("maxOpenDuration", maxOpenDuration);
      PolicyException.check(maxOpenDuration.compareTo(openDuration) >= 0, "maxOpenDuration",
          "must not be below openDuration (" + ConfigMap.format(openDuration) + "), was "
              + ConfigMap.format(maxOpenDuration));
      PolicyException.check(halfOpenProbes >= 1 && halfOpenProbes <= 1000, "halfOpenProbes",
          "must be between 1 and 1000, was " + halfOpenProbes);
      PolicyException.check(successThreshold >= 1 && successThreshold <= halfOpenProbes, "successThreshold",
          "must be between 1 and halfOpenProbes (" + halfOpenProbes + "), was " + successThreshold);
      return new CircuitConfig(this);
    }

    private static void positive(String field, Duration d) {
      PolicyException.check(d != null, field, "is required");
      PolicyException.check(!d.isNegative() && !d.isZero() && d.compareTo(Duration.ofDays(365)) <= 0, field,
          "must be positive and at most a year, was " + ConfigMap.format(d));
    }
  }
}
