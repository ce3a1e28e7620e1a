package dev.rebound.ledger.domain;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with a cap and jitter: the stage's default policy that the ledger applies
 * provisionally, so tasks keep moving even when the retry service is down.
 *
 * @param base        delay before the first retry (before jitter)
 * @param multiplier  growth per attempt
 * @param cap         upper bound of the delay
 * @param maxAttempts attempts per run before the task is dead-lettered
 * @param jitter      FULL (uniform in [0, d]), EQUAL (d/2 + uniform in [0, d/2]) or NONE
 */
public record BackoffPolicy(Duration base, double multiplier, Duration cap, int maxAttempts, Jitter jitter) {

  public enum Jitter { FULL, EQUAL, NONE }

  public static final Duration DEFAULT_BASE = Duration.ofSeconds(1);
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final Duration DEFAULT_CAP = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  public static final BackoffPolicy DEFAULT =
      new BackoffPolicy(DEFAULT_BASE, DEFAULT_MULTIPLIER, DEFAULT_CAP, DEFAULT_MAX_ATTEMPTS, Jitter.FULL);

  public BackoffPolicy {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base must be positive, was " + base);
    }
    if (multiplier < 1.0 || multiplier > 100) {
      throw new IllegalArgumentException("multiplier must be in [1, 100], was " + multiplier);
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("cap " + cap + " must not be below base " + base);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
  }

  /** The delay (before jitter) after the given failed attempt of this run, 1-based. */
  public long ceilingMillis(int failedAttempt) {
    double d = base.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    return (long) Math.min(d, cap.toMillis());
  }

  public Duration delayAfter(int failedAttempt, RandomGenerator random) {
    long ceiling = ceilingMillis(failedAttempt);
    long ms = switch (jitter) {
      case FULL -> random.nextLong(ceiling + 1);
      case EQUAL -> ceiling / 2 + random.nextLong(ceiling / 2 + 1);
      case NONE -> ceiling;
    };
    return Duration.ofMillis(ms);
  }

  /** True when the run has used every attempt it had. */
  public static boolean exhausted(int attemptsThisRun, int maxAttempts) {
    return attemptsThisRun >= maxAttempts;
  }
}
