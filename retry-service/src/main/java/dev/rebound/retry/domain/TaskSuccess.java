package dev.rebound.retry.domain;

import java.util.Objects;

/**
 * A task's attempt succeeded (from the ledger's task events): closes half-open circuits, resets
 * consecutive failures and counts towards the workflow's window.
 */
public record TaskSuccess(String taskId, int attempt, String stage, String agent, String workflowId,
    String dependency) {
  public TaskSuccess {
    Objects.requireNonNull(stage, "stage");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
  }
}
