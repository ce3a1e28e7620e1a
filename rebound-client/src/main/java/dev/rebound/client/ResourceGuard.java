package dev.rebound.client;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * When the worker's memory passes {@code threshold}, the worker stops claiming, lets its tasks finish,
 * recycles the {@link Recyclable} (if any) and measures again; if that did not help, or there is
 * nothing to recycle, it calls {@code onRestartNeeded} with the reason. Each time the threshold is
 * passed it reports a free-standing failure ({@code errorType ResourceExhausted}, category hint
 * {@code RESOURCE_EXHAUSTION}). It resumes claiming once a reading is under the threshold again.
 */
public record ResourceGuard(MemoryProbe probe, double threshold, Duration checkInterval, Recyclable recyclable,
    Consumer<String> onRestartNeeded) {
  public static final double DEFAULT_THRESHOLD = 0.80;
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);
  public static final String ERROR_TYPE = "ResourceExhausted";

  public ResourceGuard {
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(checkInterval, "checkInterval");
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be a fraction in (0, 1], was " + threshold);
    }
    if (checkInterval.toMillis() < 1) {
      throw new IllegalArgumentException("checkInterval must be at least 1 ms");
    }
    onRestartNeeded = onRestartNeeded == null ? reason -> { } : onRestartNeeded;
  }

  public static Builder builder() {
    return new Builder();
  }

  boolean exceeded(MemoryReading reading) {
    return reading.fraction() >= threshold;
  }

  String describe(MemoryReading reading) {
    return String.format(Locale.ROOT, "%s usage %.0f %% (%d of %d MiB) is over the threshold of %.0f %%",
        reading.measure(), reading.fraction() * 100, reading.usedBytes() >> 20, reading.limitBytes() >> 20,
        threshold * 100);
  }

  public static final class Builder {
    private MemoryProbe probe = MemoryProbe.heapAndRss();
    private double threshold = DEFAULT_THRESHOLD;
    private Duration checkInterval = DEFAULT_CHECK_INTERVAL;
    private Recyclable recyclable;
    private Consumer<String> onRestartNeeded;

    private Builder() {
    }

    public Builder probe(MemoryProbe v) { this.probe = v; return this; }
    public Builder threshold(double v) { this.threshold = v; return this; }
    public Builder checkInterval(Duration v) { this.checkInterval = v; return this; }
    public Builder recyclable(Recyclable v) { this.recyclable = v; return this; }
    /** Called once per episode with the reason when recycling did not bring memory under the threshold. */
    public Builder onRestartNeeded(Consumer<String> v) { this.onRestartNeeded = v; return this; }

    public ResourceGuard build() {
      return new ResourceGuard(probe, threshold, checkInterval, recyclable, onRestartNeeded);
    }
  }
}
