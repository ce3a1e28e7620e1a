package dev.rebound.common.policy;

import java.time.Duration;

/**
 * The duration rules of a policy: millisecond precision, at most a year, scaled for tests. Reading
 * values is {@link ConfigMap}'s; writing them is {@link ConfigMap#format}.
 */
final class PolicyValues {

  /** No single duration of a policy may exceed a year: anything longer is a typo. */
  static final Duration MAX_DURATION = Duration.ofDays(365);

  private PolicyValues() {
  }

  /** Multiplies a duration, rounding to whole milliseconds; a positive duration stays at least 1 ms. */
  static Duration scale(Duration d, double timeScale) {
    if (d == null || d.isZero()) {
      return d;
    }
    double ms = Math.rint(d.toMillis() * timeScale);
    long scaled = ms >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) ms;
    return Duration.ofMillis(Math.max(1, scaled));
  }

  /** Drops sub-millisecond parts: a policy's durations are whole milliseconds. */
  static Duration millis(Duration d) {
    return d == null ? null : Duration.ofMillis(d.toMillis());
  }

  static void checkDuration(String field, Duration d, boolean zeroAllowed) {
    if (d == null) {
      throw new PolicyException(field, "is required");
    }
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new PolicyException(field, "must be " + (zeroAllowed ? "zero or more" : "positive") + ", was "
          + ConfigMap.format(d));
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new PolicyException(field, "must be at most " + ConfigMap.format(MAX_DURATION) + ", was " + ConfigMap.format(d));
    }
  }
}
