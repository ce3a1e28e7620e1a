package dev.rebound.ledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.message.Decision;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.TaskState;
import dev.rebound.ledger.domain.DecisionRules.AbortWorkflow;
import dev.rebound.ledger.domain.DecisionRules.Apply;
import dev.rebound.ledger.domain.DecisionRules.CancelAlone;
import dev.rebound.ledger.domain.DecisionRules.DeadLetter;
import dev.rebound.ledger.domain.DecisionRules.LockedTask;
import dev.rebound.ledger.domain.DecisionRules.NotApplied;
import dev.rebound.ledger.domain.DecisionRules.Park;
import dev.rebound.ledger.domain.DecisionRules.Premature;
import dev.rebound.ledger.domain.DecisionRules.ReplaceDeadLetter;
import dev.rebound.ledger.domain.DecisionRules.RetryAt;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a decision of the retry service does to the task it is about. */
class DecisionRulesTest {
  private static final UUID TASK = UUID.fromString("00000000-0000-0000-0000-000000000002");
  private static final Instant RUN_AT = Instant.parse("2026-03-01T12:05:00Z");

  private static Decision decision(int attempt, DecisionAction action) {
    return new Decision(TASK, attempt, action, action == DecisionAction.RETRY ? RUN_AT : null, null, "retry-service");
  }

  private static LockedTask task(TaskState state, int attempt) {
    return new LockedTask(state, attempt, "wf-1");
  }

  @Test
  void aDecisionForTheAttemptStillRunningIsRefusedAsPremature() {
    assertThat(DecisionRules.judge(task(TaskState.RUNNING, 2), decision(2, DecisionAction.RETRY)))
        .isInstanceOfSatisfying(Premature.class, p -> {
          assertThat(p.currentAttempt()).isEqualTo(2);
          assertThat(p.message()).contains("still running");
        });
  }

  @Test
  void aDecisionForAnAttemptThatHasNotHappenedYetIsRefusedAsPremature() {
    assertThat(DecisionRules.judge(task(TaskState.RETRY, 2), decision(3, DecisionAction.DEAD_LETTER)))
        .isInstanceOfSatisfying(Premature.class, p -> assertThat(p.message()).contains("has not happened yet"));
  }

  @Test
  void aDecisionForAnOldAttemptIsRecordedAsStaleAndNotApplied() {
    assertThat(DecisionRules.judge(task(TaskState.RUNNING, 3), decision(2, DecisionAction.RETRY)))
        .isEqualTo(new NotApplied("ignored: stale attempt 2, the task is at attempt 3"));
  }

  @Test
  void aRetryDecisionForTheFailedAttemptRetriesAtTheGivenTime() {
    assertThat(DecisionRules.judge(task(TaskState.RETRY, 2), decision(2, DecisionAction.RETRY)))
        .isEqualTo(new Apply(new RetryAt(RUN_AT), "decision: retry"));
  }

  @Test
  void aParkedTaskCanStillBeRetried() {
    assertThat(DecisionRules.judge(task(TaskState.BLOCKED, 2), decision(2, DecisionAction.RETRY)))
        .isEqualTo(new Apply(new RetryAt(RUN_AT), "decision: retry"));
  }

  @Test
  void aParkDecisionBlocksATaskWaitingToRetry() {
    assertThat(DecisionRules.judge(task(TaskState.RETRY, 1), decision(1, DecisionAction.PARK)))
        .isEqualTo(new Apply(new Park(), "decision: park"));
  }

  @Test
  void aDeadLetterDecisionFailsTheTaskForGood() {
    assertThat(DecisionRules.judge(task(TaskState.RETRY, 1), decision(1, DecisionAction.DEAD_LETTER)))
        .isEqualTo(new Apply(new DeadLetter(), "decision: dead_letter"));
  }

  @Test
  void theDecisionsOwnReasonGoesIntoTheHistory() {
    Decision d = new Decision(TASK, 1, DecisionAction.PARK, null, "circuit open", "retry-service");
    assertThat(DecisionRules.judge(task(TaskState.RETRY, 1), d)).isEqualTo(new Apply(new Park(), "circuit open"));
  }

  @Test
  void aDecisionTheTasksStateDoesNotAllowIsRecordedAsNotApplied() {
    assertThat(DecisionRules.judge(task(TaskState.DONE, 1), decision(1, DecisionAction.RETRY)))
        .isInstanceOfSatisfying(NotApplied.class, n -> assertThat(n.outcome()).startsWith("ignored: cannot retry at")
            .contains("DONE"));
    assertThat(DecisionRules.judge(task(TaskState.BLOCKED, 1), decision(1, DecisionAction.PARK)))
        .isInstanceOf(NotApplied.class);
    assertThat(DecisionRules.judge(task(TaskState.FAILED, 1), decision(1, DecisionAction.DEAD_LETTER)))
        .isInstanceOf(NotApplied.class);
  }

  @Test
  void abortingAbortsTheTasksWholeWorkflow() {
    assertThat(DecisionRules.judge(task(TaskState.RETRY, 1), decision(1, DecisionAction.ABORT_WORKFLOW)))
        .isEqualTo(new Apply(new AbortWorkflow("wf-1"), "decision: abort_workflow"));
  }

  @Test
  void abortingATaskWithoutAWorkflowCancelsItAlone() {
    LockedTask alone = new LockedTask(TaskState.RETRY, 1, null);
    assertThat(DecisionRules.judge(alone, decision(1, DecisionAction.ABORT_WORKFLOW)))
        .isEqualTo(new Apply(new CancelAlone(TaskState.RETRY), "decision: abort_workflow"));
  }

  @Test
  void anAppliedOperationThatMovedTheTaskSaysApplied() {
    assertThat(new Park().applied(1)).isTrue();
    assertThat(new Park().outcome(1)).isEqualTo("applied");
  }

  @Test
  void anOperationThatMovedNothingIsNotAppliedBecauseTheTaskMovedOn() {
    assertThat(new RetryAt(RUN_AT).applied(0)).isFalse();
    assertThat(new RetryAt(RUN_AT).outcome(0)).isEqualTo("ignored: task moved on");
  }

  @Test
  void anAbortedWorkflowCountsAsAppliedEvenWhenNothingWasLeftToCancel() {
    assertThat(new AbortWorkflow("wf-1").applied(0)).isTrue();
    assertThat(new AbortWorkflow("wf-1").outcome(3)).isEqualTo("aborted workflow wf-1: cancelled 3 task(s)");
  }

  @Test
  void cancellingATaskAloneSaysWhetherItWasStillCancellable() {
    assertThat(new CancelAlone(TaskState.RETRY).outcome(1)).isEqualTo("aborted: the task has no workflow, cancelled it alone");
    assertThat(new CancelAlone(TaskState.DONE).applied(0)).isFalse();
    assertThat(new CancelAlone(TaskState.DONE).outcome(0)).isEqualTo("ignored: task is DONE");
  }

  @Test
  void aRepeatSaysHowTheAttemptWasDecidedFirst() {
    assertThat(DecisionRules.alreadyDecided("PARK", "applied")).isEqualTo("already decided (PARK): applied");
  }

  private static LockedTask provisionallyDeadLettered(int attempt, boolean ownBudget) {
    return new LockedTask(TaskState.FAILED, attempt, "wf-1", true, ownBudget);
  }

  @Test
  void aRetryForTheAttemptTheProvisionalRuleDeadLetteredTakesTheTaskOutOfTheDeadLetterQueue() {
    assertThat(DecisionRules.judge(provisionallyDeadLettered(5, false), decision(5, DecisionAction.RETRY)))
        .isEqualTo(new Apply(new ReplaceDeadLetter(TaskState.RETRY, RUN_AT),
            "the retry service's decision replaced the provisional dead letter: decision: retry"));
  }

  @Test
  void aParkForTheAttemptTheProvisionalRuleDeadLetteredParksTheTaskInstead() {
    Decision park = new Decision(TASK, 5, DecisionAction.PARK, null, "circuit open", "retry-service");
    assertThat(DecisionRules.judge(provisionallyDeadLettered(5, false), park))
        .isEqualTo(new Apply(new ReplaceDeadLetter(TaskState.BLOCKED, null),
            "the retry service's decision replaced the provisional dead letter: circuit open"));
  }

  @Test
  void aTaskThatSetItsOwnMaxAttemptsKeepsTheDeadLetterItsBudgetCalledFor() {
    assertThat(DecisionRules.judge(provisionallyDeadLettered(3, true), decision(3, DecisionAction.RETRY)))
        .isInstanceOfSatisfying(NotApplied.class, n -> assertThat(n.outcome()).contains("own attempt budget"));
  }

  @Test
  void aDeadLetterDecisionConfirmsTheProvisionalDeadLetter() {
    assertThat(DecisionRules.judge(provisionallyDeadLettered(5, false), decision(5, DecisionAction.DEAD_LETTER)))
        .isEqualTo(new NotApplied("confirmed: the provisional dead letter stands"));
  }

  @Test
  void aDeadLetterSomethingTouchedSinceOrOfAnEarlierAttemptStays() {
    assertThat(DecisionRules.judge(task(TaskState.FAILED, 5), decision(5, DecisionAction.RETRY)))
        .isInstanceOf(NotApplied.class);
    assertThat(DecisionRules.judge(provisionallyDeadLettered(5, false), decision(4, DecisionAction.RETRY)))
        .isEqualTo(new NotApplied("ignored: stale attempt 4, the task is at attempt 5"));
  }

  @Test
  void anAbortForAProvisionalDeadLetterStillCancelsTheRestOfTheWorkflow() {
    assertThat(DecisionRules.judge(provisionallyDeadLettered(5, false), decision(5, DecisionAction.ABORT_WORKFLOW)))
        .isEqualTo(new Apply(new AbortWorkflow("wf-1"), "decision: abort_workflow"));
  }
}
