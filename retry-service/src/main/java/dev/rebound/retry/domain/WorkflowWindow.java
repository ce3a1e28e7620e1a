package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A workflow's recent attempts as a plain record: kept in shared data under the workflow id until the
 * workflow ends. Once {@link #abortedAt()} is set every later failure of the workflow gets ABORT_WORKFLOW.
 *
 * @param recent oldest first, at most the policy's window
 */
public record WorkflowWindow(String workflowId, List<Attempt> recent, Instant abortedAt, long version) {

  /** One attempt's outcome; {@code fingerprint} and {@code category} are null for successes. */
  public record Attempt(String taskId, int attempt, boolean failed, String stage, String fingerprint,
      String category, Instant at) {
  }

  public WorkflowWindow {
    Objects.requireNonNull(workflowId, "workflowId");
    recent = List.copyOf(recent);
  }

  public static WorkflowWindow empty(String workflowId) {
    return new WorkflowWindow(workflowId, List.of(), null, 0);
  }

  public boolean aborted() {
    return abortedAt != null;
  }

  public long failures() {
    long n = 0;
    for (int i = 0; i < recent.size(); i++) {
      if (recent.get(i).failed) {
        n++;
      }
    }
    return n;
  }
}
