package dev.rebound.ledger.domain;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.NextAttempt;
import dev.rebound.common.policy.RetryContext;
import dev.rebound.common.policy.RetryPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * What the ledger does with a failed attempt before (or without) the retry service: retry after the
 * default policy's backoff, or dead-letter when the run's attempt budget (the task's own
 * {@code maxAttempts}) is spent.
 */
public final class ProvisionalRetry {

  /** Attempts per run when neither the configuration nor the task says otherwise. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  /**
   * The ledger's default policy: exponential 1 s × 2^n, each delay at most 5 min, full jitter,
   * {@value #DEFAULT_MAX_ATTEMPTS} attempts per run (one fewer than the retry service's default for an
   * unnamed stage, which allows 5 retries: the ledger only bridges until the retry service decides, and
   * the retry service's RETRY or PARK replaces a dead letter of this policy's — see {@link DecisionRules}).
   */
  public static final RetryPolicy DEFAULT_POLICY = RetryPolicy.builder()
      .exponential(RetryPolicy.DEFAULT_BASE, RetryPolicy.DEFAULT_FACTOR).maxDelay(RetryPolicy.DEFAULT_MAX_DELAY)
      .jitter(Jitter.FULL).maxRetries(DEFAULT_MAX_ATTEMPTS - 1).build();

  private final RetryPolicy policy;
  private final Clock clock;
  private final RandomGenerator random;

  public ProvisionalRetry(RetryPolicy policy, Clock clock, RandomGenerator random) {
    this.policy = policy;
    this.clock = clock;
    this.random = random;
  }

  public record Outcome(TaskState state, Instant runAfter) {
  }

  /**
   * @param attempt     the failed attempt number (1-based, counted over the task's life)
   * @param attemptBase attempts used before the last redrive
   * @param maxAttempts attempts allowed per run
   */
  public Outcome afterFailure(int attempt, int attemptBase, int maxAttempts) {
    Instant now = clock.instant();
    int thisRun = Math.max(1, attempt - attemptBase);
    // the ledger keeps no deadline, so the first attempt's time is not needed
    NextAttempt next = policy.next(RetryContext.afterAttempt(thisRun, null).withMaxAttempts(maxAttempts), now, random);
    if (next instanceof NextAttempt.Scheduled retry) {
      return new Outcome(TaskState.RETRY, retry.at());
    }
    return new Outcome(TaskState.FAILED, now);
  }

  public RetryPolicy policy() {
    return policy;
  }
}
