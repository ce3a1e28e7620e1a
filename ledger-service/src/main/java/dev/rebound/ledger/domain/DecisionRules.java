package dev.rebound.ledger.domain;

import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.TaskState;
import java.time.Instant;

/**
 * What a decision of the retry service does to a task, judged under the task's row lock. A decision
 * is about one failed attempt: one that has not failed yet is refused (recording it would block the
 * real decision later); one whose attempt is no longer current, or that the task's state does not
 * allow, is recorded as not applied with the reason; otherwise it names the operation to apply.
 * "Already decided" is not judged here: the store learns it when recording the decision.
 *
 * <p>The retry service's decision is final: a RETRY or PARK for exactly the attempt that the ledger's
 * provisional rule dead-lettered, when nothing touched the task since, takes the task out of the
 * dead-letter queue. Not when the task set its own {@code maxAttempts}: that budget is the task's
 * word, and the provisional rule applied exactly it.
 */
public final class DecisionRules {
  private DecisionRules() {
  }

  /**
   * The locked task, as far as a decision needs it.
   *
   * @param provisionalDeadLetter FAILED by the ledger's provisional rule, and untouched since
   * @param ownBudget             the task was enqueued with its own {@code maxAttempts}
   */
  public record LockedTask(TaskState state, int attempt, String workflowId, boolean provisionalDeadLetter,
                           boolean ownBudget) {
    /** A task that is not a provisional dead letter. */
    public LockedTask(TaskState state, int attempt, String workflowId) {
      this(state, attempt, workflowId, false, false);
    }
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
  public sealed interface Step permits RetryAt, Park, DeadLetter, ReplaceDeadLetter, AbortWorkflow, CancelAlone {
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

  /**
   * The retry service's RETRY ({@code to} RETRY at {@code runAt}) or PARK ({@code to} BLOCKED) replaces
   * the ledger's provisional dead letter of the same attempt.
   */
  public record ReplaceDeadLetter(TaskState to, Instant runAt) implements Step {
    @Override
    public String outcome(int moved) {
      return moved > 0 ? "applied: replaced the provisional dead letter" : "ignored: task moved on";
    }
  }

  /** The history reason of a decision that took a task out of the dead-letter queue. */
  static final String REPLACED = "the retry service's decision replaced the provisional dead letter: ";

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
    if (task.state() == TaskState.FAILED && task.provisionalDeadLetter() && d.action() != DecisionAction.ABORT_WORKFLOW) {
      return afterProvisionalDeadLetter(task, d, reason);
    }
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

  /**
   * A RETRY, PARK or DEAD_LETTER for the attempt that the ledger's provisional rule dead-lettered
   * (nothing touched the task since). An abort is judged as always: it cancels the rest of the workflow.
   */
  private static Verdict afterProvisionalDeadLetter(LockedTask task, Decision d, String reason) {
    if (d.action() == DecisionAction.DEAD_LETTER) {
      return new NotApplied("confirmed: the provisional dead letter stands");
    }
    if (task.ownBudget()) {
      return new NotApplied("ignored: the task's own attempt budget (maxAttempts) is spent, its dead letter stands");
    }
    TaskState to = d.action() == DecisionAction.RETRY ? TaskState.RETRY : TaskState.BLOCKED;
    return new Apply(new ReplaceDeadLetter(to, d.runAt()), REPLACED + reason);
  }

  /** The answer to a repeat: the first decision for the attempt, and what became of it. */
  public static String alreadyDecided(String action, String outcome) {
    return "already decided (" + action + "): " + outcome;
  }
}
