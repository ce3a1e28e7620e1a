package dev.rebound.client;

import java.time.Duration;

/**
 * When a worker's local breaker for a dependency opens: after {@code consecutiveFailures} failures in
 * a row, or when at least {@code minCallsInWindow} calls in the last {@code window} failed at
 * {@code failureRate} or more. It stays open {@code openDuration}, then lets one probe call through.
 */
public record BreakerSettings(int consecutiveFailures, Duration window, int minCallsInWindow, double failureRate,
    Duration openDuration) {
  public static final BreakerSettings DEFAULTS = new BreakerSettings(5, Duration.ofSeconds(10), 10, 0.5,
      Duration.ofSeconds(30));

  public BreakerSettings {
    if (consecutiveFailures < 1 || minCallsInWindow < 1) {
      throw new IllegalArgumentException("consecutiveFailures and minCallsInWindow must be at least 1");
    }
    if (!(failureRate > 0 && failureRate <= 1)) {
      throw new IllegalArgumentException("failureRate must be in (0, 1], was " + failureRate);
    }
    if (window.isNegative() || window.isZero() || openDuration.isNegative()) {
      throw new IllegalArgumentException("window must be positive and openDuration not negative");
    }
  }
}
