package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * Everything a circuit is, as a plain record: what the service keeps in cluster-wide shared data (by
 * {@link #name()}, replaced with compare-and-set on {@link #version()}) and persists in schema
 * {@code retry}, so a restart never forgets an open circuit.
 *
 * @param name                the circuit's name ({@code stage:tests})
 * @param state               its state
 * @param since               when it entered that state
 * @param openUntil           OPEN only: when it may half-open; null otherwise
 * @param consecutiveFailures counted failures since the last success (CLOSED)
 * @param window              recent calls (CLOSED)
 * @param opens               openings since the circuit last closed: drives the open time's growth
 * @param probesAdmitted      HALF_OPEN only: probes let through so far
 * @param probeSuccesses      HALF_OPEN only: probes that succeeded
 * @param reason              why it entered its state, for people
 * @param version             incremented by every change
 */
public record CircuitSnapshot(String name, CircuitState state, Instant since, Instant openUntil,
    int consecutiveFailures, SlidingWindow window, int opens, int probesAdmitted, int probeSuccesses, String reason,
    long version) {

  public CircuitSnapshot {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
    window = window == null ? SlidingWindow.EMPTY : window;
    if (state == CircuitState.OPEN && openUntil == null) {
      throw new IllegalArgumentException("an OPEN circuit needs openUntil");
    }
  }

  /** A new circuit: CLOSED, nothing counted. */
  public static CircuitSnapshot closed(String name, Instant now) {
    return new CircuitSnapshot(name, CircuitState.CLOSED, now, null, 0, SlidingWindow.EMPTY, 0, 0, 0, "new", 0);
  }
}
