package dev.rebound.retry.domain;

/** The states of a {@link CircuitBreaker}. */
public enum CircuitState {
  /** Work flows; failures are counted. */
  CLOSED,
  /** Work is held back (the stage's claims pause, failures park) until the open time has passed. */
  OPEN,
  /** A few probes are let through; enough successes close the circuit, a failure opens it again. */
  HALF_OPEN,
  /** Held open by an operator until an operator closes or resets it; nothing is counted. */
  FORCED_OPEN,
  /** Switched off by an operator: work always flows and nothing is counted. */
  DISABLED;

  /** True when new work may run (for HALF_OPEN: only the admitted probes). */
  public boolean letsWorkThrough() {
    return this == CLOSED || this == DISABLED;
  }

  /** True when failures of the circuit's tasks are parked rather than retried. */
  public boolean holdsWork() {
    return this == OPEN || this == FORCED_OPEN;
  }
}
