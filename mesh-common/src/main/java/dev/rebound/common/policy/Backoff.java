package dev.rebound.common.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the nominal delay (before cap and jitter) grows from one retry to the next. Retries are
 * numbered from 1: retry 1 follows the first failed attempt.
 *
 * <ul>
 *   <li>{@link #exponential exponential(base, factor)}: {@code base × factor^(n-1)} — 1 s, 2 s, 4 s…</li>
 *   <li>{@link #linear linear(base, increment)}: {@code base + increment × (n-1)} — 30 s, 60 s, 90 s…</li>
 *   <li>{@link #fixed fixed(interval)}: {@code interval} every time</li>
 *   <li>{@link #custom custom(delays…)}: the n-th listed delay; past the end of the list, the last one</li>
 * </ul>
 *
 * Delays are whole milliseconds; sub-millisecond parts are dropped.
 */
public sealed interface Backoff permits Backoff.Exponential, Backoff.Linear, Backoff.Fixed, Backoff.Custom {

  /** The backoff kinds, named in JSON and YAML by their lower-case names. */
  enum Kind {
    EXPONENTIAL, LINEAR, FIXED, CUSTOM;

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind parse(String field, String value) {
      for (Kind k : values()) {
        if (k.jsonName().equalsIgnoreCase(value.trim())) {
          return k;
        }
      }
      throw new PolicyException(field, "must be one of exponential, linear, fixed, custom, was '" + value + "'");
    }
  }

  double MAX_FACTOR = 100.0;

  static Backoff exponential(Duration base, double factor) {
    return new Exponential(base, factor);
  }

  static Backoff linear(Duration base, Duration increment) {
    return new Linear(base, increment);
  }

  static Backoff fixed(Duration interval) {
    return new Fixed(interval);
  }

  static Backoff custom(List<Duration> delays) {
    return new Custom(delays);
  }

  static Backoff custom(Duration... delays) {
    return new Custom(List.of(delays));
  }

  Kind kind();

  /** The nominal delay before retry {@code retry} (1-based), in milliseconds, uncapped (saturating). */
  long delayMillis(int retry);

  /** The delay before the first retry: decorrelated jitter's base. */
  default Duration first() {
    return Duration.ofMillis(delayMillis(1));
  }

  /** A copy with every duration multiplied by {@code timeScale} (factors stay as they are). */
  Backoff scaled(double timeScale);

  /** {@code base × factor^(n-1)}. */
  record Exponential(Duration base, double factor) implements Backoff {
    public Exponential {
      base = PolicyValues.millis(base);
      PolicyValues.checkDuration("base", base, false);
      if (!(factor >= 1.0 && factor <= MAX_FACTOR)) {
        throw new PolicyException("factor", "must be between 1 and " + (int) MAX_FACTOR + ", was " + factor);
      }
    }

    @Override
    public Kind kind() {
      return Kind.EXPONENTIAL;
    }

    @Override
    public long delayMillis(int retry) {
      // computed in double and truncated, as the ledger always has: overflow saturates at Long.MAX_VALUE
      return (long) (base.toMillis() * Math.pow(factor, Math.max(0, retry - 1)));
    }

    @Override
    public Backoff scaled(double timeScale) {
      return new Exponential(PolicyValues.scale(base, timeScale), factor);
    }
  }

  /** {@code base + increment × (n-1)}. */
  record Linear(Duration base, Duration increment) implements Backoff {
    public Linear {
      base = PolicyValues.millis(base);
      increment = PolicyValues.millis(increment);
      PolicyValues.checkDuration("base", base, false);
      PolicyValues.checkDuration("increment", increment, true);
    }

    @Override
    public Kind kind() {
      return Kind.LINEAR;
    }

    @Override
    public long delayMillis(int retry) {
      double d = base.toMillis() + (double) increment.toMillis() * Math.max(0, retry - 1);
      return (long) d;
    }

    @Override
    public Backoff scaled(double timeScale) {
      return new Linear(PolicyValues.scale(base, timeScale), PolicyValues.scale(increment, timeScale));
    }
  }

  /** The same {@code interval} before every retry. */
  record Fixed(Duration interval) implements Backoff {
    public Fixed {
      interval = PolicyValues.millis(interval);
      PolicyValues.checkDuration("interval", interval, false);
    }

    @Override
    public Kind kind() {
      return Kind.FIXED;
    }

    @Override
    public long delayMillis(int retry) {
      return interval.toMillis();
    }

    @Override
    public Backoff scaled(double timeScale) {
      return new Fixed(PolicyValues.scale(interval, timeScale));
    }
  }

  /** The listed delays in order; retries past the end of the list wait the last one. */
  record Custom(List<Duration> delays) implements Backoff {
    public Custom {
      if (delays == null || delays.isEmpty()) {
        throw new PolicyException("delays", "must list at least one delay");
      }
      List<Duration> copy = new ArrayList<>(delays.size());
      for (int i = 0; i < delays.size(); i++) {
        Duration d = PolicyValues.millis(delays.get(i));
        PolicyValues.checkDuration("delays[" + i + "]", d, true);
        copy.add(d);
      }
      delays = List.copyOf(copy);
    }

    @Override
    public Kind kind() {
      return Kind.CUSTOM;
    }

    @Override
    public long delayMillis(int retry) {
      int i = Math.min(Math.max(retry, 1), delays.size()) - 1;
      return delays.get(i).toMillis();
    }

    @Override
    public Backoff scaled(double timeScale) {
      return new Custom(delays.stream().map(d -> PolicyValues.scale(d, timeScale)).toList());
    }
  }
}
