package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.policy.StagePolicies;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The scenarios at the domain level: a fixed clock, a seeded random source, no sleeps. */
class DecisionEngineTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private final MutableInstant clock = new MutableInstant(T0);
  private final List<RetryEvent> events = new ArrayList<>();

  /** A clock the test moves. */
  static final class MutableInstant implements InstantSource {
    private Instant now;

    MutableInstant(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private RetryDecider decider(DecisionRules rules) {
    return new RetryDecider(DecisionEngine.of(rules, clock, new SplittableRandom(42)), events::add);
  }

  private static FailureFacts.Builder timeout(String task, int attempt) {
    return FailureFacts.builder("build").taskId(task).attempt(attempt).firstAttemptAt(T0)
        .verdict("NETWORK", true, 0.9).errorType("java.net.SocketTimeoutException")
        .message("java.net.SocketTimeoutException: Read timed out");
  }

  @Test
  void aReadTimeoutIsRetriedOnItsStagesScheduleWithinEqualJitter() {
    RetryDecider d = decider(DecisionRules.defaults());
    long[] nominal = {30, 60, 120};
    for (int attempt = 1; attempt <= 3; attempt++) {
      RetryDecision r = d.decide(timeout("t-1", attempt).stage(StagePolicies.REPOSITORY).build());

      assertThat(r.action()).isEqualTo(DecisionAction.RETRY);
      assertThat(r.retry()).isEqualTo(attempt);
      assertThat(r.delay()).isBetween(Duration.ofSeconds(nominal[attempt - 1] / 2), Duration.ofSeconds(nominal[attempt - 1]));
      assertThat(r.runAt()).isEqualTo(clock.instant().plus(r.delay()));
      assertThat(r.reasons()).anySatisfy(s -> assertThat(s).contains("transient NETWORK"));
      d.onSuccess(new TaskSuccess("other-" + attempt, 1, StagePolicies.REPOSITORY, null, null, null));
    }
    RetryDecision last = d.decide(timeout("t-1", 4).stage(StagePolicies.REPOSITORY).build());
    assertThat(last.action()).isEqualTo(DecisionAction.DEAD_LETTER);
    assertThat(last.cause()).isEqualTo(RetryDecision.Cause.MAX_RETRIES);
  }

  @Test
  void badCredentialsAreDeadLetteredOnTheFirstAttempt() {
    RetryDecision r = decider(DecisionRules.defaults()).decide(FailureFacts.builder("pull-request").taskId("t-2")
        .verdict("CONFIGURATION", false, 0.95).httpStatus(401).errorType("HttpError")
        .message("HttpError: Bad credentials").build());

    assertThat(r.action()).isEqualTo(DecisionAction.DEAD_LETTER);
    assertThat(r.cause()).isEqualTo(RetryDecision.Cause.PERMANENT);
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.reason()).contains("permanent CONFIGURATION");
  }

  @Test
  void badCredentialsAreDeadLetteredOnTheFirstAttemptEvenWithoutTheAnalyzerAndTheDecisionIsMarkedDegraded() {
    RetryDecision r = decider(DecisionRules.defaults()).decide(FailureFacts.builder("pull-request").taskId("t-2")
        .noVerdict().httpStatus(401).message("HttpError: Bad credentials").build());

    assertThat(r.action()).isEqualTo(DecisionAction.DEAD_LETTER);
    assertThat(r.degraded()).isTrue();
    assertThat(r.reason()).contains("degraded").contains("HTTP status 401");
  }

  @Test
  void theDefaultPolicyRetriesAfterOneTwoFourEightSixteenSecondsWithinJitterThenDeadLetters() {
    RetryDecider d = decider(DecisionRules.defaults());
    for (int attempt = 1; attempt <= 5; attempt++) {
      RetryDecision r = d.decide(timeout("t-3", attempt).build());
      assertThat(r.action()).isEqualTo(DecisionAction.RETRY);
      assertThat(r.delay()).isBetween(Duration.ZERO, Duration.ofSeconds(1L << (attempt - 1)));
      clock.advance(r.delay());
      d.onSuccess(new TaskSuccess("other-" + attempt, 1, "build", null, null, null));
    }
    RetryDecision end = d.decide(timeout("t-3", 6).build());
    assertThat(end.action()).isEqualTo(DecisionAction.DEAD_LETTER);
    assertThat(end.reason()).contains("5 retries are allowed");
  }

  @Test
  void aRetryAfterOfTwoMinutesIsNeverRetriedSoonerAndARateLimitConsumesNoRetry() {
    // the stage's circuit would open after five rate limits in a row: not what this test is about
    RetryDecider d = decider(DecisionRules.builder().circuit(CircuitName.Kind.STAGE,
        CircuitConfig.builder().enabled(false).build()).build());
    for (int attempt = 1; attempt <= 8; attempt++) {
      RetryDecision r = d.decide(FailureFacts.builder("pull-request").taskId("t-4").attempt(attempt).firstAttemptAt(T0)
          .verdict("RATE_LIMIT", true, 0.99).httpStatus(429).retryAfter(Duration.ofSeconds(120))
          .priorFreeRetries(attempt - 1).message("API rate limit exceeded").build());

      assertThat(r.action()).isEqualTo(DecisionAction.RETRY);
      assertThat(r.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(120));
      assertThat(r.free()).isTrue();
      assertThat(r.reason()).contains("not sooner");
    }
  }

  @Test
  void aFreeRetryIsStillBoundByTheDeadline() {
    DecisionRules rules = DecisionRules.builder().policies(StagePolicies.builtIn().with("api",
        RetryPolicy.builder().deadline(Duration.ofMinutes(3)).build())).build();
    clock.advance(Duration.ofMinutes(2));

    RetryDecision r = decider(rules).decide(FailureFacts.builder("api").taskId("t-5").attempt(3).firstAttemptAt(T0)
        .verdict("RATE_LIMIT", true, 0.9).retryAfter(Duration.ofMinutes(2)).priorFreeRetries(2).build());

    assertThat(r.action()).isEqualTo(DecisionAction.DEAD_LETTER);
    assertThat(r.cause()).isEqualTo(RetryDecision.Cause.DEADLINE);
  }

  @Test
  void theTasksOwnMaxAttemptsOverridesItsStages() {
    RetryDecider d = decider(DecisionRules.defaults());

    assertThat(d.decide(timeout("t-6", 1).maxAttempts(2).build()).action()).isEqualTo(DecisionAction.RETRY);
    assertThat(d.decide(timeout("t-6", 2).maxAttempts(2).build()).action()).isEqualTo(DecisionAction.DEAD_LETTER);
  }

  @Test
  void fiveConsecutiveFailuresOpenTheStageCircuitFailuresThenParkAndAfterTheOpenTimeOneProbeSucceedsAndCloses() {
    RetryDecider d = decider(DecisionRules.defaults());
    for (int i = 1; i <= 4; i++) {
      assertThat(d.decide(timeout("t-" + i, 1).stage("tests").build()).action()).isEqualTo(DecisionAction.RETRY);
    }
    RetryDecision fifth = d.decide(timeout("t-5", 1).stage("tests").build());
    assertThat(fifth.action()).isEqualTo(DecisionAction.PARK);
    assertThat(fifth.cause()).isEqualTo(RetryDecision.Cause.CIRCUIT_OPEN);
    assertThat(fifth.blockedBy()).isEqualTo("stage:tests");
    assertThat(events).filteredOn(CircuitTransition.class::isInstance).map(e -> ((CircuitTransition) e).to())
        .containsExactly(CircuitState.OPEN);

    RetryDecision sixth = d.decide(timeout("t-6", 1).stage("tests").build());
    assertThat(sixth.action()).isEqualTo(DecisionAction.PARK);
    assertThat(sixth.reason()).contains("circuit stage:tests is OPEN until " + T0.plusSeconds(30));

    CircuitName tests = CircuitName.stage("tests");
    assertThat(d.tryProbe(tests)).isFalse();
    clock.advance(Duration.ofSeconds(30));
    assertThat(d.refreshCircuits()).singleElement().satisfies(t -> assertThat(t.to()).isEqualTo(CircuitState.HALF_OPEN));
    assertThat(d.tryProbe(tests)).isTrue();
    assertThat(d.tryProbe(tests)).isFalse();

    d.onSuccess(new TaskSuccess("t-5", 2, "tests", null, null, null));
    assertThat(d.circuit(tests).orElseThrow().state()).isEqualTo(CircuitState.CLOSED);
    assertThat(d.decide(timeout("t-7", 1).stage("tests").build()).action()).isEqualTo(DecisionAction.RETRY);
  }

  @Test
  void aFailedProbeReopensTheCircuitAndParksTheProbe() {
    RetryDecider d = decider(DecisionRules.defaults());
    for (int i = 1; i <= 5; i++) {
      d.decide(timeout("t-" + i, 1).stage("tests").build());
    }
    clock.advance(Duration.ofSeconds(30));
    assertThat(d.tryProbe(CircuitName.stage("tests"))).isTrue();

    RetryDecision probe = d.decide(timeout("t-1", 2).stage("tests").build());

    assertThat(probe.action()).isEqualTo(DecisionAction.PARK);
    assertThat(d.circuit(CircuitName.stage("tests")).orElseThrow().state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aTasksOwnPermanentFailuresDoNotOpenItsStageCircuit() {
    RetryDecider d = decider(DecisionRules.defaults());
    for (int i = 1; i <= 10; i++) {
      RetryDecision r = d.decide(FailureFacts.builder("tests").taskId("bad-" + i).verdict("CODE_QUALITY", false, 0.9)
          .build());
      assertThat(r.action()).isEqualTo(DecisionAction.DEAD_LETTER);
    }
    assertThat(d.circuit(CircuitName.stage("tests")).orElseThrow().state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void anOperatorForcedOpenAgentCircuitParksItsFailuresAndAResetReleasesThem() {
    RetryDecider d = decider(DecisionRules.defaults());
    d.operate(CircuitName.agent("scraper"), RetryDecider.Operation.OPEN, "alice", "maintenance");

    RetryDecision r = d.decide(timeout("t-1", 1).agent("scraper").build());
    assertThat(r.action()).isEqualTo(DecisionAction.PARK);
    assertThat(r.blockedBy()).isEqualTo("agent:scraper");

    d.operate(CircuitName.agent("scraper"), RetryDecider.Operation.RESET, "alice", null);
    assertThat(d.decide(timeout("t-2", 1).agent("scraper").build()).action()).isEqualTo(DecisionAction.RETRY);
  }

  @Test
  void aWorkflowOfTenTasksOfWhichSixFailIsAbortedWithAnAnalysis() {
    RetryDecider d = decider(DecisionRules.defaults());
    List<RetryDecision> decisions = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      if (i % 5 == 1 || i % 5 == 3) {
        d.onSuccess(new TaskSuccess("task-" + i, 1, "build", null, "wf-1", null));
      } else {
        decisions.add(d.decide(FailureFacts.builder("build").taskId("task-" + i).workflowId("wf-1")
            .verdict(i % 2 == 0 ? "NETWORK" : "EXTERNAL_DEPENDENCY", true, 0.9)
            .fingerprint(i % 2 == 0 ? "fp-timeout" : "fp-502").build()));
      }
    }

    assertThat(decisions).hasSize(6);
    assertThat(decisions.subList(0, 5)).allSatisfy(r -> assertThat(r.action()).isNotEqualTo(DecisionAction.ABORT_WORKFLOW));
    RetryDecision last = decisions.get(5);
    assertThat(last.action()).isEqualTo(DecisionAction.ABORT_WORKFLOW);
    assertThat(last.cause()).isEqualTo(RetryDecision.Cause.WORKFLOW_FAILING);
    WorkflowAborted aborted = (WorkflowAborted) events.stream().filter(WorkflowAborted.class::isInstance)
        .findFirst().orElseThrow();
    AbortAnalysis a = aborted.analysis();
    assertThat(a.attempts()).isEqualTo(10);
    assertThat(a.failures()).isEqualTo(6);
    assertThat(a.topFingerprints()).containsExactly(new AbortAnalysis.Count("fp-502", 3),
        new AbortAnalysis.Count("fp-timeout", 3));
    assertThat(a.categories()).extracting(AbortAnalysis.Count::count).containsExactly(3, 3);
    assertThat(a.failedTasks()).hasSize(6);
    assertThat(last.reason()).contains("6 of the last 10 attempts failed (60 % > 50 %)");

    RetryDecision later = d.decide(timeout("task-11", 1).workflowId("wf-1").build());
    assertThat(later.action()).isEqualTo(DecisionAction.ABORT_WORKFLOW);
    assertThat(events).filteredOn(WorkflowAborted.class::isInstance).hasSize(1);
  }

  @Test
  void aWorkflowWithThreePermanentFailuresOutOfTenCarriesOn() {
    RetryDecider d = decider(DecisionRules.defaults());
    for (int i = 1; i <= 3; i++) {
      assertThat(d.decide(FailureFacts.builder("build").taskId("task-" + i).workflowId("wf-2")
          .verdict("CONFIGURATION", false, 0.9).build()).action()).isEqualTo(DecisionAction.DEAD_LETTER);
    }
    for (int i = 4; i <= 10; i++) {
      d.onSuccess(new TaskSuccess("task-" + i, 1, "build", null, "wf-2", null));
    }
    assertThat(events).noneMatch(WorkflowAborted.class::isInstance);
  }

  @Test
  void aThousandFailuresAtOnceAreCappedByTheBudgetAndSpreadByJitter() {
    DecisionRules rules = DecisionRules.builder().circuit(CircuitName.Kind.STAGE, CircuitConfig.builder().enabled(false)
        .build()).build();
    RetryDecider d = decider(rules);
    List<RetryDecision> retries = new ArrayList<>();
    int parked = 0;
    for (int i = 0; i < 1000; i++) {
      RetryDecision r = d.decide(timeout("burst-" + i, 1).build());
      if (r.action() == DecisionAction.RETRY) {
        retries.add(r);
      } else {
        assertThat(r.action()).isEqualTo(DecisionAction.PARK);
        assertThat(r.cause()).isEqualTo(RetryDecision.Cause.BUDGET_EXHAUSTED);
        parked++;
      }
    }
    // 10/s × 10 s + 20 % of 1,000 first attempts
    assertThat(retries).hasSize(300);
    assertThat(parked).isEqualTo(700);
    assertThat(events).filteredOn(BudgetExhausted.class::isInstance).hasSize(2); // the stage's and the global one, once each

    int[] windows = new int[10];
    for (RetryDecision r : retries) {
      long ms = Duration.between(T0, r.runAt()).toMillis();
      windows[(int) Math.min(9, ms / 100)]++;
    }
    double mean = retries.size() / 10.0;
    assertThat(Arrays.stream(windows).max().orElseThrow()).as(Arrays.toString(windows)).isLessThanOrEqualTo((int) (2 * mean));
  }

  @Test
  void anExhaustedBudgetCanDeadLetterInsteadOfParkingAndRecoversWhenTheWindowMovesOn() {
    BudgetConfig tight = BudgetConfig.builder().ratio(0).minRetriesPerSecond(0.2).window(Duration.ofSeconds(10))
        .whenExhausted(BudgetConfig.WhenExhausted.DEAD_LETTER).build();
    DecisionRules rules = DecisionRules.builder().stageBudget(tight)
        .circuit(CircuitName.Kind.STAGE, CircuitConfig.builder().enabled(false).build()).build();
    RetryDecider d = decider(rules);

    assertThat(d.decide(timeout("a", 1).build()).action()).isEqualTo(DecisionAction.RETRY);
    assertThat(d.decide(timeout("b", 1).build()).action()).isEqualTo(DecisionAction.RETRY);
    RetryDecision third = d.decide(timeout("c", 1).build());
    assertThat(third.action()).isEqualTo(DecisionAction.DEAD_LETTER);
    assertThat(third.cause()).isEqualTo(RetryDecision.Cause.BUDGET_EXHAUSTED);
    assertThat(third.reason()).contains("retry budget stage:build is spent: 2 retries in the last 10s, 2 allowed");

    clock.advance(Duration.ofSeconds(11));
    assertThat(d.decide(timeout("d", 1).build()).action()).isEqualTo(DecisionAction.RETRY);
    assertThat(events).filteredOn(BudgetRecovered.class::isInstance).hasSize(1);
  }

  @Test
  void aRepeatedTaskAttemptGetsTheSameDecisionAndCountsNothingTwice() {
    RetryDecider d = decider(DecisionRules.defaults());
    FailureFacts f = timeout("t-1", 1).stage("tests").build();
    RetryDecision first = d.decide(f);
    for (int i = 0; i < 10; i++) {
      assertThat(d.decide(f)).isEqualTo(first);
    }
    assertThat(d.circuit(CircuitName.stage("tests")).orElseThrow().consecutiveFailures()).isEqualTo(1);
  }

  @Test
  void theSameFactsAndStateGiveTheSameDecisionOnAnyInstanceWithADeterministicPolicy() {
    DecisionRules rules = DecisionRules.builder().policies(StagePolicies.builtIn().withFallback(
        RetryPolicy.DEFAULT.toBuilder().deterministic(true).build())).build();
    FailureFacts f = timeout("t-9", 3).build();
    Clock fixed = Clock.fixed(T0, ZoneOffset.UTC);

    Decided a = DecisionEngine.of(rules, fixed, new SplittableRandom(1)).decide(f, RetryState.EMPTY);
    Decided b = DecisionEngine.of(rules, fixed, new SplittableRandom(2)).decide(f, RetryState.EMPTY);

    assertThat(a.decision()).isEqualTo(b.decision());
    assertThat(a.state()).isEqualTo(b.state());
  }

  @Test
  void theEngineReturnsOnlyTheStateItChangedForCompareAndSetWrites() {
    DecisionEngine engine = DecisionEngine.of(DecisionRules.defaults(), clock, new SplittableRandom(1));
    FailureFacts f = timeout("t-1", 1).agent("scraper").dependency("github").workflowId("wf").build();

    Decided d = engine.decide(f, RetryState.EMPTY);
    RetryState changed = d.state().changedSince(RetryState.EMPTY);

    assertThat(changed.circuits()).containsOnlyKeys("stage:build", "agent:scraper", "dependency:github");
    assertThat(changed.budgets()).containsOnlyKeys("stage:build", "global");
    assertThat(changed.workflow().recent()).hasSize(1);
    assertThat(d.state().changedSince(d.state()).circuits()).isEmpty();
  }

  @Test
  void stateSurvivesASnapshotAndRestoreSoARestartNeverForgetsAnOpenCircuit() {
    RetryDecider before = decider(DecisionRules.defaults());
    for (int i = 1; i <= 5; i++) {
      before.decide(timeout("t-" + i, 1).stage("tests").build());
    }
    RetryDecider after = decider(DecisionRules.defaults());
    after.restore(before.snapshot());

    assertThat(after.circuit(CircuitName.stage("tests")).orElseThrow().state()).isEqualTo(CircuitState.OPEN);
    assertThat(after.decide(timeout("t-6", 1).stage("tests").build()).action()).isEqualTo(DecisionAction.PARK);
  }

  @Test
  void everyDecisionCarriesReasonsAPersonCanRead() {
    RetryDecider d = decider(DecisionRules.defaults());
    List<RetryDecision> all = List.of(d.decide(timeout("t-1", 1).build()),
        d.decide(FailureFacts.builder("x").taskId("t-2").noVerdict().exitCode(127).build()),
        d.decide(timeout("t-3", 6).build()));

    assertThat(all).allSatisfy(r -> {
      assertThat(r.reasons()).isNotEmpty();
      assertThat(r.reason()).hasSizeLessThanOrEqualTo(RetryDecision.MAX_REASON);
    });
  }

  @Test
  void timeScaleShrinksTheScheduleAndTheRetryAfterHint() {
    DecisionRules rules = DecisionRules.builder().timeScale(0.01).build();
    RetryDecision r = decider(rules).decide(FailureFacts.builder("build").taskId("t").verdict("RATE_LIMIT", true, 0.9)
        .retryAfter(Duration.ofSeconds(120)).build());

    assertThat(r.delay()).isBetween(Duration.ofMillis(1200), Duration.ofMillis(1210));
  }

  @Test
  void aDecisionThatThrowsChangesNothingAndTheSameFailureIsDecidedAfterwards() {
    boolean[] broken = {false};
    SplittableRandom draws = new SplittableRandom(42);
    RandomGenerator random = () -> {
      if (broken[0]) {
        throw new IllegalStateException("no randomness");
      }
      return draws.nextLong();
    };
    RetryDecider d = new RetryDecider(DecisionEngine.of(DecisionRules.defaults(), clock, random), events::add);
    d.decide(timeout("task-1", 1).workflowId("wf-1").build());
    d.onSuccess(new TaskSuccess("task-2", 1, "build", null, "wf-1", null));
    RetryDecider.Snapshot before = d.snapshot();

    // the workflow's window records the failure before the jitter is drawn (a known workflow, a new one)
    clock.advance(Duration.ofSeconds(1));
    FailureFacts f = timeout("task-3", 1).workflowId("wf-1").agent("runner-9").build();
    broken[0] = true;
    assertThatThrownBy(() -> d.decide(f)).hasMessage("no randomness");
    assertThat(d.snapshot()).isEqualTo(before);
    assertThatThrownBy(() -> d.decide(timeout("task-4", 1).workflowId("wf-2").build())).hasMessage("no randomness");
    assertThat(d.snapshot()).isEqualTo(before);

    broken[0] = false;
    assertThat(d.decide(f).action()).isEqualTo(DecisionAction.RETRY);
    assertThat(d.snapshot()).isNotEqualTo(before);
    assertThat(d.snapshot().workflows().get("wf-1").recent()).hasSize(3);
  }
}
