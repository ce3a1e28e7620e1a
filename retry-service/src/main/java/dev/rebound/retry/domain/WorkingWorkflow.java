package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A workflow's window as {@link RetryDecider} keeps it between its restore and its snapshot: the fields of
 * a {@link WorkflowWindow}, changed in place by the {@link WorkflowAbort} rules. Every change increments
 * the version, so the window exported is equal to the one the rules used to build and is built again only
 * after a change. The attempt numbers sit in their own array and the failures are counted as they come and
 * go: every outcome looks for its (task, attempt) and every failure needs the count.
 */
final class WorkingWorkflow {

  final String workflowId;
  private WorkflowWindow.Attempt[] recent = new WorkflowWindow.Attempt[8];
  private int[] attempts = new int[8];
  /** The task ids' hashes (0 for none): a look-up reads no attempt that cannot match. */
  private int[] tasks = new int[8];
  private int head;
  private int size;
  private int failures;
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
    for (WorkflowWindow.Attempt a : w.recent()) {
      x.append(a, Integer.MAX_VALUE);
    }
    x.abortedAt = w.abortedAt();
    x.version = w.version();
    x.exported = w;
    return x;
  }

  int size() {
    return size;
  }

  int failures() {
    return failures;
  }

  /** Whether the window holds this (task, attempt). */
  boolean holds(String taskId, int attempt) {
    int hash = taskId.hashCode();
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      if (attempts[s] == attempt && tasks[s] == hash && taskId.equals(recent[s].taskId())) {
        return true;
      }
    }
    return false;
  }

  /** Appends after the newest, dropping the oldest beyond {@code max}. */
  void append(WorkflowWindow.Attempt a, int max) {
    while (size > 0 && size >= max) {
      if (recent[head].failed()) {
        failures--;
      }
      recent[head] = null;
      head = slot(1);
      size--;
    }
    if (size == recent.length) {
      WorkflowWindow.Attempt[] r = new WorkflowWindow.Attempt[size * 2];
      int[] n = new int[size * 2];
      int[] h = new int[size * 2];
      for (int i = 0; i < size; i++) {
        r[i] = recent[slot(i)];
        n[i] = attempts[slot(i)];
        h[i] = tasks[slot(i)];
      }
      recent = r;
      attempts = n;
      tasks = h;
      head = 0;
    }
    int s = slot(size++);
    recent[s] = a;
    attempts[s] = a.attempt();
    tasks[s] = a.taskId() == null ? 0 : a.taskId().hashCode();
    if (a.failed()) {
      failures++;
    }
  }

  private int slot(int index) {
    return (head + index) & (recent.length - 1);
  }

  /** The window as a record: the one imported or last exported while nothing has changed since. */
  WorkflowWindow snapshot() {
    if (exported == null || exported.version() != version) {
      exported = new WorkflowWindow(workflowId, recentList(), abortedAt, version);
    }
    return exported;
  }

  /** The attempts, oldest first. */
  List<WorkflowWindow.Attempt> recentList() {
    List<WorkflowWindow.Attempt> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(recent[slot(i)]);
    }
    return out;
  }
}
