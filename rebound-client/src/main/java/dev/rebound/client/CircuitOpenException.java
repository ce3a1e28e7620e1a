package dev.rebound.client;

import java.time.Instant;

/** A call to a dependency was refused without being made, because its circuit is open. */
public final class CircuitOpenException extends RuntimeException {
  private final String dependency;
  private final DependencyBreaker.State state;

  CircuitOpenException(String dependency, DependencyBreaker.State state, String reason, Instant retryAfter) {
    super("dependency '" + dependency + "' is " + state + (reason == null ? "" : " (" + reason + ")")
        + ": failing fast" + (retryAfter == null ? " until the circuit closes" : " until " + retryAfter), null, false,
        false);
    this.dependency = dependency;
    this.state = state;
  }

  public String dependency() {
    return dependency;
  }

  public DependencyBreaker.State state() {
    return state;
  }
}
