package dev.rebound.client;

import static dev.rebound.client.LedgerUnderTest.await;
import static dev.rebound.client.LedgerUnderTest.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A worker against a real ledger over the event bus: claims, heartbeats, timeouts, checkpoints, lost leases. */
class ReboundWorkerTest {
  static LedgerUnderTest ledger;
  ReboundWorker worker;

  @BeforeAll
  static void start() throws Exception {
    ledger = LedgerUnderTest.start("client");
  }

  @AfterAll
  static void stop() throws Exception {
    ledger.close();
  }

  @AfterEach
  void stopWorker() throws Exception {
    if (worker != null) {
      await(worker.stop());
    }
  }

  static String stage() {
    return "s-" + UUID.randomUUID().toString().substring(0, 8);
  }

  ReboundWorker.Builder workerOn(LedgerTransport transport) {
    return ReboundWorker.builder(ledger.vertx, transport).name("test-worker").claimWait(Duration.ofMillis(200))
        .stopTimeout(Duration.ofSeconds(5));
  }

  @Test
  void aWorkerCompletesTasksOverTheEventBus() throws Exception {
    String stage = stage();
    List<TaskView> tasks = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      tasks.add(ledger.enqueue(stage, new JsonObject().put("n", n)));
    }
    worker = workerOn(LedgerTransport.eventBus(ledger.vertx)).concurrency(2).build();
    await(worker.work(stage, ctx -> Future.succeededFuture(new JsonObject().put("doubled", ctx.payload().getInteger("n") * 2))));
    for (TaskView t : tasks) {
      TaskView done = ledger.awaitState(t.id(), TaskState.DONE);
      assertThat(done.result()).isEqualTo(new JsonObject().put("doubled", ((JsonObject) t.payload()).getInteger("n") * 2));
      assertThat(done.leaseOwner()).isNull();
    }
    assertThat(worker.status().completed()).isEqualTo(5);
  }

  @Test
  void aWorkerRunningTasksConcurrentlyCompletesThoseThatFinishTogetherInOneRequest() throws Exception {
    String stage = stage();
    List<TaskView> tasks = new ArrayList<>();
    for (int n = 1; n <= 8; n++) {
      tasks.add(ledger.enqueue(stage, new JsonObject().put("n", n)));
    }
    RecordingTransport transport = new RecordingTransport(LedgerTransport.eventBus(ledger.vertx));
    Promise<Object> release = Promise.promise();
    AtomicInteger started = new AtomicInteger();
    worker = workerOn(transport).concurrency(8).claimBatch(8).build();
    await(worker.work(stage, ctx -> {
      // every task finishes in the same turn, once all eight run
      if (started.incrementAndGet() == 8) {
        ledger.vertx.runOnContext(v -> release.complete(new JsonObject().put("ok", true)));
      }
      return release.future();
    }));
    for (TaskView t : tasks) {
      assertThat(ledger.awaitState(t.id(), TaskState.DONE).result()).isEqualTo(new JsonObject().put("ok", true));
    }
    until("every completion was answered", () -> worker.status().completed() == 8);
    assertThat(transport.count("completeAll")).isPositive();
    assertThat(transport.count("complete ")).isEqualTo(8);
  }

  @Test
  void anOutcomeTheLedgerRefusesAsOverloadedIsSentAgainAfterItsRetryAfter() throws Exception {
    String stage = stage();
    TaskView succeeds = ledger.enqueue(stage, new JsonObject().put("ok", true));
    TaskView fails = ledger.enqueue(stage, new JsonObject().put("ok", false));
    RecordingTransport transport = new RecordingTransport(LedgerTransport.eventBus(ledger.vertx));
    transport.refuseAsOverloaded.set(2);  // the first two outcomes, whichever they are
    worker = workerOn(transport).concurrency(1).build();
    await(worker.work(stage, ctx -> ctx.payload().getBoolean("ok")
        ? Future.succeededFuture(new JsonObject().put("done", true))
        : Future.failedFuture(new IllegalStateException("bad input"))));

    assertThat(ledger.awaitState(succeeds.id(), TaskState.DONE).attempt()).isEqualTo(1);
    until("the failure is recorded", () -> worker.status().failed() == 1);
    assertThat(worker.status().overloadedResends()).isEqualTo(2);
    assertThat(worker.status().leaseLost()).isZero();
    assertThat(transport.count("complete " + succeeds.id()) + transport.count("failure " + fails.id()))
        .as("each outcome sent more than once: %s", transport.sent).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aThrowingHandlerReportsItsExceptionTypeAndCauseChainAndTheTaskMovesToRetry() throws Exception {
    String stage = stage();
    TaskView t = ledger.enqueue(stage, new JsonObject());
    worker = workerOn(LedgerTransport.eventBus(ledger.vertx)).build();
    await(worker.work(stage, ctx -> {
      throw new IllegalStateException("could not store the page",
          new IOException("write failed", new SQLException("deadlock detected", "40P01")));
    }));
    TaskView retry = ledger.awaitState(t.id(), TaskState.RETRY);
    assertThat(retry.lastError()).contains("could not store the page");
    Row failure = ledger.failures(t.id(), null).get(0);
    assertThat(failure.getString("error_type")).isEqualTo("java.lang.IllegalStateException");
    assertThat(failure.getString("source")).isEqualTo("test-worker");
    assertThat(failure.getString("sql_state")).isEqualTo("40P01");
    assertThat(failure.getString("stack_trace")).contains("Caused by: java.io.IOException: write failed")
        .contains("Caused by: java.sql.SQLException: deadlock detected");
    JsonArray causes = ((JsonObject) failure.getJson("details")).getJsonArray("causes");
    assertThat(causes.stream().map(c -> ((JsonObject) c).getString("type")))
        .containsExactly("java.io.IOException", "java.sql.SQLException");
    JsonArray history = await(ledger.client.history(t.id()));
    assertThat(history.getJsonObject(history.size() - 1).getString("to")).isEqualTo("RETRY");
    assertThat(history.encode()).contains("could not store the page");
  }

  @Test
  void aHandlerSlowerThanItsAttemptTimeoutIsReportedAsATimeoutException() throws Exception {
    String stage = stage();
    TaskView t = ledger.enqueue(stage, new JsonObject());
    worker = workerOn(LedgerTransport.eventBus(ledger.vertx)).attemptTimeout(Duration.ofMillis(300)).build();
    await(worker.work(stage, ctx -> Promise.promise().future()));
    ledger.awaitState(t.id(), TaskState.RETRY);
    Row failure = ledger.failures(t.id(), null).get(0);
    assertThat(failure.getString("error_type")).isEqualTo("java.util.concurrent.TimeoutException");
    assertThat(failure.getString("message")).contains("attempt timeout of 300 ms");
  }

  @Test
  void aTaskWhoseLeaseWasLostIsNeverCompleted() throws Exception {
    String stage = stage();
    TaskView t = ledger.enqueue(stage, new JsonObject());
    RecordingTransport transport = new RecordingTransport(LedgerTransport.eventBus(ledger.vertx));
    CompletableFuture<TaskContext> started = new CompletableFuture<>();
    Promise<Object> release = Promise.promise();
    worker = workerOn(transport).lease(Duration.ofMinutes(1)).heartbeatInterval(Duration.ofMillis(100)).build();
    await(worker.work(stage, ctx -> {
      started.complete(ctx);
      return release.future();
    }));
    TaskContext ctx = started.get();
    // the lease expires on the ledger's clock and the rescuer takes it back (a heartbeat may extend it first: move on again)
    until("the expired lease was rescued", () -> {
      ledger.clock.advance(Duration.ofMinutes(2));
      return ledger.task(t.id()).state() == TaskState.RETRY;
    });
    ledger.clock.advance(Duration.ofHours(2));
    TaskView stolen = await(ledger.client.claim(ClaimRequest.builder("thief").stage(stage).build())).get(0);
    until("a heartbeat learned that the lease is lost", ctx::leaseLost);
    release.complete(new JsonObject().put("done", true));
    until("the worker dropped the task", () -> worker.status().leaseLost() == 1 && worker.status().inFlight() == 0);
    assertThat(transport.sentCompletionOf(t.id())).isFalse();
    TaskView now = ledger.task(t.id());
    assertThat(now.state()).isEqualTo(TaskState.RUNNING);
    assertThat(now.leaseOwner()).isEqualTo("thief");
    assertThat(stolen.leaseToken()).isNotEqualTo(ctx.task().leaseToken());
  }

  @Test
  void anInterruptedThousandItemRunResumesAtItem401WithoutRepeatingWork() throws Exception {
    String stage = stage();
    TaskView t = ledger.enqueue(stage, new JsonObject().put("items", 1000));
    List<Integer> processed = new CopyOnWriteArrayList<>();
    List<Integer> startedAt = new CopyOnWriteArrayList<>();
    worker = workerOn(LedgerTransport.eventBus(ledger.vertx)).build();
    await(worker.work(stage, ctx -> {
      int from = ctx.lastCheckpoint().map(c -> c.state().getInteger("next")).orElse(1);
      startedAt.add(from);
      return processFrom(ctx, from, ctx.payload().getInteger("items"), startedAt.size() == 1, processed)
          .map(v -> new JsonObject().put("processed", processed.size()));
    }));
    ledger.awaitState(t.id(), TaskState.RETRY);
    ledger.clock.advance(Duration.ofHours(2));
    TaskView done = ledger.awaitState(t.id(), TaskState.DONE);
    assertThat(startedAt).containsExactly(1, 401);
    assertThat(processed).hasSize(1000).doesNotHaveDuplicates();
    assertThat(done.result()).isEqualTo(new JsonObject().put("processed", 1000));
    assertThat(ledger.failures(t.id(), null).get(0).getString("message")).isEqualTo("crashed at item 401");
  }

  /** Items in batches of 100, a checkpoint after each batch; the first run crashes at item 401. */
  private Future<Void> processFrom(TaskContext ctx, int from, int last, boolean firstRun, List<Integer> processed) {
    if (from > last) {
      return Future.succeededFuture();
    }
    if (firstRun && from == 401) {
      return Future.failedFuture(new IllegalStateException("crashed at item 401"));
    }
    int to = Math.min(last, from + 99);
    for (int i = from; i <= to; i++) {
      processed.add(i);
    }
    return ctx.checkpoint(to, new JsonObject().put("next", to + 1))
        .compose(v -> processFrom(ctx, to + 1, last, firstRun, processed));
  }

  @Test
  void stopClaimsNoMoreAndLetsTheTaskInFlightFinish() throws Exception {
    String stage = stage();
    TaskView running = ledger.enqueue(stage, new JsonObject());
    CompletableFuture<Void> started = new CompletableFuture<>();
    Promise<Object> release = Promise.promise();
    ReboundWorker stopping = workerOn(LedgerTransport.eventBus(ledger.vertx)).build();
    await(stopping.work(stage, ctx -> {
      started.complete(null);
      return release.future();
    }));
    started.get();
    Future<Void> stopped = stopping.stop();
    until("the worker is stopping", () -> stopping.status().pausedBy().contains("stopping"));
    TaskView later = ledger.enqueue(stage, new JsonObject());
    assertThat(stopped.isComplete()).isFalse();
    release.complete("finished");
    await(stopped);
    assertThat(ledger.task(running.id()).state()).isEqualTo(TaskState.DONE);
    assertThat(ledger.task(running.id()).result()).isEqualTo("finished");
    assertThat(ledger.task(later.id()).state()).isEqualTo(TaskState.QUEUED);
  }

  @Test
  void aTaskStillRunningWhenTheStopTimeoutEndsIsReportedAsFailed() throws Exception {
    String stage = stage();
    TaskView t = ledger.enqueue(stage, new JsonObject());
    CompletableFuture<Void> started = new CompletableFuture<>();
    ReboundWorker stopping = workerOn(LedgerTransport.eventBus(ledger.vertx)).stopTimeout(Duration.ofMillis(100)).build();
    await(stopping.work(stage, ctx -> {
      started.complete(null);
      return Promise.promise().future();
    }));
    started.get();
    await(stopping.stop());
    assertThat(ledger.task(t.id()).state()).isEqualTo(TaskState.RETRY);
    assertThat(ledger.failures(t.id(), null).get(0).getString("message")).contains("stopped before the task finished");
  }

  @Test
  void theConcurrencyLimitHolds() throws Exception {
    String stage = stage();
    List<TaskView> tasks = new ArrayList<>();
    for (int n = 0; n < 12; n++) {
      tasks.add(ledger.enqueue(stage, new JsonObject()));
    }
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    worker = workerOn(LedgerTransport.eventBus(ledger.vertx)).concurrency(3).claimBatch(10).build();
    await(worker.work(stage, ctx -> {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      return ctx.vertx().timer(30).andThen(x -> running.decrementAndGet());
    }));
    for (TaskView t : tasks) {
      ledger.awaitState(t.id(), TaskState.DONE);
    }
    assertThat(most.get()).isEqualTo(3);
  }

  @Test
  void anOpenStageCircuitPausesClaimingUntilItCloses() throws Exception {
    String stage = stage();
    RecordingTransport transport = new RecordingTransport(LedgerTransport.eventBus(ledger.vertx));
    worker = workerOn(transport).build();
    await(worker.work(stage, ctx -> Future.succeededFuture()));
    publishCircuit("stage:" + stage, "CLOSED", "OPEN");
    until("the worker paused with no claim under way",
        () -> worker.status().pausedBy().equals(Set.of("stage:" + stage)) && !worker.status().claiming());
    long claims = transport.count("claim");
    TaskView t = ledger.enqueue(stage, new JsonObject());
    assertThat(ledger.task(t.id()).state()).isEqualTo(TaskState.QUEUED);
    assertThat(transport.count("claim")).isEqualTo(claims);
    publishCircuit("stage:" + stage, "OPEN", "CLOSED");
    ledger.awaitState(t.id(), TaskState.DONE);
  }

  @Test
  void theLocalBreakerOpensAfterConsecutiveDependencyFailuresAndFailsFast() throws Exception {
    String stage = stage();
    for (int n = 0; n < 4; n++) {
      ledger.enqueue(stage, new JsonObject());
    }
    AtomicInteger calls = new AtomicInteger();
    worker = workerOn(LedgerTransport.eventBus(ledger.vertx))
        .breakerSettings(new BreakerSettings(3, Duration.ofSeconds(10), 10, 0.5, Duration.ofHours(1))).build();
    await(worker.work(stage, ctx -> ctx.call("github", () -> {
      calls.incrementAndGet();
      return Future.failedFuture(new ReboundWorker.Failure("GitHub answered 502 Bad Gateway").httpStatus(502));
    })));
    until("four failures were reported", () -> worker.status().failed() == 4);
    assertThat(calls.get()).isEqualTo(3);
    assertThat(worker.breakers().state("github")).isEqualTo(DependencyBreaker.State.OPEN);
    List<Row> failures = new ArrayList<>();
    await(ledger.pool.preparedQuery("SELECT * FROM ledger.failures WHERE stage = $1 ORDER BY recorded_at")
        .execute(Tuple.of(stage))).forEach(failures::add);
    assertThat(failures).extracting(r -> r.getString("error_type")).containsExactly(
        "dev.rebound.client.ReboundWorker$Failure", "dev.rebound.client.ReboundWorker$Failure",
        "dev.rebound.client.ReboundWorker$Failure", "dev.rebound.client.CircuitOpenException");
    assertThat(failures.get(0).getInteger("http_status")).isEqualTo(502);
    assertThat(failures).allSatisfy(r -> assertThat(((JsonObject) r.getJson("details")).getString("dependency")).isEqualTo("github"));
    assertThat(((JsonObject) failures.get(3).getJson("details")).getString("dependencyState")).isEqualTo("OPEN");
    assertThat(failures.get(3).getString("message")).contains("dependency 'github' is OPEN (3 consecutive failures)");
  }

  @Test
  void theLocalBreakerAdoptsTheClusterWideStatePublishedOnTheCircuitEvents() throws Exception {
    worker = workerOn(LedgerTransport.eventBus(ledger.vertx)).build();
    await(worker.work(stage(), ctx -> Future.succeededFuture()));
    AtomicInteger calls = new AtomicInteger();
    publishCircuit("dependency:s3", "CLOSED", "OPEN");
    until("the breaker is open", () -> worker.breakers().state("s3") == DependencyBreaker.State.OPEN);
    Future<Object> refused = worker.breakers().call("s3", () -> {
      calls.incrementAndGet();
      return Future.succeededFuture();
    });
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOf(CircuitOpenException.class)
        .hasMessageContaining("dependency 's3' is OPEN (opened by the retry service)");
    publishCircuit("dependency:s3", "OPEN", "CLOSED");
    until("the breaker is closed", () -> worker.breakers().state("s3") == DependencyBreaker.State.CLOSED);
    await(worker.breakers().call("s3", () -> {
      calls.incrementAndGet();
      return Future.succeededFuture();
    }));
    assertThat(calls.get()).isEqualTo(1);
  }

  static void publishCircuit(String name, String from, String to) {
    ledger.vertx.eventBus().publish(dev.rebound.common.Addresses.EVENTS_CIRCUITS, new JsonObject().put("name", name)
        .put("from", from).put("to", to).put("reason", "opened by the retry service")
        .put("at", Instant.now().toString()));
  }
}
