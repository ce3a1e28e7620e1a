package dev.rebound.retry.domain;

import java.time.Instant;

/**
 * A circuit changed state: published on {@code rebound.events.circuits} and, when {@link #alert()},
 * sent to the notifier.
 *
 * @param actor the operator who made the change, or null when the rules did
 */
public record CircuitTransition(String name, CircuitState from, CircuitState to, String reason, Instant at,
    String actor) implements RetryEvent {

  /** Opening (by the rules or an operator) is worth an alert; so is closing again, to resolve it. */
  @Override
  public boolean alert() {
    return to.holdsWork() || (from.holdsWork() || from == CircuitState.HALF_OPEN) && to == CircuitState.CLOSED;
  }
}
