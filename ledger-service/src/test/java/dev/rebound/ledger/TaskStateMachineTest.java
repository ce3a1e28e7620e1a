package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatRequest;
import dev.rebound.common.request.PersonActionRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every legal transition works and records history; every illegal one is refused with the current state named. */
class TaskStateMachineTest {
  static LedgerHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("statemachine", Map.of("ledger.retry.base", "1h", "ledger.retry.cap", "2h",
        "ledger.retry.jitter", "none", "ledger.retry.max-attempts", "2"));
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static String stage() {
    return "sm-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static TaskView enqueue(String stage) throws Exception {
    JsonObject reply = await(h.client.enqueue(EnqueueRequest.builder(stage).workflowId("wf-" + stage).build()));
    return TaskView.fromJson(reply.getJsonObject("task"));
  }

  static TaskView claimOne(String stage) throws Exception {
    List<TaskView> tasks = await(h.client.claim(ClaimRequest.builder("w1").stage(stage).build()));
    assertThat(tasks).hasSize(1);
    return tasks.get(0);
  }

  static void assertRefused(ErrorCode code, String mentions, ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call).rootCause().isInstanceOf(ReboundException.class)
        .satisfies(t -> assertThat(((ReboundException) t).code()).isEqualTo(code))
        .hasMessageContaining(mentions);
  }

  static FailureEvent failure(TaskView t, String message) {
    return FailureEvent.builder()
        .taskId(t.id())
        .attempt(t.attempt())
        .leaseToken(t.leaseToken())
        .source("test")
        .message(message)
        .build();
  }

  @Test
  void aTaskGoesQueuedRunningDoneAndItsHistoryTellsTheStory() throws Exception {
    String stage = stage();
    TaskView t = enqueue(stage);
    assertThat(t.state()).isEqualTo(TaskState.QUEUED);
    TaskView c = claimOne(stage);
    assertThat(c.state()).isEqualTo(TaskState.RUNNING);
    assertThat(c.attempt()).isEqualTo(1);
    assertThat(c.leaseToken()).isNotNull();
    await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), new JsonObject().put("ok", true))));
    TaskView done = await(h.client.get(t.id()));
    assertThat(done.state()).isEqualTo(TaskState.DONE);
    assertThat(done.result()).isEqualTo(new JsonObject().put("ok", true));
    JsonArray history = await(h.client.history(t.id()));
    assertThat(history.stream().map(o -> ((JsonObject) o).getString("to")).toList())
        .containsExactly("QUEUED", "RUNNING", "DONE");
    assertThat(history.getJsonObject(2).getString("from")).isEqualTo("RUNNING");
  }

  @Test
  void aFailedAttemptIsRetriedProvisionallyAndTheLastOneIsDeadLettered() throws Exception {
    String stage = stage();
    TaskView t = enqueue(stage);
    TaskView c = claimOne(stage);
    JsonObject r = await(h.client.fail(failure(c, "connection reset by peer")));
    assertThat(r.getJsonObject("provisional").getString("state")).isEqualTo("RETRY");
    TaskView retry = await(h.client.get(t.id()));
    assertThat(retry.state()).isEqualTo(TaskState.RETRY);
    assertThat(retry.runAfter()).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
    assertThat(retry.lastError()).isEqualTo("connection reset by peer");
    // not due yet: nothing to claim
    assertThat(await(h.client.claim(ClaimRequest.builder("w").stage(stage).build()))).isEmpty();
    h.clock().advance(Duration.ofHours(2));
    TaskView second = claimOne(stage);
    assertThat(second.attempt()).isEqualTo(2);
    JsonObject r2 = await(h.client.fail(failure(second, "connection reset again")));
    assertThat(r2.getJsonObject("provisional").getString("state")).isEqualTo("FAILED");
    assertThat(await(h.client.get(t.id())).state()).isEqualTo(TaskState.FAILED);
  }

  @Test
  void blockUnblockAndCancelFollowTheStateMachine() throws Exception {
    String stage = stage();
    TaskView t = enqueue(stage);
    await(h.client.block(PersonActionRequest.of(t.id(), "waiting for a human")));
    TaskView blocked = await(h.client.get(t.id()));
    assertThat(blocked.state()).isEqualTo(TaskState.BLOCKED);
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "BLOCKED", () -> await(h.client.block(PersonActionRequest.of(t.id(), "again"))));
    assertThat(await(h.client.claim(ClaimRequest.builder("w").stage(stage).build()))).isEmpty();
    await(h.client.unblock(PersonActionRequest.of(t.id(), "human said go")));
    assertThat(await(h.client.get(t.id())).state()).isEqualTo(TaskState.QUEUED);
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "QUEUED", () -> await(h.client.unblock(PersonActionRequest.of(t.id(), "twice"))));
    await(h.client.cancel(PersonActionRequest.of(t.id(), "not needed")));
    assertThat(await(h.client.get(t.id())).state()).isEqualTo(TaskState.CANCELLED);
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "CANCELLED", () -> await(h.client.cancel(PersonActionRequest.of(t.id(), "twice"))));
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "CANCELLED", () -> await(h.client.block(PersonActionRequest.of(t.id(), "late"))));
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "CANCELLED", () -> await(h.client.unblock(PersonActionRequest.of(t.id(), "late"))));
  }

  @Test
  void aRunningTaskCanBeBlockedOrCancelledAndItsLeaseIsThenLost() throws Exception {
    String stage = stage();
    enqueue(stage);
    TaskView c = claimOne(stage);
    await(h.client.block(PersonActionRequest.of(c.id(), "operator stop")));
    assertRefused(ErrorCode.LEASE_LOST, "BLOCKED", () -> await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), new JsonObject()))));
    assertRefused(ErrorCode.LEASE_LOST, "BLOCKED", () -> await(h.client.heartbeat(HeartbeatRequest.of(c.id(), c.leaseToken()))));
    await(h.client.unblock(PersonActionRequest.of(c.id(), null)));
    TaskView again = claimOne(stage);
    await(h.client.cancel(PersonActionRequest.of(again.id(), "abort")));
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "CANCELLED", () -> await(h.client.fail(failure(again, "late failure"))));
  }

  @Test
  void doneTasksAcceptNoFurtherTransition() throws Exception {
    String stage = stage();
    enqueue(stage);
    TaskView c = claimOne(stage);
    await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), null)));
    assertRefused(ErrorCode.LEASE_LOST, "DONE", () -> await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), null))));
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "DONE", () -> await(h.client.cancel(PersonActionRequest.of(c.id(), null))));
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "DONE", () -> await(h.client.block(PersonActionRequest.of(c.id(), null))));
    assertRefused(ErrorCode.ILLEGAL_TRANSITION, "DONE", () -> await(h.client.fail(failure(c, "after done"))));
    JsonObject redrive = await(h.client.redrive(DeadLetterSelection.ofIds(List.of(c.id()), null)));
    assertThat(redrive.getInteger("redriven")).isZero();
  }

  @Test
  void decisionsMoveTheFailedAttemptAndAreAppliedOncePerAttempt() throws Exception {
    String stage = stage();
    TaskView t = enqueue(stage);
    TaskView c = claimOne(stage);
    await(h.client.fail(failure(c, "rate limited")));
    Instant soon = Instant.now().minusSeconds(1);
    Decision retry = new Decision(t.id(), 1, DecisionAction.RETRY, soon, "rate limit resets", "retry-service");
    JsonObject applied = await(h.client.decide(retry));
    assertThat(applied.getBoolean("applied")).isTrue();
    JsonObject again = await(h.client.decide(new Decision(t.id(), 1, DecisionAction.DEAD_LETTER, null, "x", "retry-service")));
    assertThat(again.getBoolean("applied")).isFalse();
    assertThat(again.getBoolean("duplicate")).isTrue();
    assertThat(await(h.client.get(t.id())).state()).isEqualTo(TaskState.RETRY);
    TaskView second = claimOne(stage);
    assertThat(second.attempt()).isEqualTo(2);
    // a late decision for attempt 1 is stale now
    JsonObject stale = await(h.client.decide(new Decision(t.id(), 1, DecisionAction.PARK, null, "late", "retry-service")));
    assertThat(stale.getBoolean("applied")).isFalse();
    await(h.client.fail(failure(second, "permission denied")));
    // attempt 2 used the ledger's default budget of 2: the provisional step dead-lettered it, and the retry
    // service's decision for that very attempt is the final word (ProvisionalDeadLetterTest has the rules)
    JsonObject replaced = await(h.client.decide(new Decision(t.id(), 2, DecisionAction.RETRY, Instant.now(), "x", "r")));
    assertThat(replaced.getBoolean("applied")).isTrue();
    assertThat(await(h.client.get(t.id())).state()).isEqualTo(TaskState.RETRY);
  }

  @Test
  void parkThenDeadLetterThenRedriveGivesAFreshAttemptBudget() throws Exception {
    String stage = stage();
    TaskView t = enqueue(stage);
    TaskView c = claimOne(stage);
    await(h.client.fail(failure(c, "circuit open")));
    await(h.client.decide(new Decision(t.id(), 1, DecisionAction.PARK, null, "circuit payments open", "retry-service")));
    TaskView parked = await(h.client.get(t.id()));
    assertThat(parked.state()).isEqualTo(TaskState.BLOCKED);
    // the same attempt cannot be decided twice, so the dead-letter comes from an operator path: redrive needs FAILED
    assertThat(await(h.client.redrive(DeadLetterSelection.ofIds(List.of(t.id()), null)))
        .getInteger("redriven")).isZero();
    await(h.client.unblock(PersonActionRequest.of(t.id(), "circuit closed")));
    TaskView second = claimOne(stage);
    await(h.client.fail(failure(second, "still failing")));
    await(h.client.decide(new Decision(t.id(), 2, DecisionAction.DEAD_LETTER, null, "permanent", "retry-service")));
    assertThat(await(h.client.get(t.id())).state()).isEqualTo(TaskState.FAILED);
    JsonObject dlq = await(h.client.deadLetters(DeadLetterQuery.ofStage(stage)));
    assertThat(dlq.getJsonArray("tasks")).hasSize(1);
    DeadLetterSelection ofStage = DeadLetterSelection.matching(DeadLetterSelection.Filter.ofStage(stage),
        DeadLetterSelection.DEFAULT_LIMIT, null);
    JsonObject redriven = await(h.client.redrive(ofStage));
    assertThat(redriven.getInteger("redriven")).isEqualTo(1);
    TaskView back = await(h.client.get(t.id()));
    assertThat(back.state()).isEqualTo(TaskState.QUEUED);
    TaskView third = claimOne(stage);
    assertThat(third.attempt()).isEqualTo(3);
    // fresh budget of 2: the first failure after the redrive is retried, not dead-lettered
    JsonObject r = await(h.client.fail(failure(third, "once more")));
    assertThat(r.getJsonObject("provisional").getString("state")).isEqualTo("RETRY");
    JsonArray history = await(h.client.history(t.id()));
    assertThat(history.stream().map(o -> ((JsonObject) o).getString("reason")).toList())
        .contains("redriven from the dead-letter queue");
  }

  @Test
  void abortingAWorkflowCancelsItsUnfinishedTasks() throws Exception {
    String stage = stage();
    String wf = "wf-abort-" + stage;
    TaskView a = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage).workflowId(wf).build())).getJsonObject("task"));
    TaskView b = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage + "-later").workflowId(wf).build())).getJsonObject("task"));
    TaskView other = enqueue(stage + "-x");
    TaskView c = claimOne(stage);
    await(h.client.fail(failure(c, "fatal")));
    JsonObject r = await(h.client.decide(new Decision(a.id(), 1, DecisionAction.ABORT_WORKFLOW, null, "too many failures", "retry-service")));
    assertThat(r.getBoolean("applied")).isTrue();
    assertThat(await(h.client.get(a.id())).state()).isEqualTo(TaskState.CANCELLED);
    assertThat(await(h.client.get(b.id())).state()).isEqualTo(TaskState.CANCELLED);
    assertThat(await(h.client.get(other.id())).state()).isEqualTo(TaskState.QUEUED);
  }

  @Test
  void unknownTasksAreNotFound() throws Exception {
    UUID nobody = UUID.randomUUID();
    assertRefused(ErrorCode.NOT_FOUND, nobody.toString(), () -> await(h.client.get(nobody)));
    assertRefused(ErrorCode.NOT_FOUND, nobody.toString(), () -> await(h.client.cancel(PersonActionRequest.of(nobody, null))));
    assertRefused(ErrorCode.NOT_FOUND, nobody.toString(), () -> await(h.client.complete(CompleteRequest.of(nobody, UUID.randomUUID(), null))));
    assertRefused(ErrorCode.NOT_FOUND, nobody.toString(),
        () -> await(h.client.decide(new Decision(nobody, 1, DecisionAction.PARK, null, null, null))));
  }

  @Test
  void transitionsArePublishedOnTheTaskEventsAddress() throws Exception {
    String stage = stage();
    List<JsonObject> seen = new CopyOnWriteArrayList<>();
    var consumer = h.vertx.eventBus().<JsonObject>consumer(dev.rebound.common.Addresses.EVENTS_TASKS, m -> {
      if (stage.equals(m.body().getString("stage"))) {
        seen.add(m.body());
      }
    });
    await(consumer.completion());
    TaskView t = enqueue(stage);
    TaskView c = claimOne(stage);
    await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), null)));
    long deadline = System.currentTimeMillis() + 10_000;
    while (seen.size() < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    await(consumer.unregister());
    assertThat(seen).extracting(o -> o.getString("to")).containsExactly("QUEUED", "RUNNING", "DONE");
    assertThat(seen).allSatisfy(o -> assertThat(o.getString("taskId")).isEqualTo(t.id().toString()));
  }
}
