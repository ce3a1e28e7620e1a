package dev.rebound.retry.domain;

import java.time.Instant;

/**
 * What the retry rules report besides decisions: the service layer publishes each one (circuit
 * transitions on {@code rebound.events.circuits}) and sends the alert-worthy ones to the notifier.
 */
public sealed interface RetryEvent permits CircuitTransition, BudgetExhausted, BudgetRecovered, WorkflowAborted {

  /** When it happened. */
  Instant at();

  /** True when people should hear about it (an opened circuit, an exhausted budget, an aborted workflow). */
  boolean alert();
}
