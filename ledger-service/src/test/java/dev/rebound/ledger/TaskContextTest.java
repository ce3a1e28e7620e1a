package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskContext;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the ledger tells the analyzer about a failure's task ({@code FailureEvent.task}): taken from the
 * task row on the first send and on every re-send, never from the reporter. A fake analyzer receives
 * the failures and never decides, so they are re-sent.
 */
class TaskContextTest {
  static LedgerHarness h;
  static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  static MessageConsumer<JsonObject> fakeAnalyzer;
  static final TaskContext LIE = new TaskContext("someone-else", "another-workflow", 41, Instant.EPOCH, 99);

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("taskcontext", Map.of("ledger.decision-timeout", "300ms",
        "ledger.lease-sweep-interval", "100ms", "ledger.max-resends", "50", "ledger.retry.base", "1h",
        "ledger.retry.cap", "1h"));
    fakeAnalyzer = h.vertx.eventBus().consumer(Addresses.ANALYZER_FAILURES, m -> {
      received.add(m.body());
      if (m.body().getString("taskId") == null) {
        m.reply(new JsonObject().put("received", true));
      }
    });
    await(fakeAnalyzer.completion());
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static List<JsonObject> sendsOf(String failureId) {
    return received.stream().filter(o -> failureId.equals(o.getString("failureId"))).toList();
  }

  static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  static String stage() {
    return "ctx-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static TaskView enqueue(EnqueueRequest request) throws Exception {
    return TaskView.fromJson(await(h.client.enqueue(request)).getJsonObject("task"));
  }

  static TaskView claim(String stage) throws Exception {
    return await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
  }

  static String fail(TaskView c) throws Exception {
    return await(h.client.fail(FailureEvent.builder().taskId(c.id()).attempt(c.attempt()).leaseToken(c.leaseToken())
        .source("w").message("HTTP 503 from registry").task(LIE).build())).getString("failureId");
  }

  static TaskContext contextOf(JsonObject sent) {
    return TaskContext.fromJson(sent.getJsonObject("task"));
  }

  @Test
  void everySendOfATaskFailureCarriesTheTasksAgentWorkflowCreationAndOwnMaxAttemptsNotTheReporters() throws Exception {
    String stage = stage();
    TaskView t = enqueue(EnqueueRequest.builder(stage).agent("agent-7").workflowId("wf-7").maxAttempts(3).build());
    String failureId = fail(claim(stage));
    eventually(() -> sendsOf(failureId).size() >= 2);  // the first send and a re-send
    for (JsonObject sent : sendsOf(failureId)) {
      assertThat(contextOf(sent)).isEqualTo(new TaskContext("agent-7", "wf-7", 0, t.createdAt(), 3));
    }
  }

  @Test
  void aTaskEnqueuedWithoutItsOwnMaxAttemptsCarriesNoneSoTheStagesPolicyDecides() throws Exception {
    String stage = stage();
    TaskView t = enqueue(EnqueueRequest.builder(stage).build());
    String failureId = fail(claim(stage));
    eventually(() -> sendsOf(failureId).size() >= 2);
    for (JsonObject sent : sendsOf(failureId)) {
      assertThat(contextOf(sent)).isEqualTo(new TaskContext(null, null, 0, t.createdAt(), null));
      assertThat(sent.getJsonObject("task").containsKey("maxAttempts")).isFalse();
    }
  }

  @Test
  void afterARedriveTheAttemptBaseCountsTheEarlierRunsAndAnOldFailureKeepsItsOwn() throws Exception {
    String stage = stage();
    TaskView t = enqueue(EnqueueRequest.builder(stage).agent("a").maxAttempts(1).build());
    String first = fail(claim(stage));
    assertThat(await(h.client.get(t.id())).state()).isEqualTo(TaskState.FAILED);
    await(h.client.redrive(DeadLetterSelection.ofIds(List.of(t.id()), "fixed the registry")));
    int sendsBefore = sendsOf(first).size();
    eventually(() -> sendsOf(first).size() > sendsBefore);  // re-sent after the redrive: still the first run's
    assertThat(contextOf(sendsOf(first).get(sendsOf(first).size() - 1)).attemptBase()).isZero();

    TaskView second = claim(stage);
    assertThat(second.attempt()).isEqualTo(2);
    String secondFailure = fail(second);
    eventually(() -> !sendsOf(secondFailure).isEmpty());
    TaskContext ctx = contextOf(sendsOf(secondFailure).get(0));
    assertThat(ctx.attemptBase()).isEqualTo(1);  // this run's first attempt is attempt 2
    assertThat(ctx.maxAttempts()).isEqualTo(1);
  }

  @Test
  void aReportersOwnTaskOverHttpIsIgnoredEvenWhenMalformed() throws Exception {
    String stage = stage();
    TaskView t = enqueue(EnqueueRequest.builder(stage).agent("agent-h").build());
    TaskView c = claim(stage);
    JsonObject body = new JsonObject().put("taskId", c.id().toString()).put("attempt", c.attempt())
        .put("leaseToken", c.leaseToken().toString()).put("message", "boom")
        .put("task", new JsonObject().put("agent", "liar").put("notAField", true));
    var response = await(h.request(HttpMethod.POST, "/v1/failures", body));
    assertThat(response.statusCode()).isEqualTo(202);
    String failureId = response.bodyAsJsonObject().getString("failureId");
    eventually(() -> !sendsOf(failureId).isEmpty());
    assertThat(contextOf(sendsOf(failureId).get(0))).isEqualTo(new TaskContext("agent-h", null, 0, t.createdAt(), null));
  }

  @Test
  void aFreeStandingFailureCarriesNoTaskEvenWhenTheReporterSentOne() throws Exception {
    String failureId = await(h.client.fail(FailureEvent.builder().source("billing-api").message("disk full")
        .task(LIE).build())).getString("failureId");
    eventually(() -> !sendsOf(failureId).isEmpty());
    assertThat(sendsOf(failureId).get(0).containsKey("task")).isFalse();
  }
}
