/**
 * The retry service's rules in plain Java (no Vert.x, no database): which failures are retried
 * ({@link dev.rebound.retry.domain.RetryConditions}, with the {@link dev.rebound.retry.domain.KnownPermanentSignatures}
 * fallback when the analyzer gave no verdict), circuit breakers ({@link dev.rebound.retry.domain.CircuitBreaker}),
 * retry budgets ({@link dev.rebound.retry.domain.RetryBudget}), workflow auto-abort
 * ({@link dev.rebound.retry.domain.WorkflowAbort}) and the {@link dev.rebound.retry.domain.DecisionEngine}
 * that combines them with the stage's {@link dev.rebound.common.policy.RetryPolicy}.
 *
 * <p>Every piece of state is an immutable snapshot record ({@link dev.rebound.retry.domain.CircuitSnapshot},
 * {@link dev.rebound.retry.domain.BudgetSnapshot}, {@link dev.rebound.retry.domain.WorkflowWindow}) and every
 * rule a pure function from (snapshot, input, now) to (next snapshot, events): the service layer keeps the
 * snapshots in cluster-wide shared data (compare-and-set) and schema {@code retry}, and publishes the
 * {@link dev.rebound.retry.domain.RetryEvent}s. Inside {@link dev.rebound.retry.domain.RetryDecider} (one
 * JVM, or one batch of the service between its restore and its snapshot) the same rules change a working
 * copy of the state in place, and the records are built only for a snapshot. Time comes from an injected {@link java.time.InstantSource},
 * randomness from an injected {@link java.util.random.RandomGenerator}.
 */
package dev.rebound.retry.domain;
