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
 * A retry budget (as Finagle's RetryBudget and Envoy's retry_budget): over a sliding {@code window},
 * retries may not exceed {@code ratio} × first attempts + {@code minRetriesPerSecond} × the window's
 * seconds (the floor that lets a quiet stage still retry). Immutable; built by {@link #builder()} or
 * read with {@link #fromMap}.
 */
public final class BudgetConfig {

  /** What a failure that would retry gets when the budget is spent. */
  public enum WhenExhausted { PARK, DEAD_LETTER }

  public static final boolean DEFAULT_ENABLED = true;
  /** Retries per first attempt (Finagle's percentCanRetry, Envoy's budget_percent: 20 %). */
  public static final double DEFAULT_RATIO = 0.2;
  /** Retries per second always allowed (Finagle's minRetriesPerSec). */
  public static final double DEFAULT_MIN_RETRIES_PER_SECOND = 10;
  /** How far back retries and first attempts are counted (Finagle's ttl). */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  public static final WhenExhausted DEFAULT_WHEN_EXHAUSTED = WhenExhausted.PARK;
  /**
   * True: a failed first attempt counts as a first attempt (all the retry service sees of a task that
   * never fails). False when the service feeds every first attempt itself ({@link RetryBudget#recordFirstAttempts}).
   */
  public static final boolean DEFAULT_FIRST_ATTEMPTS_FROM_FAILURES = true;

  public static final BudgetConfig DEFAULT = builder().build();

  static final Set<String> FIELDS = new LinkedHashSet<>(List.of("enabled", "ratio", "minRetriesPerSecond", "window",
      "whenExhausted", "firstAttemptsFromFailures"));

  private final boolean enabled;
  private final double ratio;
  private final double minRetriesPerSecond;
  private final Duration window;
  private final WhenExhausted whenExhausted;
  private final boolean firstAttemptsFromFailures;

  private BudgetConfig(Builder b) {
    enabled = b.enabled;
    ratio = b.ratio;
    minRetriesPerSecond = b.minRetriesPerSecond;
    window = b.window;
    whenExhausted = b.whenExhausted;
    firstAttemptsFromFailures = b.firstAttemptsFromFailures;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public boolean enabled() {
    return enabled;
  }

  public double ratio() {
    return ratio;
  }

  public double minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  public Duration window() {
    return window;
  }

  public WhenExhausted whenExhausted() {
    return whenExhausted;
  }

  public boolean firstAttemptsFromFailures() {
    return firstAttemptsFromFailures;
  }

  /** Retries allowed in a window holding {@code firstAttempts} first attempts. */
  public long allowance(long firstAttempts) {
    return (long) Math.floor(minRetriesPerSecond * window.toMillis() / 1000.0 + ratio * firstAttempts);
  }

  public BudgetConfig scaled(double timeScale) {
    if (!(timeScale > 0 && Double.isFinite(timeScale))) {
      throw new PolicyException("timeScale", "must be a positive number, was " + timeScale);
    }
    // the floor is a rate: a shorter window keeps the same retries per second
    return toBuilder().window(CircuitConfig.scale(window, timeScale)).build();
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("enabled", enabled);
    m.put("ratio", ratio);
    m.put("minRetriesPerSecond", minRetriesPerSecond);
    m.put("window", ConfigMap.format(window));
    m.put("whenExhausted", whenExhausted.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    m.put("firstAttemptsFromFailures", firstAttemptsFromFailures);
    return m;
  }

  /** @throws PolicyException naming the key path, e.g. {@code retry.budgets.global.ratio} */
  public static BudgetConfig fromMap(String path, Map<String, ?> values, BudgetConfig base) {
    ConfigMap r = ConfigMap.of(path, values, FIELDS);
    Builder b = base.toBuilder().enabled(r.bool("enabled", base.enabled)).ratio(r.ratio("ratio", base.ratio))
        .minRetriesPerSecond(r.decimal("minRetriesPerSecond", base.minRetriesPerSecond))
        .window(r.duration("window", base.window))
        .whenExhausted(r.enumValue("whenExhausted", WhenExhausted.class, base.whenExhausted))
        .firstAttemptsFromFailures(r.bool("firstAttemptsFromFailures", base.firstAttemptsFromFailures));
    try {
      return b.build();
    } catch (PolicyException e) {
      throw e.under(path);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BudgetConfig c && toMap().equals(c.toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "BudgetConfig" + toMap();
  }

  /** Validates on {@link #build()}; every error names its field. */
  public static final class Builder {
    private boolean enabled = DEFAULT_ENABLED;
    private double ratio = DEFAULT_RATIO;
    private double minRetriesPerSecond = DEFAULT_MIN_RETRIES_PER_SECOND;
    private Duration window = DEFAULT_WINDOW;
    private WhenExhausted whenExhausted = DEFAULT_WHEN_EXHAUSTED;
    private boolean firstAttemptsFromFailures = DEFAULT_FIRST_ATTEMPTS_FROM_FAILURES;

    private Builder() {
    }

    private Builder(BudgetConfig c) {
      enabled = c.enabled;
      ratio = c.ratio;
      minRetriesPerSecond = c.minRetriesPerSecond;
      window = c.window;
      whenExhausted = c.whenExhausted;
      firstAttemptsFromFailures = c.firstAttemptsFromFailures;
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder ratio(double ratio) {
      this.ratio = ratio;
      return this;
    }

    public Builder minRetriesPerSecond(double minRetriesPerSecond) {
      this.minRetriesPerSecond = minRetriesPerSecond;
      return this;
    }

    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    public Builder whenExhausted(WhenExhausted whenExhausted) {
      this.whenExhausted = Objects.requireNonNull(whenExhausted, "whenExhausted");
      return this;
    }

    public Builder firstAttemptsFromFailures(boolean firstAttemptsFromFailures) {
      this.firstAttemptsFromFailures = firstAttemptsFromFailures;
      return this;
    }

    /** @throws PolicyException naming the first invalid field */
    public BudgetConfig build() {
      PolicyException.check(ratio >= 0 && ratio <= 1000, "ratio", "must be between 0 and 1000, was " + ratio);
      PolicyException.check(minRetriesPerSecond >= 0 && minRetriesPerSecond <= 1_000_000, "minRetriesPerSecond",
          "must be between 0 and 1000000, was " + minRetriesPerSecond);
      PolicyException.check(window != null && window.toMillis() >= 1 && window.compareTo(Duration.ofDays(1)) <= 0,
          "window", "must be between 1ms and 1d, was " + (window == null ? "null" : ConfigMap.format(window)));
      return new BudgetConfig(this);
    }
  }
}
