package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.db.GroupCommit;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.service.Origin;
import dev.rebound.ledger.domain.ProvisionalRetry;
import dev.rebound.ledger.store.DecisionStore;
import dev.rebound.ledger.store.DecisionStore.DecisionRequest;
import dev.rebound.ledger.store.FailureStore;
import dev.rebound.ledger.store.FailureStore.FailureRecorded;
import dev.rebound.ledger.store.FailureStore.FailureReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failures and decisions are written in groups (group commit): each report and each decision keeps
 * its own checks and its own answer, a bad one fails alone, and a repeat (before or within a group,
 * on one ledger instance or two) is recorded once.
 */
class GroupCommitOfFailuresAndDecisionsTest {
  static LedgerHarness h;
  static Pool pool;
  static FailureStore failures;
  static DecisionStore decisions;
  static final Origin WORKER = new Origin("w", null);
  static final Origin RETRY_SERVICE = new Origin("retry-service", null);

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("groups", Map.of("ledger.retry.base", "1h", "ledger.retry.cap", "1h",
        "ledger.retry.jitter", "none"));
    pool = h.db.pool(h.vertx, 4);
    failures = new FailureStore(pool, h.clock(), new ProvisionalRetry(ProvisionalRetry.DEFAULT_POLICY, h.clock(),
        new SplittableRandom(1)), Duration.ofSeconds(30), dev.rebound.ledger.domain.FailureCipher.NONE);
    decisions = new DecisionStore(pool, h.clock());
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
  }

  static List<TaskView> claimed(int n) throws Exception {
    String stage = "g-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < n; i++) {
      await(h.client.enqueue(EnqueueRequest.builder(stage).build()));
    }
    List<TaskView> tasks = await(h.client.claim(ClaimRequest.builder("w").stage(stage).limit(n).build()));
    assertThat(tasks).hasSize(n);
    return tasks;
  }

  static FailureEvent failureOf(TaskView t, String message) {
    return FailureEvent.builder().failureId(UUID.randomUUID()).taskId(t.id()).attempt(t.attempt())
        .leaseToken(t.leaseToken()).source("w").message(message).build();
  }

  static TaskState stateOf(UUID id) throws Exception {
    return await(h.client.get(id)).state();
  }

  static long count(String sql, UUID taskId) throws Exception {
    return await(pool.preparedQuery(sql).execute(Tuple.of(taskId))).iterator().next().getLong(0);
  }

  static ErrorCode codeOf(Outcome<?> o) {
    assertThat(o).isInstanceOf(Outcome.Failed.class);
    return ((ReboundException) ((Outcome.Failed<?>) o).error()).code();
  }

  static <T> T valueOf(Outcome<T> o) {
    assertThat(o).isInstanceOf(Outcome.Ok.class);
    return ((Outcome.Ok<T>) o).value();
  }

  @Test
  void aGroupOfFailuresWithOneRefusedReportRecordsAllTheOthersAndFailsOnlyThatOne() throws Exception {
    List<TaskView> t = claimed(3);
    FailureEvent first = failureOf(t.get(0), "first");
    FailureEvent repeatOfFirst = failureOf(t.get(0), "the same attempt again");
    FailureEvent unknownTask = FailureEvent.builder().failureId(UUID.randomUUID()).taskId(UUID.randomUUID()).attempt(1)
        .message("no such task").build();
    FailureEvent staleLease = failureOf(t.get(1), "not my lease any more").toBuilder().leaseToken(UUID.randomUUID()).build();
    FailureEvent third = failureOf(t.get(2), "third");
    FailureEvent freeStanding = FailureEvent.builder().failureId(UUID.randomUUID()).source("api").message("free").build();

    List<Outcome<FailureRecorded>> out = await(failures.recordFailures(List.of(
        new FailureReport(first, WORKER, false), new FailureReport(unknownTask, WORKER, false),
        new FailureReport(staleLease, WORKER, false), new FailureReport(repeatOfFirst, WORKER, false),
        new FailureReport(third, WORKER, false), new FailureReport(freeStanding, WORKER, false))));

    assertThat(valueOf(out.get(0)).duplicate()).isFalse();
    assertThat(valueOf(out.get(0)).next().state()).isEqualTo(TaskState.RETRY);
    assertThat(codeOf(out.get(1))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(out.get(2))).isEqualTo(ErrorCode.LEASE_LOST);
    // a repeat of an attempt recorded earlier in the same group answers the recorded failure
    assertThat(valueOf(out.get(3)).duplicate()).isTrue();
    assertThat(valueOf(out.get(3)).failureId()).isEqualTo(first.failureId());
    assertThat(valueOf(out.get(4)).changed().transitions()).singleElement()
        .satisfies(tr -> assertThat(tr.to()).isEqualTo(TaskState.RETRY));
    assertThat(valueOf(out.get(5)).duplicate()).isFalse();

    assertThat(stateOf(t.get(0).id())).isEqualTo(TaskState.RETRY);
    assertThat(stateOf(t.get(1).id())).isEqualTo(TaskState.RUNNING);
    assertThat(stateOf(t.get(2).id())).isEqualTo(TaskState.RETRY);
    assertThat(count("SELECT count(*) FROM ledger.failures WHERE task_id = $1", t.get(0).id())).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM ledger.failures WHERE task_id = $1", t.get(1).id())).isZero();
    assertThat(count("SELECT count(*) FROM ledger.history WHERE task_id = $1", t.get(0).id())).isEqualTo(3);
  }

  @Test
  void aFailureThatTheDatabaseRejectsFailsAloneAndItsNeighboursInTheGroupAreRecorded() throws Exception {
    List<TaskView> t = claimed(3);
    // the edge refuses NUL characters; here one gets through to the database, which rejects the statement
    List<FailureReport> reports = List.of(new FailureReport(failureOf(t.get(0), "fine"), WORKER, false),
        new FailureReport(failureOf(t.get(1), "a NUL \u0000 inside"), WORKER, false),
        new FailureReport(failureOf(t.get(2), "fine too"), WORKER, false));
    CompletableFuture<List<Future<FailureRecorded>>> submitted = new CompletableFuture<>();
    h.vertx.getOrCreateContext().runOnContext(v -> {
      // one batch in flight at a time: the second and third wait and go together
      GroupCommit<FailureReport, FailureRecorded> commit = new GroupCommit<>(100, 1, failures::recordFailures,
          GroupCommit::dataError);
      submitted.complete(reports.stream().map(commit::submit).toList());
    });
    List<Future<FailureRecorded>> results = submitted.get(30, TimeUnit.SECONDS);
    for (Future<FailureRecorded> f : results) {
      f.toCompletionStage().toCompletableFuture().handle((ok, err) -> ok).get(30, TimeUnit.SECONDS);
    }
    assertThat(results.get(0).succeeded()).isTrue();
    assertThat(results.get(1).failed()).isTrue();
    assertThat(results.get(2).succeeded()).isTrue();
    assertThat(stateOf(t.get(0).id())).isEqualTo(TaskState.RETRY);
    assertThat(stateOf(t.get(1).id())).isEqualTo(TaskState.RUNNING);
    assertThat(stateOf(t.get(2).id())).isEqualTo(TaskState.RETRY);
    assertThat(count("SELECT count(*) FROM ledger.failures WHERE task_id = $1", t.get(1).id())).isZero();
  }

  @Test
  void aGroupOfDecisionsWithOneRefusedDecisionAppliesAllTheOthersAndFailsOnlyThatOne() throws Exception {
    List<TaskView> t = claimed(3);
    for (TaskView task : t.subList(0, 2)) {
      await(h.client.fail(failureOf(task, "boom")));
    }
    TaskView retried = t.get(0);
    TaskView parked = t.get(1);
    TaskView stillRunning = t.get(2);
    Instant runAt = h.clock().instant().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
    List<Outcome<DecisionStore.Decided>> out = await(decisions.applyDecisions(List.of(
        new DecisionRequest(new Decision(retried.id(), 1, DecisionAction.RETRY, runAt, "transient", "retry-service"),
            RETRY_SERVICE),
        new DecisionRequest(new Decision(UUID.randomUUID(), 1, DecisionAction.RETRY, runAt, "x", "retry-service"),
            RETRY_SERVICE),
        new DecisionRequest(new Decision(stillRunning.id(), 1, DecisionAction.PARK, null, "too early", "retry-service"),
            RETRY_SERVICE),
        new DecisionRequest(new Decision(parked.id(), 1, DecisionAction.PARK, null, "circuit open", "retry-service"),
            RETRY_SERVICE),
        new DecisionRequest(new Decision(retried.id(), 1, DecisionAction.PARK, null, "a second opinion", "retry-service"),
            RETRY_SERVICE),
        new DecisionRequest(new Decision(parked.id(), 0, DecisionAction.RETRY, runAt, "stale", "retry-service"),
            RETRY_SERVICE))));

    assertThat(valueOf(out.get(0)).applied()).isTrue();
    assertThat(codeOf(out.get(1))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(out.get(2))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(valueOf(out.get(3)).applied()).isTrue();
    assertThat(valueOf(out.get(4)).duplicate()).isTrue();
    assertThat(valueOf(out.get(4)).outcome()).isEqualTo("already decided (RETRY): applied");
    assertThat(valueOf(out.get(5)).applied()).isFalse();
    assertThat(valueOf(out.get(5)).outcome()).contains("stale attempt 0");

    TaskView r = await(h.client.get(retried.id()));
    assertThat(r.state()).isEqualTo(TaskState.RETRY);
    assertThat(r.runAfter()).isEqualTo(runAt);
    TaskView p = await(h.client.get(parked.id()));
    assertThat(p.state()).isEqualTo(TaskState.BLOCKED);
    assertThat(p.blockedReason()).isEqualTo("circuit open");
    assertThat(stateOf(stillRunning.id())).isEqualTo(TaskState.RUNNING);
    assertThat(count("SELECT count(*) FROM ledger.decisions WHERE task_id = $1", retried.id())).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM ledger.decisions WHERE task_id = $1", stillRunning.id())).isZero();
    assertThat(count("SELECT count(*) FROM ledger.failures WHERE task_id = $1 AND decision = 'RETRY' AND next_send_at IS NULL",
        retried.id())).isEqualTo(1);
    JsonObject lastHistory = await(h.client.history(parked.id())).getJsonObject(3);
    assertThat(lastHistory.getString("to")).isEqualTo("BLOCKED");
    assertThat(lastHistory.getString("reason")).isEqualTo("circuit open");
    assertThat(lastHistory.getString("actor")).isEqualTo("retry-service");
  }

  @Test
  void concurrentDecisionsOnTheSameTaskAreAppliedOnceAcrossTwoLedgerInstances() throws Exception {
    LedgerHarness.Deployed other = h.deployAnother();
    try {
      TaskView t = claimed(1).get(0);
      await(h.client.fail(failureOf(t, "boom")));
      Instant runAt = h.clock().instant().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
      List<Future<JsonObject>> replies = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Decision d = i % 2 == 0 ? new Decision(t.id(), 1, DecisionAction.RETRY, runAt, "retry " + i, "retry-service")
            : new Decision(t.id(), 1, DecisionAction.PARK, null, "park " + i, "retry-service");
        replies.add(h.client.decide(d));  // the two instances take turns at the address
      }
      await(Future.all(replies));
      long applied = replies.stream().filter(f -> f.result().getBoolean("applied")).count();
      long duplicates = replies.stream().filter(f -> f.result().getBoolean("duplicate")).count();
      assertThat(applied).isEqualTo(1);
      assertThat(duplicates).isEqualTo(39);
      assertThat(count("SELECT count(*) FROM ledger.decisions WHERE task_id = $1", t.id())).isEqualTo(1);
      // enqueued, claimed, failed, decided: one decision moved the task
      assertThat(count("SELECT count(*) FROM ledger.history WHERE task_id = $1", t.id())).isEqualTo(4);
      TaskState after = stateOf(t.id());
      assertThat(after).isIn(TaskState.RETRY, TaskState.BLOCKED);
      String first = replies.stream().filter(f -> f.result().getBoolean("applied")).findFirst().orElseThrow().result()
          .getString("action");
      assertThat(after).isEqualTo(first.equals("RETRY") ? TaskState.RETRY : TaskState.BLOCKED);
    } finally {
      await(h.vertx.undeploy(other.id()));
    }
  }

  @Test
  void concurrentReportsOfTheSameFailedAttemptAreRecordedOnceAndEachIsAnswered() throws Exception {
    List<TaskView> t = claimed(20);
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (TaskView task : t) {
      for (int i = 0; i < 3; i++) {
        replies.add(h.client.fail(failureOf(task, "report " + i)));
      }
    }
    await(Future.all(replies));
    for (int k = 0; k < t.size(); k++) {
      List<JsonObject> ofTask = replies.subList(3 * k, 3 * k + 3).stream().map(Future::result).toList();
      assertThat(ofTask.stream().filter(r -> !r.getBoolean("duplicate")).count()).isEqualTo(1);
      assertThat(ofTask.stream().map(r -> r.getString("failureId")).distinct().count()).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM ledger.failures WHERE task_id = $1", t.get(k).id())).isEqualTo(1);
      assertThat(stateOf(t.get(k).id())).isEqualTo(TaskState.RETRY);
    }
  }
}
