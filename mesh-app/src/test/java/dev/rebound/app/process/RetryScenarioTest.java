package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.client.LedgerTransport;
import dev.rebound.client.ReboundWorker;
import dev.rebound.client.TaskHandler;
import dev.rebound.common.Addresses;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.client.RetryClient;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.ListTasksRequest;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerVerticle;
import dev.rebound.retry.RetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's scenarios end to end: the ledger, the analyzer and the retry service each in a clustered
 * Vert.x of its own (Hazelcast on loopback, one fresh database), workers on a fourth member through
 * rebound-client's {@link ReboundWorker}. Retry schedules run at {@value #SCALE} of real time
 * ({@code retry.time-scale}); the ledger's provisional retry is ten minutes out, so every schedule seen
 * is the retry service's. What is asserted is what a user sees: task states and histories, the
 * dead-letter queue, circuits through {@link RetryClient}, alerts on {@code rebound.notifier.alerts}.
 */
class RetryScenarioTest {
  static final double SCALE = 0.02;
  private static final Duration LIMIT = Duration.ofSeconds(30);
  /** Stages whose own circuit is switched off, so a run of failures there is about the policy or the abort alone. */
  private static final String BACKOFF_STAGE = "backoff";
  private static final String ABORT_STAGE = "nightly";
  /** The circuit scenario's stage: open for 150 s × {@value #SCALE} = 3 s. */
  private static final String CIRCUIT_STAGE = "checkout";

  private static LoopbackCluster cluster;
  private static Vertx ledgerMember;
  private static Vertx analyzerMember;
  private static Vertx retryMember;
  private static Vertx workerMember;
  private static TestDatabase db;
  private static Pool pg;
  private static LedgerClient ledger;
  private static RetryClient retry;
  private static final List<JsonObject> alerts = new CopyOnWriteArrayList<>();
  private static final List<JsonObject> circuitEvents = new CopyOnWriteArrayList<>();
  private final List<ReboundWorker> workers = new ArrayList<>();

  @BeforeAll
  static void startTheMesh() {
    cluster = LoopbackCluster.of("rebound-scenarios", 4);
    ledgerMember = cluster.member(0);
    analyzerMember = cluster.member(1);
    retryMember = cluster.member(2);
    workerMember = cluster.member(3);
    db = await(TestDatabase.create(workerMember, "retryscen"), LIMIT, "creating the test database");
    pg = db.pool(workerMember, 2);

    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    o.put("pg.pool-size", "4");
    o.put("ledger.retry.base", "10m");
    o.put("ledger.retry.cap", "1h");
    // without jitter: a full-jitter draw of the provisional ten minutes could come due before the decision
    o.put("ledger.retry.jitter", "none");
    o.put("ledger.release-sweep-interval", "100ms");
    o.put("retry.time-scale", String.valueOf(SCALE));
    o.put("retry.sweep-interval", "100ms");
    o.put("retry.budgets.stage.min-retries-per-second", "1000");
    o.put("retry.budgets.global.min-retries-per-second", "1000");
    o.put("retry.circuits.names.stage:" + BACKOFF_STAGE + ".enabled", "false");
    o.put("retry.circuits.names.stage:" + ABORT_STAGE + ".enabled", "false");
    o.put("retry.circuits.names.stage:" + CIRCUIT_STAGE + ".open-duration", "150s");
    await(ledgerMember.deployVerticle(LedgerVerticle.fromSettings(cluster.settings(0, o))), LIMIT, "deploying the ledger");
    await(analyzerMember.deployVerticle(AnalyzerVerticle.fromSettings(cluster.settings(1, o))), LIMIT,
        "deploying the analyzer");
    await(retryMember.deployVerticle(RetryVerticle.fromSettings(cluster.settings(2, o))), LIMIT,
        "deploying the retry service");

    await(workerMember.eventBus().<JsonObject>consumer(Addresses.NOTIFIER_ALERTS, m -> alerts.add(m.body())).completion(),
        LIMIT, "listening for alerts");
    await(workerMember.eventBus().<JsonObject>consumer(Addresses.EVENTS_CIRCUITS, m -> circuitEvents.add(m.body()))
        .completion(), LIMIT, "listening for circuit events");
    ledger = new LedgerClient(workerMember, 10_000);
    retry = new RetryClient(workerMember, 10_000);
    BoundedWait.until("the ledger and the retry service answering across the cluster", LIMIT,
        () -> await(ledger.stats().compose(s -> retry.circuits()).map(true).otherwise(false), LIMIT, "probe"),
        () -> "no answer yet");
  }

  @AfterEach
  void stopWorkers() {
    for (ReboundWorker w : workers) {
      await(w.stop(), LIMIT, "stopping worker " + w.name());
    }
  }

  @AfterAll
  static void stopTheMesh() {
    BoundedWait.closeAll(List.<Runnable>of(
        () -> await(retryMember.close(), LIMIT, "closing the retry member"),
        () -> await(analyzerMember.close(), LIMIT, "closing the analyzer member"),
        () -> await(ledgerMember.close(), LIMIT, "closing the ledger member"),
        () -> await(pg.close(), LIMIT, "closing the pool"),
        () -> await(db.drop(workerMember), LIMIT, "dropping the database"),
        () -> await(workerMember.close(), LIMIT, "closing the worker member")));
  }

  // ------------------------------------------------------------------ 1. transient and permanent

  @Test
  void aReadTimeoutIsRetriedOnItsStagesScheduleAndEndsDone() {
    UUID id = enqueue(EnqueueRequest.builder("tests"));
    work("tests", 1, ctx -> ctx.task().attempt() == 1
        ? Future.failedFuture(new SocketTimeoutException("Read timed out"))
        : Future.succeededFuture(new JsonObject().put("passed", true)));

    TaskView done = awaitState(id, TaskState.DONE);
    assertThat(done.attempt()).isEqualTo(2);
    TaskTimeline t = TaskTimeline.of(ledger, id);
    assertThat(t.decisions()).as(t.toString()).singleElement()
        .satisfies(d -> assertThat(d.to()).isEqualTo("RETRY"))
        .satisfies(d -> assertThat(d.attempt()).isEqualTo(1));
    // tests: linear 30 s, equal jitter → 15 to 30 s after the failure, scaled
    AppliedDecision d = appliedDecision(id, 1);
    assertWithin(t, d, Duration.ofSeconds(15), Duration.ofSeconds(30));
    assertThat(t.started(2).orElseThrow()).as(t.toString()).isAfterOrEqualTo(d.runAt());
  }

  @Test
  void badCredentialsAreDeadLetteredOnTheFirstAttempt() {
    UUID id = enqueue(EnqueueRequest.builder("repository"));
    work("repository", 1, ctx -> Future.failedFuture(new ReboundWorker.Failure("HttpError: Bad credentials").httpStatus(401)));

    TaskView failed = awaitState(id, TaskState.FAILED);
    assertThat(failed.attempt()).isEqualTo(1);
    TaskTimeline t = TaskTimeline.of(ledger, id);
    assertThat(t.claims()).as(t.toString()).isEqualTo(1);
    assertThat(t.decisions()).as(t.toString()).singleElement().satisfies(d -> assertThat(d.to()).isEqualTo("FAILED"));
    assertThat(appliedDecision(id, 1).action()).isEqualTo("DEAD_LETTER");
    assertThat(deadLetters(new DeadLetterQuery("repository", null, null, null, 100)))
        .filteredOn(v -> v.id().equals(id)).singleElement()
        .satisfies(v -> assertThat(v.lastError()).isEqualTo("HttpError: Bad credentials"));
  }

  // ------------------------------------------------------------------ 2. the default policy

  @Test
  void injectedTimeoutsAreRetriedAfter1To16ScaledSecondsWithinFullJitterThenDeadLettered() {
    UUID id = enqueue(EnqueueRequest.builder(BACKOFF_STAGE));
    work(BACKOFF_STAGE, 1, ctx -> Future.failedFuture(new SocketTimeoutException("Read timed out")));

    TaskView failed = awaitState(id, TaskState.FAILED);
    assertThat(failed.attempt()).as(TaskTimeline.of(ledger, id).toString()).isEqualTo(6);
    TaskTimeline t = TaskTimeline.of(ledger, id);
    List<Long> nominal = List.of(1L, 2L, 4L, 8L, 16L);
    for (int attempt = 1; attempt <= 5; attempt++) {
      AppliedDecision d = appliedDecision(id, attempt);
      assertThat(d.action()).as("attempt %d; %s", attempt, t).isEqualTo("RETRY");
      assertWithin(t, d, Duration.ZERO, Duration.ofSeconds(nominal.get(attempt - 1)));
      assertThat(t.started(attempt + 1).orElseThrow()).as("attempt %d; %s", attempt + 1, t).isAfterOrEqualTo(d.runAt());
    }
    // the sixth failure spends the run's budget at the ledger too: the retry service's dead-letter finds it FAILED
    BoundedWait.until("the sixth failure decided", LIMIT, () -> decisionCount(id, 6) == 1, t::toString);
    assertThat(appliedDecision(id, 6).action()).isEqualTo("DEAD_LETTER");
    assertThat(t.decisions()).as(t.toString()).hasSize(5);
    assertThat(t.claims()).isEqualTo(6);
    assertThat(deadLetters(new DeadLetterQuery(BACKOFF_STAGE, null, null, null, 100))).extracting(TaskView::id)
        .contains(id);
  }

  @Test
  void aRetryAfterOf120SecondsIsNeverRetriedSooner() {
    UUID id = enqueue(EnqueueRequest.builder("rate-limited"));
    work("rate-limited", 1, ctx -> ctx.task().attempt() == 1
        ? Future.failedFuture(new ReboundWorker.Failure(
            "GitHub API rate limit exceeded: HTTP 429 Too Many Requests, Retry-After: 120").httpStatus(429))
        : Future.succeededFuture());

    awaitState(id, TaskState.DONE);
    TaskTimeline t = TaskTimeline.of(ledger, id);
    AppliedDecision d = appliedDecision(id, 1);
    Instant failedAt = t.failed(1).orElseThrow();
    Duration hint = scaled(Duration.ofSeconds(120));
    assertThat(Duration.between(failedAt, d.runAt())).as(t.toString()).isGreaterThanOrEqualTo(hint);
    assertThat(Duration.between(failedAt, t.started(2).orElseThrow())).as(t.toString()).isGreaterThanOrEqualTo(hint);
  }

  // ------------------------------------------------------------------ 3. a job with permanent failures

  @Test
  void aTenTaskJobWithThreePermanentFailuresEndsWithSevenDoneAndThreeDeadLetteredWithTheirDetails() {
    String job = "job-" + UUID.randomUUID();
    Set<Integer> broken = Set.of(2, 5, 8);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(enqueue(EnqueueRequest.builder("ingest").workflowId(job).payload(new JsonObject().put("shard", i))));
    }
    work("ingest", 3, ctx -> {
      int shard = ctx.payload().getInteger("shard");
      return broken.contains(shard)
          ? Future.failedFuture(new ReboundWorker.Failure("HttpError: Bad credentials for shard " + shard).httpStatus(401))
          : Future.succeededFuture(new JsonObject().put("shard", shard));
    });

    Map<TaskState, List<TaskView>> byState = awaitWorkflow(job, 10);
    assertThat(byState.keySet()).containsOnly(TaskState.DONE, TaskState.FAILED);
    assertThat(byState.get(TaskState.DONE)).hasSize(7);
    List<TaskView> dlq = deadLetters(new DeadLetterQuery(null, job, null, null, 100));
    assertThat(dlq).hasSize(3).allSatisfy(v -> {
      assertThat(v.attempt()).isEqualTo(1);
      assertThat(v.lastError()).isEqualTo("HttpError: Bad credentials for shard " + shard(v));
    });
    assertThat(dlq.stream().map(v -> shard(v))).containsExactlyInAnyOrderElementsOf(broken);
    // what the worker reported about each (its error type among it) is what the analyzer classified
    assertThat(errorTypes(dlq)).containsOnly("dev.rebound.client.ReboundWorker$Failure");
    assertThat(alerts).noneMatch(a -> job.equals(a.getJsonObject("labels").getString("workflow")));
  }

  // ------------------------------------------------------------------ 4. a stage's circuit

  @Test
  void fiveConsecutiveFailuresOpenTheStagesCircuitPauseItsClaimsParkNewFailuresAndAProbeClosesIt() {
    String circuit = "stage:" + CIRCUIT_STAGE;
    AtomicBoolean down = new AtomicBoolean(true);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ids.add(enqueue(EnqueueRequest.builder(CIRCUIT_STAGE)));
    }
    ReboundWorker checkout = work(CIRCUIT_STAGE, 8, ctx -> down.get()
        ? Future.failedFuture(new SocketTimeoutException("Read timed out"))
        : Future.succeededFuture());

    BoundedWait.until(circuit + " open", LIMIT, () -> "OPEN".equals(circuitState(circuit)), circuitEvents::toString);
    // every task failed: the ones decided before the circuit opened wait to retry, the later ones are parked
    BoundedWait.until("every failure decided", LIMIT, () -> ids.stream().map(this::get)
        .allMatch(v -> settled(v, TaskState.RETRY) || settled(v, TaskState.BLOCKED)), () -> states(ids));
    List<UUID> parked = ids.stream().filter(id -> get(id).state() == TaskState.BLOCKED).toList();
    assertThat(parked).as(states(ids)).isNotEmpty();
    parked.forEach(id -> assertThat(appliedDecision(id, get(id).attempt()).action()).isEqualTo("PARK"));

    // while open: the ledger hands out none of the stage's tasks, not even a new one, and the worker holds back
    UUID fresh = enqueue(EnqueueRequest.builder(CIRCUIT_STAGE));
    ids.add(fresh);
    assertThat(await(ledger.claim(ClaimRequest.builder("bystander").stage(CIRCUIT_STAGE).limit(10).build()), LIMIT,
        "a claim while open")).isEmpty();
    assertThat(checkout.status().pausedBy()).contains(circuit);
    // another stage's tasks still flow
    UUID other = enqueue(EnqueueRequest.builder("catalog"));
    work("catalog", 1, ctx -> Future.succeededFuture());
    awaitState(other, TaskState.DONE);
    assertThat(circuitState(circuit)).as("still open once the other stage's task is done").isEqualTo("OPEN");
    assertThat(get(fresh).state()).isEqualTo(TaskState.QUEUED);

    down.set(false);
    BoundedWait.until(circuit + " closed", LIMIT, () -> "CLOSED".equals(circuitState(circuit)), circuitEvents::toString);
    BoundedWait.until("every task of the stage done", LIMIT, () -> ids.stream().map(this::get)
        .allMatch(v -> v.state() == TaskState.DONE), () -> states(ids));

    // OPEN → HALF_OPEN after the open time, one probe, then CLOSED
    Instant openedAt = transitionAt(circuit, "OPEN");
    Instant halfOpenAt = transitionAt(circuit, "HALF_OPEN");
    Instant closedAt = transitionAt(circuit, "CLOSED");
    assertThat(Duration.between(openedAt, halfOpenAt)).isGreaterThanOrEqualTo(scaled(Duration.ofSeconds(150)));
    long probes = ids.stream().map(id -> TaskTimeline.of(ledger, id)).flatMap(t -> t.entries().stream())
        .filter(e -> "RUNNING".equals(e.to()) && !e.at().isBefore(halfOpenAt) && e.at().isBefore(closedAt)).count();
    assertThat(probes).as("claims while half-open").isEqualTo(1);
    parked.forEach(id -> assertThat(TaskTimeline.of(ledger, id).entries())
        .anySatisfy(e -> assertThat(e.from() + "→" + e.to()).isEqualTo("BLOCKED→QUEUED")));
  }

  // ------------------------------------------------------------------ 5. a workflow aborted

  @Test
  void aWorkflowOfTenTasksOfWhichSixFailIsAbortedItsRemainingTasksCancelledAndAnAlertRaised() {
    String workflow = "release-" + UUID.randomUUID();
    for (int i = 0; i < 4; i++) {
      enqueue(EnqueueRequest.builder(ABORT_STAGE).workflowId(workflow).priority(10)
          .payload(new JsonObject().put("ok", true)));
    }
    for (int i = 0; i < 6; i++) {
      enqueue(EnqueueRequest.builder(ABORT_STAGE).workflowId(workflow).payload(new JsonObject().put("ok", false)));
    }
    work(ABORT_STAGE, 1, ctx -> ctx.payload().getBoolean("ok")
        ? Future.succeededFuture()
        : Future.failedFuture(new SocketTimeoutException("Read timed out")));

    Map<TaskState, List<TaskView>> byState = awaitWorkflow(workflow, 10);
    assertThat(byState.keySet()).as(byState.toString()).containsOnly(TaskState.DONE, TaskState.CANCELLED);
    assertThat(byState.get(TaskState.DONE)).allSatisfy(v -> assertThat(((JsonObject) v.payload()).getBoolean("ok")).isTrue()).hasSize(4);
    assertThat(byState.get(TaskState.CANCELLED)).hasSize(6);
    byState.get(TaskState.CANCELLED).forEach(v -> assertThat(TaskTimeline.of(ledger, v.id()).entries())
        .anySatisfy(e -> {
          assertThat(e.to()).isEqualTo("CANCELLED");
          assertThat(e.actor()).isEqualTo(TaskTimeline.RETRY_SERVICE);
        }));
    JsonObject alert = awaitAlert("workflow-aborted", workflow);
    assertThat(alert.getJsonObject("details").getInteger("failures")).isGreaterThanOrEqualTo(6);
    assertThat(alert.getJsonObject("details").getJsonArray("failedTasks")).isNotEmpty();
  }

  // ------------------------------------------------------------------ helpers

  /** The ledger's record of the retry service's decision for (task, attempt). */
  record AppliedDecision(int attempt, String action, Instant runAt, Instant appliedAt) {
  }

  private static AppliedDecision appliedDecision(UUID task, int attempt) {
    var rows = await(pg.preparedQuery("SELECT action, run_at, at FROM ledger.decisions WHERE task_id = $1 AND attempt = $2")
        .execute(Tuple.of(task, attempt)), LIMIT, "reading the decision");
    assertThat(rows.size()).as("decisions of task %s attempt %d", task, attempt).isEqualTo(1);
    Row r = rows.iterator().next();
    return new AppliedDecision(attempt, r.getString("action"),
        r.getOffsetDateTime("run_at") == null ? null : r.getOffsetDateTime("run_at").toInstant(),
        r.getOffsetDateTime("at").toInstant());
  }

  private static long decisionCount(UUID task, int attempt) {
    return await(pg.preparedQuery("SELECT count(*) FROM ledger.decisions WHERE task_id = $1 AND attempt = $2")
        .execute(Tuple.of(task, attempt)), LIMIT, "counting decisions").iterator().next().getLong(0);
  }

  /**
   * The retry is due {@code min}..{@code max} (scaled) after the failure: the decision came between the
   * failure and its application, so {@code runAt - failedAt >= min} and {@code runAt - appliedAt <= max}.
   */
  private static void assertWithin(TaskTimeline t, AppliedDecision d, Duration min, Duration max) {
    assertThat(d.action()).isEqualTo("RETRY");
    Instant failedAt = t.failed(d.attempt()).orElseThrow();
    assertThat(Duration.between(failedAt, d.runAt())).as(t.toString()).isGreaterThanOrEqualTo(scaled(min));
    assertThat(Duration.between(d.appliedAt(), d.runAt())).as(t.toString()).isLessThanOrEqualTo(scaled(max));
  }

  private static Duration scaled(Duration d) {
    return Duration.ofMillis(Math.round(d.toMillis() * SCALE));
  }

  private ReboundWorker work(String stage, int concurrency, TaskHandler handler) {
    ReboundWorker w = ReboundWorker.builder(workerMember, LedgerTransport.eventBus(workerMember))
        .name(stage + "-worker-" + workers.size()).stage(stage).concurrency(concurrency)
        .lease(Duration.ofSeconds(10)).claimWait(Duration.ofMillis(500)).stopTimeout(Duration.ofSeconds(5)).build();
    workers.add(w);
    await(w.work(handler), LIMIT, "starting worker on " + stage);
    return w;
  }

  private static UUID enqueue(EnqueueRequest.Builder task) {
    return UUID.fromString(await(ledger.enqueue(task.build()), LIMIT, "enqueue").getJsonObject("task").getString("id"));
  }

  private TaskView get(UUID id) {
    return await(ledger.get(id), LIMIT, "get " + id);
  }

  /**
   * Waits until the task is in {@code state}; after a failure (RETRY, BLOCKED, FAILED) only once the retry
   * service's decision for that attempt is in: before it, the state is the ledger's provisional one.
   */
  private TaskView awaitState(UUID id, TaskState state) {
    BoundedWait.until("task " + id + " " + state, LIMIT, () -> settled(get(id), state),
        () -> get(id) + "\n" + TaskTimeline.of(ledger, id));
    return get(id);
  }

  private boolean settled(TaskView t, TaskState state) {
    boolean afterFailure = state == TaskState.RETRY || state == TaskState.BLOCKED || state == TaskState.FAILED;
    if (t.state() != state || !afterFailure) {
      return t.state() == state;
    }
    // the decision and the state it leads to are committed together: read the task again once the decision is in
    if (decisionCount(t.id(), t.attempt()) != 1) {
      return false;
    }
    TaskView now = get(t.id());
    return now.state() == state && now.attempt() == t.attempt();
  }


  /** Waits until the workflow's {@code n} tasks are all finished; answers them by state. */
  private static Map<TaskState, List<TaskView>> awaitWorkflow(String workflow, int n) {
    Supplier<List<TaskView>> tasks = () -> await(ledger.list(new ListTasksRequest(null, null, workflow, null, null, 100)),
        LIMIT, "list").getJsonArray("tasks").stream().map(o -> TaskView.fromJson((JsonObject) o)).toList();
    Set<TaskState> finished = Set.of(TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED);
    BoundedWait.until("workflow " + workflow + " finished", LIMIT, () -> {
      List<TaskView> all = tasks.get();
      return all.size() == n && all.stream().allMatch(v -> finished.contains(v.state()));
    }, () -> tasks.get().stream().map(v -> v.id() + " " + v.state()).toList().toString());
    return tasks.get().stream().collect(Collectors.groupingBy(TaskView::state));
  }

  private static List<TaskView> deadLetters(DeadLetterQuery q) {
    return await(ledger.deadLetters(q), LIMIT, "the dead-letter queue").getJsonArray("tasks").stream()
        .map(o -> TaskView.fromJson((JsonObject) o)).toList();
  }

  private static int shard(TaskView v) {
    return ((JsonObject) v.payload()).getInteger("shard");
  }

  private static List<String> errorTypes(List<TaskView> tasks) {
    List<String> out = new ArrayList<>();
    for (TaskView v : tasks) {
      await(pg.preparedQuery("SELECT error_type FROM ledger.failures WHERE task_id = $1").execute(Tuple.of(v.id())),
          LIMIT, "the failures").forEach(r -> out.add(r.getString(0)));
    }
    return out;
  }

  private static String circuitState(String name) {
    return await(retry.circuit(name), LIMIT, "circuit " + name).getString("state");
  }

  private static Instant transitionAt(String circuit, String to) {
    return circuitEvents.stream().filter(e -> circuit.equals(e.getString("name")) && to.equals(e.getString("to")))
        .map(e -> Instant.parse(e.getString("at"))).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no transition of " + circuit + " to " + to + " in " + circuitEvents));
  }

  private static JsonObject awaitAlert(String kind, String workflow) {
    BoundedWait.until(kind + " alert for " + workflow, LIMIT, () -> alerts.stream().anyMatch(a -> matches(a, kind, workflow)),
        alerts::toString);
    return alerts.stream().filter(a -> matches(a, kind, workflow)).findFirst().orElseThrow();
  }

  private static boolean matches(JsonObject alert, String kind, String workflow) {
    JsonObject labels = alert.getJsonObject("labels");
    return labels != null && kind.equals(labels.getString("kind")) && workflow.equals(labels.getString("workflow"));
  }

  /** Each task's state, and the history of those not DONE. */
  private String states(List<UUID> ids) {
    StringBuilder sb = new StringBuilder();
    for (UUID id : ids) {
      TaskView v = get(id);
      sb.append('\n').append(id).append(' ').append(v.state());
      if (v.state() != TaskState.DONE) {
        sb.append('\n').append(TaskTimeline.of(ledger, id));
      }
    }
    return sb.append("\ncircuit events: ").append(circuitEvents).toString();
  }
}
