package dev.rebound.common.policy;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How a nominal delay {@code d} is spread so that tasks failing together do not retry together —
 * the definitions of the AWS Architecture Blog's "Exponential Backoff and Jitter". Every draw is in
 * whole milliseconds, bounds included.
 */
public enum Jitter {
  /** Exactly {@code d}. */
  NONE,
  /** Uniform in {@code [0, d]}: the widest spread, the least total work. */
  FULL,
  /** {@code d/2} + uniform in {@code [0, d/2]}: never less than half the nominal delay. */
  EQUAL,
  /**
   * {@code min(cap, uniform in [base, previous × 3])}, where {@code base} is the backoff's first delay
   * and {@code previous} the delay actually waited before the previous retry ({@code base} before the
   * first): the backoff kind supplies only {@code base}, the growth comes from the chain.
   */
  DECORRELATED;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Case-insensitive; the error names {@code field} and lists the accepted values. */
  public static Jitter parse(String field, String value) {
    for (Jitter j : values()) {
      if (j.jsonName().equalsIgnoreCase(value.trim())) {
        return j;
      }
    }
    throw new PolicyException(field, "must be one of none, full, equal, decorrelated, was '" + value + "'");
  }

  /**
   * @param nominal  the capped nominal delay, ms
   * @param base     the backoff's first delay, ms (decorrelated only)
   * @param previous the previous delay, ms (decorrelated only)
   * @param cap      the cap on one delay, ms (decorrelated only; the others never exceed {@code nominal})
   */
  long apply(long nominal, long base, long previous, long cap, RandomGenerator random) {
    return switch (this) {
      case NONE -> nominal;
      case FULL -> random.nextLong(nominal + 1);
      case EQUAL -> nominal / 2 + random.nextLong(nominal / 2 + 1);
      case DECORRELATED -> {
        long upper = previous > (Long.MAX_VALUE - 1) / 3 ? Long.MAX_VALUE - 1 : Math.max(base, previous * 3);
        yield Math.min(cap, base + random.nextLong(upper - base + 1));
      }
    };
  }
}
