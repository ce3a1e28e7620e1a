package dev.rebound.ledger.domain;

import dev.rebound.common.message.TaskState;
import java.util.EnumSet;
import java.util.Set;

/**
 * The task state machine: each operation names the states it may start from and the state it leads
 * to. The store turns each into one conditional UPDATE guarded by {@link #from()}; anything else is
 * an illegal transition.
 */
public enum TaskOperation {
  CLAIM(EnumSet.of(TaskState.QUEUED, TaskState.RETRY), TaskState.RUNNING),
  COMPLETE(EnumSet.of(TaskState.RUNNING), TaskState.DONE),
  /**
   * A claim nobody received (the requester was gone before the reply): the lease is handed back and
   * the attempt undone, so an abandoned long poll burns no attempt.
   */
  RELEASE_ABANDONED(EnumSet.of(TaskState.RUNNING), TaskState.QUEUED),
  /** A failed attempt; the provisional policy picks RETRY or, when the budget is spent, FAILED. */
  FAIL(EnumSet.of(TaskState.RUNNING), null),
  CANCEL(EnumSet.of(TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRY, TaskState.BLOCKED), TaskState.CANCELLED),
  BLOCK(EnumSet.of(TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRY), TaskState.BLOCKED),
  UNBLOCK(EnumSet.of(TaskState.BLOCKED), TaskState.QUEUED),
  /** Decisions act on the failed attempt: the task waits in RETRY (or BLOCKED after a park). */
  RETRY_AT(EnumSet.of(TaskState.RETRY, TaskState.BLOCKED), TaskState.RETRY),
  PARK(EnumSet.of(TaskState.RETRY), TaskState.BLOCKED),
  DEAD_LETTER(EnumSet.of(TaskState.RETRY, TaskState.BLOCKED), TaskState.FAILED),
  REDRIVE(EnumSet.of(TaskState.FAILED), TaskState.QUEUED),
  /**
   * The retry service's RETRY (to RETRY) or PARK (to BLOCKED) replaces the ledger's provisional dead
   * letter of the same attempt, when nothing touched the task since (see {@code DecisionRules}).
   */
  REPLACE_DEAD_LETTER(EnumSet.of(TaskState.FAILED), null),
  /** A person forces a retry now (a FAILED task is redriven instead). */
  MANUAL_RETRY(EnumSet.of(TaskState.RETRY, TaskState.BLOCKED), TaskState.QUEUED),
  /** A person parks a task: block by another name. */
  MANUAL_PARK(EnumSet.of(TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRY), TaskState.BLOCKED),
  /** A person resumes a parked task: unblock by another name. */
  MANUAL_RESUME(EnumSet.of(TaskState.BLOCKED), TaskState.QUEUED),
  /** The stage's circuit half-opened: its oldest parked task becomes the probe. */
  RELEASE_PROBE(EnumSet.of(TaskState.BLOCKED), TaskState.QUEUED),
  /** The stage resumed: its parked tasks are released a few at a time. */
  UNPARK(EnumSet.of(TaskState.BLOCKED), TaskState.QUEUED);

  private final Set<TaskState> from;
  private final TaskState to;

  TaskOperation(Set<TaskState> from, TaskState to) {
    this.from = from;
    this.to = to;
  }

  public Set<TaskState> from() {
    return from;
  }

  /** The target state; null for FAIL (the attempt budget decides) and REPLACE_DEAD_LETTER (the decision does). */
  public TaskState to() {
    return to;
  }

  public boolean allowedFrom(TaskState state) {
    return from.contains(state);
  }

  /** The guard of this operation's SQL, e.g. {@code state IN ('QUEUED','RETRY')}: the one source of truth. */
  public String sqlGuard() {
    StringBuilder sb = new StringBuilder("state IN (");
    for (TaskState s : from) {
      if (sb.charAt(sb.length() - 1) != '(') {
        sb.append(',');
      }
      sb.append('\'').append(s.name()).append('\'');
    }
    return sb.append(')').toString();
  }

  public String refusal(TaskState current) {
    return "cannot " + name().toLowerCase().replace('_', ' ') + " a task in state " + current
        + " (allowed from " + from + ")";
  }
}
