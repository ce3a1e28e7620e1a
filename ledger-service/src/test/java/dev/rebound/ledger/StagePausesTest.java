package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.PersonActionRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stage pauses (issue 7) against the real ledger: circuit transitions published on
 * {@code rebound.events.circuits} pause, probe and resume a stage; people pause and resume stages and
 * retry, park and resume tasks, audited with their actor; a workflow abort cancels what is left.
 */
class StagePausesTest {
  static LedgerHarness h;
  static final AtomicLong SEQ = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("pauses", Map.of("ledger.retry.base", "1h", "ledger.retry.cap", "1h",
        "ledger.retry.jitter", "none", "ledger.unpark-rate", "3",
        "ledger.release-sweep-interval", "1h"));  // the tests run the release steps themselves
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  // ---------------------------------------------------------------- circuit transitions

  @Test
  void anOpenStageCircuitPausesClaimsOfThatStageButNotOthers() throws Exception {
    String held = stage();
    String free = stage();
    TaskView heldTask = enqueue(held, null);
    TaskView freeTask = enqueue(free, null);
    circuit(held, "OPEN");
    JsonObject pause = awaitPause(held, "PAUSED");
    assertThat(pause.getString("pausedBy")).isEqualTo("circuit:stage:" + held);
    assertThat(pause.getString("reason")).contains("OPEN").contains("5 consecutive failures");

    assertThat(claim(held, 10)).isEmpty();
    assertThat(claim(free, 10)).extracting(TaskView::id).containsExactly(freeTask.id());
    // a claim of any stage passes the paused one by too
    assertThat(await(h.client.claim(ClaimRequest.builder("w").limit(500).build()))).extracting(TaskView::id)
        .doesNotContain(heldTask.id());
    HttpResponse<Buffer> listed = await(h.request(HttpMethod.GET, "/v1/stages", null));
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.bodyAsJsonObject().getJsonArray("stages").stream().map(o -> ((JsonObject) o).getString("stage")))
        .contains(held).doesNotContain(free);
  }

  @Test
  void halfOpenReleasesExactlyOneProbeWhichAClaimCanTake() throws Exception {
    String stage = stage();
    TaskView oldest = parked(stage);
    TaskView second = parked(stage);
    TaskView waiting = enqueue(stage, null);
    circuit(stage, "OPEN");
    awaitPause(stage, "PAUSED");

    Instant halfOpenAt = nextAt();
    circuit(stage, "HALF_OPEN", halfOpenAt);
    JsonObject pause = awaitProbe(stage);
    assertThat(pause.getString("probeTask")).isEqualTo(oldest.id().toString());
    circuit(stage, "HALF_OPEN", halfOpenAt);  // the same event again (another instance's delivery): no second probe
    awaitPause(stage, "PROBING");
    assertThat(await(h.client.get(oldest.id())).state()).isEqualTo(TaskState.QUEUED);
    assertThat(await(h.client.get(second.id())).state()).isEqualTo(TaskState.BLOCKED);
    assertThat(last(await(h.client.history(oldest.id()))).getString("reason")).contains("probe");

    assertThat(claim(stage, 10)).extracting(TaskView::id).containsExactly(oldest.id());
    assertThat(claim(stage, 10)).as("the allowance of one probe is used up").isEmpty();
    assertThat(await(h.client.get(waiting.id())).state()).isEqualTo(TaskState.QUEUED);
    assertThat(pauseOf(stage).containsKey("probeTask")).isFalse();
  }

  @Test
  void halfOpenWithNothingParkedLetsTheNextWaitingTaskProbe() throws Exception {
    String stage = stage();
    TaskView first = enqueue(stage, null);
    enqueue(stage, null);
    circuit(stage, "OPEN");
    awaitPause(stage, "PAUSED");
    circuit(stage, "HALF_OPEN");
    assertThat(awaitProbe(stage).getString("probeTask")).isEqualTo(first.id().toString());
    assertThat(claim(stage, 10)).extracting(TaskView::id).containsExactly(first.id());
    assertThat(claim(stage, 10)).isEmpty();
  }

  @Test
  void closingTheCircuitResumesTheStageAndReleasesParkedTasksInBoundedSteps() throws Exception {
    String stage = stage();
    List<TaskView> parked = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      parked.add(parked(stage));
    }
    TaskView waiting = enqueue(stage, null);
    circuit(stage, "OPEN");
    awaitPause(stage, "PAUSED");
    assertThat(claim(stage, 10)).isEmpty();

    circuit(stage, "CLOSED");
    // resumed at once, and the first step (3 a second here) released the oldest three
    poll(() -> countIn(stage, TaskState.BLOCKED), n -> n == 4);
    assertThat(claim(stage, 10)).extracting(TaskView::id)
        .containsExactlyInAnyOrder(waiting.id(), parked.get(0).id(), parked.get(1).id(), parked.get(2).id());
    await(h.verticle.stagePauses().releaseStep());
    assertThat(countIn(stage, TaskState.BLOCKED)).as("the next step waits its turn").isEqualTo(4);

    h.clock().advance(Duration.ofSeconds(1));
    await(h.verticle.stagePauses().releaseStep());
    assertThat(countIn(stage, TaskState.BLOCKED)).isEqualTo(1);
    h.clock().advance(Duration.ofSeconds(1));
    await(h.verticle.stagePauses().releaseStep());
    assertThat(countIn(stage, TaskState.BLOCKED)).isZero();
    await(h.verticle.stagePauses().releaseStep());
    assertThat(pauseOf(stage)).as("nothing left to release: the stage runs normally").isEmpty();

    JsonObject released = last(await(h.client.history(parked.get(6).id())));
    assertThat(released.getString("to")).isEqualTo("QUEUED");
    assertThat(released.getString("reason")).isEqualTo("released: the stage resumed");
    assertThat(released.getString("actor")).isEqualTo("ledger:unpark");
  }

  @Test
  void aPauseSurvivesARestartAndEveryInstanceOnTheDatabaseHonoursIt() throws Exception {
    String stage = stage();
    TaskView task = enqueue(stage, null);
    circuit(stage, "FORCED_OPEN");
    awaitPause(stage, "PAUSED");

    LedgerHarness.Deployed second = h.deployAnother();
    assertThat(claimAt(second, stage)).isEmpty();
    await(h.vertx.undeploy(second.id()));
    LedgerHarness.Deployed restarted = h.deployAnother();
    try {
      assertThat(claimAt(restarted, stage)).as("a restarted instance still honours the pause").isEmpty();
      assertThat(claim(stage, 10)).isEmpty();
      circuit(stage, "DISABLED");
      poll(() -> pauseOf(stage).isEmpty(), done -> done);
      assertThat(claimAt(restarted, stage)).extracting(o -> ((JsonObject) o).getString("id"))
          .containsExactly(task.id().toString());
    } finally {
      await(h.vertx.undeploy(restarted.id()));
    }
  }

  @Test
  void eventsOfOtherCircuitsUnknownNamesAndMalformedBodiesAreIgnored() throws Exception {
    String stage = stage();
    String at = nextAt().toString();
    publish(new JsonObject().put("name", "agent:" + stage).put("to", "OPEN").put("at", at));
    publish(new JsonObject().put("name", "dependency:" + stage).put("to", "OPEN").put("at", at));
    publish(new JsonObject().put("name", stage).put("to", "OPEN").put("at", at));
    publish(new JsonObject().put("name", "stage:" + stage).put("to", "PURPLE").put("at", at));
    publish(new JsonObject().put("name", "stage:" + stage).put("to", "OPEN").put("at", "yesterday"));
    publish(new JsonObject().put("name", "stage:" + stage).put("to", "OPEN"));
    publish(new JsonObject().put("name", 42).put("to", "OPEN").put("at", at));
    publish(new JsonObject().put("name", "stage:").put("to", "OPEN").put("at", at));
    h.vertx.eventBus().publish(Addresses.EVENTS_CIRCUITS, "stage:" + stage + " OPEN");
    // a valid event sent after them is applied: the ones before were handled (and changed nothing)
    String sentinel = stage();
    circuit(sentinel, "OPEN");
    awaitPause(sentinel, "PAUSED");
    assertThat(pauseOf(stage)).isEmpty();
  }

  @Test
  void anOlderCircuitEventArrivingLateChangesNothing() throws Exception {
    String stage = stage();
    Instant early = nextAt();
    Instant late = nextAt();
    circuit(stage, "OPEN", late);
    awaitPause(stage, "PAUSED");
    circuit(stage, "CLOSED", early);
    String sentinel = stage();
    circuit(sentinel, "OPEN");
    awaitPause(sentinel, "PAUSED");
    assertThat(pauseOf(stage).getString("state")).isEqualTo("PAUSED");
  }

  // ---------------------------------------------------------------- people: stages

  @Test
  void aPersonPausesAStageOverHttpAndResumesItOverTheEventBusAuditedWithTheirName() throws Exception {
    String stage = stage();
    TaskView task = enqueue(stage, null);
    HttpResponse<Buffer> paused = await(h.request(HttpMethod.POST, "/v1/stages/" + stage + "/pause",
        new JsonObject().put("reason", "deploying the new runner")));
    assertThat(paused.statusCode()).isEqualTo(200);
    assertThat(paused.bodyAsJsonObject().getString("state")).isEqualTo("PAUSED");
    assertThat(paused.bodyAsJsonObject().getString("pausedBy")).isEqualTo("http");
    assertThat(paused.bodyAsJsonObject().getString("reason")).isEqualTo("deploying the new runner");
    assertThat(claim(stage, 10)).isEmpty();

    JsonObject resumed = bus("stages.resume", new JsonObject().put("stage", stage).put("reason", "runner is fine"), "alice");
    assertThat(resumed.getString("stage")).isEqualTo(stage);
    assertThat(claim(stage, 10)).extracting(TaskView::id).containsExactly(task.id());

    assertError(await(h.request(HttpMethod.POST, "/v1/stages/" + stage + "/resume", new JsonObject())), 409,
        "ILLEGAL_TRANSITION", "is not paused");
    assertError(await(h.request(HttpMethod.POST, "/v1/stages/" + stage + "/pause", new JsonObject().put("by", "me"))),
        400, "BAD_REQUEST", "unknown field 'by'");
    assertError(await(h.request(HttpMethod.POST, "/v1/stages/bad%20stage/pause", new JsonObject())), 400,
        "BAD_REQUEST", "stage");
    assertThat(pauseOf(stage)).isEmpty();
  }

  // ---------------------------------------------------------------- people: tasks

  @Test
  void aPersonForcesARetryNowOfAWaitingRetryAndOfADeadLetter() throws Exception {
    String stage = stage();
    TaskView retrying = failedOnce(stage);
    assertThat(await(h.client.get(retrying.id())).runAfter()).isAfter(h.clock().instant());
    HttpResponse<Buffer> r = await(h.request(HttpMethod.POST, "/v1/tasks/" + retrying.id() + "/retry",
        new JsonObject().put("reason", "the API is back")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("state")).isEqualTo("QUEUED");
    JsonObject entry = last(await(h.client.history(retrying.id())));
    assertThat(entry.getString("from")).isEqualTo("RETRY");
    assertThat(entry.getString("actor")).isEqualTo("http");
    assertThat(entry.getString("reason")).isEqualTo("the API is back");
    assertThat(claim(stage, 10)).extracting(TaskView::id).containsExactly(retrying.id());

    String dlqStage = stage();
    TaskView dead = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(dlqStage).maxAttempts(1).build()))
        .getJsonObject("task"));
    TaskView c = claim(dlqStage, 1).get(0);
    await(h.client.fail(failure(c)));
    assertThat(await(h.client.get(dead.id())).state()).isEqualTo(TaskState.FAILED);
    JsonObject redriven = bus("retry", new JsonObject().put("id", dead.id().toString()), "bob");
    assertThat(redriven.getString("state")).isEqualTo("QUEUED");
    assertThat(last(await(h.client.history(dead.id()))).getString("actor")).isEqualTo("bob");
    assertThat(await(h.client.get(dead.id())).attemptsThisRun()).isZero();

    TaskView queued = enqueue(stage(), null);
    assertError(await(h.request(HttpMethod.POST, "/v1/tasks/" + queued.id() + "/retry", new JsonObject())), 409,
        "ILLEGAL_TRANSITION", "QUEUED");
  }

  @Test
  void aPersonParksAndResumesATaskAndIllegalOrUnknownOnesAreRefused() throws Exception {
    String stage = stage();
    TaskView task = enqueue(stage, null);
    HttpResponse<Buffer> parked = await(h.request(HttpMethod.POST, "/v1/tasks/" + task.id() + "/park",
        new JsonObject().put("reason", "waiting for a fix")));
    assertThat(parked.statusCode()).isEqualTo(200);
    assertThat(parked.bodyAsJsonObject().getString("state")).isEqualTo("BLOCKED");
    assertError(await(h.request(HttpMethod.POST, "/v1/tasks/" + task.id() + "/park", new JsonObject())), 409,
        "ILLEGAL_TRANSITION", "BLOCKED");
    assertThat(claim(stage, 10)).isEmpty();

    JsonObject resumed = bus("resume", new JsonObject().put("id", task.id().toString()).put("reason", "fixed"), "carol");
    assertThat(resumed.getString("state")).isEqualTo("QUEUED");
    JsonObject entry = last(await(h.client.history(task.id())));
    assertThat(entry.getString("actor")).isEqualTo("carol");
    assertThat(entry.getString("reason")).isEqualTo("fixed");
    assertError(await(h.request(HttpMethod.POST, "/v1/tasks/" + task.id() + "/resume", new JsonObject())), 409,
        "ILLEGAL_TRANSITION", "QUEUED");

    UUID nobody = UUID.randomUUID();
    for (String op : List.of("retry", "park", "resume")) {
      assertError(await(h.request(HttpMethod.POST, "/v1/tasks/" + nobody + "/" + op, new JsonObject())), 404,
          "NOT_FOUND", nobody.toString());
      assertError(await(h.request(HttpMethod.POST, "/v1/tasks/" + task.id() + "/" + op, new JsonObject().put("force", true))),
          400, "BAD_REQUEST", "unknown field 'force'");
    }
    assertThat(await(h.client.get(task.id())).state()).isEqualTo(TaskState.QUEUED);
  }

  @Test
  void aPersonsBlockIsNotReleasedWhenTheStageResumes() throws Exception {
    String stage = stage();
    TaskView byHand = enqueue(stage, null);
    await(h.client.park(PersonActionRequest.of(byHand.id(), "hold it")));
    TaskView byCircuit = parked(stage);
    circuit(stage, "OPEN");
    awaitPause(stage, "PAUSED");
    circuit(stage, "CLOSED");
    poll(() -> await(h.client.get(byCircuit.id())).state(), s -> s == TaskState.QUEUED);
    await(h.verticle.stagePauses().releaseStep());
    assertThat(await(h.client.get(byHand.id())).state()).isEqualTo(TaskState.BLOCKED);
  }

  // ---------------------------------------------------------------- workflow abort

  @Test
  void anAbortDecisionCancelsTheWorkflowsRemainingTasksAndLeavesFinishedOnesAlone() throws Exception {
    String stage = stage();
    String workflow = "wf-" + stage;
    List<TaskView> tasks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      tasks.add(enqueue(stage, workflow));
    }
    List<TaskView> claimed = claim(stage, 3);
    await(h.client.complete(CompleteRequest.of(claimed.get(0).id(), claimed.get(0).leaseToken(), null)));
    await(h.client.complete(CompleteRequest.of(claimed.get(1).id(), claimed.get(1).leaseToken(), null)));
    TaskView failing = claimed.get(2);
    await(h.client.fail(failure(failing)));
    List<TaskView> queued = tasks.stream().filter(t -> claimed.stream().noneMatch(c -> c.id().equals(t.id()))).toList();
    await(h.client.block(PersonActionRequest.of(queued.get(0).id(), "on hold")));

    JsonObject decided = await(h.client.decide(new Decision(failing.id(), failing.attempt(), DecisionAction.ABORT_WORKFLOW,
        null, "workflow failing: 6 of the last 10 attempts failed", "retry-service")));
    assertThat(decided.getBoolean("applied")).isTrue();
    assertThat(decided.getString("outcome")).contains("cancelled 8 task(s)");

    for (TaskView t : tasks) {
      TaskView now = await(h.client.get(t.id()));
      boolean done = t.id().equals(claimed.get(0).id()) || t.id().equals(claimed.get(1).id());
      if (done) {
        assertThat(now.state()).isEqualTo(TaskState.DONE);
        assertThat(last(await(h.client.history(t.id()))).getString("to")).isEqualTo("DONE");
      } else {
        assertThat(now.state()).as("task %s", t.id()).isEqualTo(TaskState.CANCELLED);
        JsonObject entry = last(await(h.client.history(t.id())));
        assertThat(entry.getString("to")).isEqualTo("CANCELLED");
        assertThat(entry.getString("reason")).isEqualTo("workflow failing: 6 of the last 10 attempts failed");
        assertThat(entry.getString("actor")).isEqualTo("retry-service");
      }
    }
    assertThat(last(await(h.client.history(failing.id()))).getString("from")).isEqualTo("RETRY");
    assertThat(last(await(h.client.history(queued.get(0).id()))).getString("from")).isEqualTo("BLOCKED");
  }

  // ---------------------------------------------------------------- helpers

  static String stage() {
    return "p-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static Instant nextAt() {
    return Instant.parse("2030-01-01T00:00:00Z").plusMillis(SEQ.incrementAndGet());
  }

  static TaskView enqueue(String stage, String workflow) throws Exception {
    EnqueueRequest.Builder b = EnqueueRequest.builder(stage);
    if (workflow != null) {
      b.workflowId(workflow);
    }
    return TaskView.fromJson(await(h.client.enqueue(b.build())).getJsonObject("task"));
  }

  static List<TaskView> claim(String stage, int limit) throws Exception {
    return await(h.client.claim(ClaimRequest.builder("w").stage(stage).limit(limit).build()));
  }

  static JsonArray claimAt(LedgerHarness.Deployed instance, String stage) throws Exception {
    HttpResponse<Buffer> r = await(h.http.post(instance.verticle().actualPort(), "127.0.0.1", "/v1/tasks/claim")
        .sendJsonObject(new JsonObject().put("worker", "w").put("stage", stage)));
    assertThat(r.statusCode()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("tasks");
  }

  static FailureEvent failure(TaskView c) {
    return FailureEvent.builder().taskId(c.id()).attempt(c.attempt()).leaseToken(c.leaseToken()).source("w")
        .message("java.net.SocketTimeoutException: Read timed out").build();
  }

  /** A task of {@code stage} that failed once and waits in RETRY (an hour: the provisional policy here). */
  static TaskView failedOnce(String stage) throws Exception {
    TaskView t = enqueue(stage, null);
    TaskView c = claim(stage, 1).get(0);
    assertThat(c.id()).isEqualTo(t.id());
    await(h.client.fail(failure(c)));
    return await(h.client.get(t.id()));
  }

  /** A task of {@code stage} that the retry service parked (BLOCKED by a PARK decision). */
  static TaskView parked(String stage) throws Exception {
    TaskView t = failedOnce(stage);
    await(h.client.decide(new Decision(t.id(), t.attempt(), DecisionAction.PARK, null,
        "circuit stage:" + stage + " is OPEN: parked", "retry-service")));
    TaskView now = await(h.client.get(t.id()));
    assertThat(now.state()).isEqualTo(TaskState.BLOCKED);
    return now;
  }

  static void circuit(String stage, String to) {
    circuit(stage, to, nextAt());
  }

  static void circuit(String stage, String to, Instant at) {
    publish(new JsonObject().put("name", "stage:" + stage).put("from", "CLOSED").put("to", to)
        .put("reason", "5 consecutive failures").put("at", at.toString()));
  }

  static void publish(JsonObject event) {
    h.vertx.eventBus().publish(Addresses.EVENTS_CIRCUITS, event);
  }

  /** The stage's entry in {@code GET /v1/stages} (over the bus), empty when it has none. */
  static JsonObject pauseOf(String stage) throws Exception {
    for (Object o : await(h.client.stages()).getJsonArray("stages")) {
      if (stage.equals(((JsonObject) o).getString("stage"))) {
        return (JsonObject) o;
      }
    }
    return new JsonObject();
  }

  static JsonObject awaitPause(String stage, String state) throws Exception {
    return poll(() -> pauseOf(stage), p -> state.equals(p.getString("state")));
  }

  /** The stage half-open with its probe chosen (the pause changes first, the probe is chosen right after). */
  static JsonObject awaitProbe(String stage) throws Exception {
    return poll(() -> pauseOf(stage), p -> "PROBING".equals(p.getString("state")) && p.containsKey("probeTask"));
  }

  static int countIn(String stage, TaskState state) throws Exception {
    HttpResponse<Buffer> r = await(h.request(HttpMethod.GET, "/v1/tasks?stage=" + stage + "&state=" + state, null));
    return r.bodyAsJsonObject().getJsonArray("tasks").size();
  }

  /** Asks until the answer satisfies {@code done} (each question a round trip to the ledger), for at most 10 s. */
  static <T> T poll(Callable<T> ask, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    T last = ask.call();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still not there after 10 s: " + last);
      }
      await(h.vertx.timer(10));
      last = ask.call();
    }
    return last;
  }

  static JsonObject bus(String action, JsonObject body, String actor) throws Exception {
    Future<Message<Object>> reply = h.vertx.eventBus().request(Addresses.LEDGER, body,
        new DeliveryOptions().addHeader(Addresses.ACTION_HEADER, action).addHeader(Addresses.ACTOR_HEADER, actor));
    try {
      return (JsonObject) await(reply).body();
    } catch (ExecutionException | CompletionException e) {
      throw ReboundException.from(e.getCause());
    }
  }

  static JsonObject last(JsonArray history) {
    return history.getJsonObject(history.size() - 1);
  }

  static void assertError(HttpResponse<Buffer> r, int status, String code, String mentions) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).contains(mentions);
  }
}
