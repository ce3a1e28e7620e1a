package dev.rebound.retry.store;

import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import java.time.Instant;
import java.util.UUID;

/** A decision as {@code retry.decisions} keeps it: one per (task, attempt). */
public record DecisionRow(UUID taskId, int attempt, String stage, DecisionAction action, Instant runAt, Long delayMs,
                          String cause, boolean degraded, boolean free, String blockedBy, String reason, UUID failureId,
                          Instant decidedAt) {

  /** Who the ledger records as having decided. */
  public static final String DECIDED_BY = "retry-service";

  /** What a decision is unique by: one per (task, attempt). */
  public record Key(UUID taskId, int attempt) {
    @Override
    public String toString() {
      return taskId + "#" + attempt;
    }
  }

  public Key key() {
    return new Key(taskId, attempt);
  }

  /** The contract's message for the ledger. */
  public Decision toDecision() {
    return new Decision(taskId, attempt, action, runAt, reason, DECIDED_BY);
  }
}
