package dev.rebound.retry.domain;

import dev.rebound.common.classification.DecisionAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the rules decided about one failed attempt. {@link #action()} maps one-to-one onto the wire
 * the contract's {@link DecisionAction}; {@link #reason()} is the wire's reason.
 *
 * @param runAt     RETRY only: when the next attempt is due
 * @param delay     RETRY only: the delay chosen (capped, jittered, raised to a retry-after hint)
 * @param retry     RETRY only: the retry number within the run's counted retries (free retries excluded)
 * @param cause     why, as a value a metric or a test can use
 * @param free      the retry consumes none of the task's retries (a free category)
 * @param degraded  decided without the analyzer's verdict (built-in fallback)
 * @param blockedBy PARK only: the circuit ({@code stage:tests}) or budget ({@code global}) that held it
 * @param reasons   sentences for people, in the order the rules were applied
 */
public record RetryDecision(String taskId, int attempt, DecisionAction action, Instant runAt, Duration delay, int retry,
    Cause cause, boolean free, boolean degraded, String blockedBy, List<String> reasons, Instant decidedAt) {

  /** The wire's actions, by the same names. PARK is the ledger's BLOCKED. */

  /** Why: one value per rule that can decide. */
  public enum Cause {
    /** RETRY: retryable and allowed by the policy, the circuits and the budgets. */
    RETRYABLE,
    /** PARK: a circuit of the stage, agent or dependency holds work. */
    CIRCUIT_OPEN,
    /** PARK or DEAD_LETTER (as configured): the retry budget is spent. */
    BUDGET_EXHAUSTED,
    /** DEAD_LETTER: the failure is permanent (analyzer's verdict or the built-in fallback). */
    PERMANENT,
    /** DEAD_LETTER: the stage's never-retry list matched. */
    NON_RETRYABLE,
    /** DEAD_LETTER: every allowed retry was used. */
    MAX_RETRIES,
    /** DEAD_LETTER: the next attempt would start after the policy's deadline. */
    DEADLINE,
    /** ABORT_WORKFLOW: too many of the workflow's recent attempts failed. */
    WORKFLOW_FAILING
  }

  /** The wire's reason is at most this long. */
  public static final int MAX_REASON = 2000;

  public RetryDecision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(cause, "cause");
    // the rules' own list is written out lazily (see Reasons); any other is copied as before
    reasons = reasons instanceof Reasons r ? r.freeze() : List.copyOf(reasons);
    if (action == DecisionAction.RETRY && (runAt == null || delay == null)) {
      throw new IllegalArgumentException("a RETRY decision needs runAt and delay");
    }
  }

  /** The reasons as one text, at most {@value #MAX_REASON} characters. */
  public String reason() {
    String s = String.join("; ", reasons);
    return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON - 1) + "…";
  }
}
