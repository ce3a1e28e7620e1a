package dev.rebound.retry.domain;

import java.util.List;

/**
 * Whether a failure may be retried at all, before the policy's counts, the circuits and the budgets
 * have their say: what {@link RetryConditions#evaluate} concludes.
 *
 * @param retryable true when a retry can help
 * @param free      true when the retry consumes none of the task's retries (a free category such as
 *                  {@code RATE_LIMIT}); still bound by the policy's deadline
 * @param degraded  true when the analyzer gave no verdict and the built-in fallback decided
 * @param basis     which rule decided
 * @param reasons   sentences for people, in the order they were applied
 */
public record Eligibility(boolean retryable, boolean free, boolean degraded, Basis basis, List<String> reasons) {

  /** Which rule decided. */
  public enum Basis {
    /** A {@code neverRetryOn} criterion matched: it always wins. */
    NEVER_RETRY_ON,
    /** A {@code retryOn} criterion matched. */
    RETRY_ON,
    /** The analyzer's verdict, trusted (its confidence reached the threshold). */
    VERDICT,
    /** The analyzer's confidence was below the threshold: the built-in fallback decided. */
    LOW_CONFIDENCE_FALLBACK,
    /** No verdict at all (degraded mode): the built-in fallback decided. */
    NO_VERDICT_FALLBACK
  }

  public Eligibility {
    reasons = reasons instanceof Reasons r ? r.freeze() : List.copyOf(reasons);
  }

  // every combination without sentences, built once: a decision writes its sentences into its own reasons and
  // needs only the conclusion, which was one more object per decision
  private static final Eligibility[] WITHOUT_REASONS = new Eligibility[Basis.values().length * 8];

  static {
    for (Basis basis : Basis.values()) {
      for (int flags = 0; flags < 8; flags++) {
        WITHOUT_REASONS[basis.ordinal() * 8 + flags] =
            new Eligibility((flags & 4) != 0, (flags & 2) != 0, (flags & 1) != 0, basis, List.of());
      }
    }
  }

  /** The conclusion with no sentences (they went into a decision's own reasons): a shared value. */
  static Eligibility withoutReasons(boolean retryable, boolean free, boolean degraded, Basis basis) {
    return WITHOUT_REASONS[basis.ordinal() * 8 + (retryable ? 4 : 0) + (free ? 2 : 0) + (degraded ? 1 : 0)];
  }
}
