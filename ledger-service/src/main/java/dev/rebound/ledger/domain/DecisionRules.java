package dev.rebound.ledger.domain;

import dev.rebound.common.message.Decision;
import dev.rebound.common.message.TaskState;
import java.time.Instant;

/**
 * What a decision of the retry service does to a task, judged under the task's row lock. A decision
 * is about one failed attempt: one that has not failed yet is refused (recording it would block the
 * real decision later); one whose attempt is no longer current, or that the task's state does not
 * allow, is recorded as not applied with the reason; otherwise it names the operation to apply.
 * "Already decided" is not judged here: the store learns it when recording the decision.
 */
public final class DecisionRules {
  private DecisionRules() {
  }

  /** The locked task, as far as a decision needs it. */
  public record LockedTask(TaskState state, int attempt, String workflowId) {
  }

  public sealed interface Verdict permits Premature, NotApplied, Apply {
  }

  /** Refused and not recorded: the decided attempt has not failed yet. */
  public record Premature(String message, int currentAttempt) implements Verdict {
  }

  /** Recorded as not applied; {@code outcome} says why. */
  public record NotApplied(String outcome) implements Verdict {
  }

  /** Recorded and applied: run {@code step}, with {@code reason} in the task history. */
  public record Apply(Step step, String reason) implements Verdict {
  }

  /** An operation on the task (or its workflow) and how its result reads. */
  public sealed interface Step permits RetryAt, Park, DeadLetter, AbortWorkflow, CancelAlone {
    /** Whether the decision counts as applied when {@code moved} tasks changed. */
    default boolean applied(int moved) {
      return moved > 0;
    }

    default String outcome(int moved) {
      return moved > 0 ? "applied" : "ignored: task moved on";
    }
  }

  public record RetryAt(Instant runAt) implements Step {
  }

  public record Park() implements Step {
  }

  public record DeadLetter() implements Step {
  }

  /** Cancels every unfinished task of the workflow; applied even if none was left to cancel. */
  public record AbortWorkflow(String workflowId) implements Step {
    @Override
    public boolean applied(int moved) {
      return true;
    }

    @Override
    public String outcome(int moved) {
      return "aborted workflow " + workflowId + ": cancelled " + moved + " task(s)";
    }
  }

  /** Aborting the workflow of a task that has none cancels the task alone. */
  public record CancelAlone(TaskState state) implements Step {
    @Override
    public String outcome(int moved) {
      return moved > 0 ? "aborted: the task has no workflow, cancelled it alone" : "ignored: task is " + state;
    }
  }

  public static Verdict judge(LockedTask task, Decision d) {
    int current = task.attempt();
    if (d.attempt() == current && task.state() == TaskState.RUNNING) {
      return new Premature("attempt " + current + " of task " + d.taskId()
          + " is still running: there is nothing to decide yet", current);
    }
    if (d.attempt() > current) {
      return new Premature("attempt " + d.attempt() + " of task " + d.taskId() + " has not happened yet (the task is at attempt "
          + current + ")", current);
    }
    if (d.attempt() != current) {
      return new NotApplied("ignored: stale attempt " + d.attempt() + ", the task is at attempt " + current);
    }
    String reason = d.reason() == null || d.reason().isBlank() ? "decision: " + d.action().name().toLowerCase() : d.reason();
    TaskOperation op;
    Step step;
    switch (d.action()) {
      case RETRY -> {
        op = TaskOperation.RETRY_AT;
        step = new RetryAt(d.runAt());
      }
      case PARK -> {
        op = TaskOperation.PARK;
        step = new Park();
      }
      case DEAD_LETTER -> {
        op = TaskOperation.DEAD_LETTER;
        step = new DeadLetter();
      }
      case ABORT_WORKFLOW -> {
        // the cancel statement's own guard decides which tasks still move
        return new Apply(task.workflowId() == null ? new CancelAlone(task.state()) : new AbortWorkflow(task.workflowId()),
            reason);
      }
      default -> throw new IllegalStateException("unknown action " + d.action());
    }
    if (!op.allowedFrom(task.state())) {
      return new NotApplied("ignored: " + op.refusal(task.state()));
    }
    return new Apply(step, reason);
  }

  /** The answer to a repeat: the first decision for the attempt, and what became of it. */
  public static String alreadyDecided(String action, String outcome) {
    return "already decided (" + action + "): " + outcome;
  }
}
