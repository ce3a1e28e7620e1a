package dev.rebound.ledger.domain;

import dev.rebound.common.message.TaskState;
import java.time.Clock;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * What the ledger does with a failed attempt before (or without) the retry service: retry after the
 * policy's backoff, or dead-letter when the run's attempt budget is spent.
 */
public final class ProvisionalRetry {
  private final BackoffPolicy policy;
  private final Clock clock;
  private final RandomGenerator random;

  public ProvisionalRetry(BackoffPolicy policy, Clock clock, RandomGenerator random) {
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
    int thisRun = attempt - attemptBase;
    if (BackoffPolicy.exhausted(thisRun, maxAttempts)) {
      return new Outcome(TaskState.FAILED, now);
    }
    return new Outcome(TaskState.RETRY, now.plus(policy.delayAfter(thisRun, random)));
  }

  public BackoffPolicy policy() {
    return policy;
  }
}
