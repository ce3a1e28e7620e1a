package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A workflow's window as {@link RetryDecider} keeps it between its restore and its snapshot: the fields of
 * a {@link WorkflowWindow}, changed in place by the {@link WorkflowAbort} rules. Every change increments
 * the version, so the window exported is equal to the one the rules used to build and is built again only
 * after a change.
 */
final class WorkingWorkflow {

  final String workflowId;
  /** Oldest first. */
  final ArrayDeque<WorkflowWindow.Attempt> recent = new ArrayDeque<>();
  Instant abortedAt;
  long version;
  private WorkflowWindow exported;

  private WorkingWorkflow(String workflowId) {
    this.workflowId = workflowId;
  }

  static WorkingWorkflow empty(String workflowId) {
    return of(WorkflowWindow.empty(workflowId));
  }

  static WorkingWorkflow of(WorkflowWindow w) {
    WorkingWorkflow x = new WorkingWorkflow(w.workflowId());
    x.recent.addAll(w.recent());
    x.abortedAt = w.abortedAt();
    x.version = w.version();
    x.exported = w;
    return x;
  }

  long failures() {
    long n = 0;
    for (WorkflowWindow.Attempt a : recent) {
      if (a.failed()) {
        n++;
      }
    }
    return n;
  }

  /** The window as a record: the one imported or last exported while nothing has changed since. */
  WorkflowWindow snapshot() {
    if (exported == null || exported.version() != version) {
      exported = new WorkflowWindow(workflowId, List.copyOf(recent), abortedAt, version);
    }
    return exported;
  }

  List<WorkflowWindow.Attempt> recentList() {
    return new ArrayList<>(recent);
  }
}
