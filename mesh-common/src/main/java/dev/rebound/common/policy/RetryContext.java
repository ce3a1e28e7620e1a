package dev.rebound.common.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What a policy needs to know about a failed attempt to decide when (and whether) the next one runs.
 * Start with {@link #afterAttempt(int, Instant)} and add what is known:
 *
 * <pre>{@code
 * RetryContext.afterAttempt(3, firstAttemptAt).withTaskId(taskId).withRetryAfter(Duration.ofSeconds(120))
 * }</pre>
 *
 * @param attempt        the attempt that failed, 1-based; the next one is retry number {@code attempt}
 * @param firstAttemptAt when the first attempt started: the policy's deadline counts from here
 *                       (required only by a policy with a deadline)
 * @param taskId         seeds deterministic jitter together with the attempt (required only then)
 * @param previousDelay  the delay actually waited before this attempt: decorrelated jitter's chain
 *                       (when absent: replayed in deterministic mode, else the previous nominal delay)
 * @param retryAfter     a hint (HTTP {@code Retry-After}, a rate limit's reset): the delay is raised to
 *                       at least this, beyond the cap, but still bounded by the deadline
 * @param maxAttempts    the task's own attempt budget, overriding the policy's {@code maxRetries + 1};
 *                       0 when the task has none
 */
public record RetryContext(int attempt, Instant firstAttemptAt, String taskId, Duration previousDelay,
    Duration retryAfter, int maxAttempts) {

  public RetryContext {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must not be negative, was " + maxAttempts);
    }
    if (previousDelay != null && previousDelay.isNegative()) {
      throw new IllegalArgumentException("previousDelay must not be negative, was " + previousDelay);
    }
  }

  public static RetryContext afterAttempt(int attempt, Instant firstAttemptAt) {
    return new RetryContext(attempt, firstAttemptAt, null, null, null, 0);
  }

  public RetryContext withTaskId(String id) {
    return new RetryContext(attempt, firstAttemptAt, Objects.requireNonNull(id, "taskId"), previousDelay,
        retryAfter, maxAttempts);
  }

  public RetryContext withTaskId(UUID id) {
    return withTaskId(id.toString());
  }

  public RetryContext withPreviousDelay(Duration delay) {
    return new RetryContext(attempt, firstAttemptAt, taskId, delay, retryAfter, maxAttempts);
  }

  /** A negative or zero hint is no hint. */
  public RetryContext withRetryAfter(Duration hint) {
    Duration h = hint == null || hint.isNegative() || hint.isZero() ? null : hint;
    return new RetryContext(attempt, firstAttemptAt, taskId, previousDelay, h, maxAttempts);
  }

  public RetryContext withMaxAttempts(int attempts) {
    return new RetryContext(attempt, firstAttemptAt, taskId, previousDelay, retryAfter, attempts);
  }
}
