package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.client.LedgerTransport;
import dev.rebound.client.ReboundWorker;
import dev.rebound.client.TaskHandler;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The retry service as a JVM of its own ({@code RetryMain}, joined to the cluster of the ledger, the
 * analyzer and the workers, each a clustered Vert.x in this JVM) is killed with SIGKILL while failures
 * are being decided, and a new process takes its place. The crash happens once, in
 * {@link #crashAndRestart()}; the tests look at what users see afterwards. Output of both processes:
 * {@code mesh-app/target/process-logs/}.
 */
class RetryCrashTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final Path LOGS = Path.of("target", "process-logs");
  /** Its circuit is opened before the crash (open for 1 h × the time scale: 72 s). */
  private static final String DOWN_STAGE = "crash-down";
  /** Each task fails once and then succeeds; its circuit is off, so the failures are only decided. */
  private static final String FLAKY_STAGE = "crash-flaky";
  private static final int FLAKY_TASKS = 20;
  /** The kill comes once this many of the flaky failures were decided. */
  private static final int KILL_AFTER_DECISIONS = 4;

  private static LoopbackCluster cluster;
  private static Vertx ledgerMember;
  private static Vertx analyzerMember;
  private static Vertx workerMember;
  private static TestDatabase db;
  private static Pool pg;
  private static WebClient http;
  private static LedgerClient ledger;
  private static ServiceProcess first;
  private static ServiceProcess restarted;
  private static final List<ReboundWorker> workers = new ArrayList<>();
  private static final List<UUID> downTasks = new ArrayList<>();
  private static final List<UUID> flakyTasks = new ArrayList<>();
  private static JsonObject circuitBeforeKill;
  private static long undecidedAtKill;

  @BeforeAll
  static void crashAndRestart() throws Exception {
    cluster = LoopbackCluster.of("rebound-retry-crash", 5);  // seats 3 and 4: the first and the restarted process
    ledgerMember = cluster.member(0);
    analyzerMember = cluster.member(1);
    workerMember = cluster.member(2);
    db = await(TestDatabase.create(workerMember, "retrycrash"), LIMIT, "creating the test database");
    pg = db.pool(workerMember, 2);
    http = WebClient.create(workerMember, new WebClientOptions().setConnectTimeout(2000));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    o.put("pg.pool-size", "4");
    o.put("ledger.retry.base", "10m");
    o.put("ledger.retry.cap", "1h");
    // without jitter: a full-jitter draw of the provisional ten minutes could come due before the decision
    o.put("ledger.retry.jitter", "none");
    // an undecided failure goes to the analyzer again after 0.5 s, 1 s, 2 s… (the resend sweep runs every second)
    o.put("ledger.decision-timeout", "500ms");
    o.put("ledger.lease-sweep-interval", "200ms");
    await(ledgerMember.deployVerticle(LedgerVerticle.fromSettings(cluster.settings(0, o))), LIMIT, "deploying the ledger");
    await(analyzerMember.deployVerticle(AnalyzerVerticle.fromSettings(cluster.settings(1, o))), LIMIT,
        "deploying the analyzer");
    ledger = new LedgerClient(workerMember, 10_000);

    first = startRetry(3, "RetryCrashTest-first.log");

    // a stage whose circuit opens: five timeouts in a row
    for (int i = 0; i < 5; i++) {
      downTasks.add(enqueue(DOWN_STAGE));
    }
    work(DOWN_STAGE, 5, ctx -> Future.failedFuture(new SocketTimeoutException("Read timed out")));
    BoundedWait.until("stage:" + DOWN_STAGE + " open", LIMIT,
        () -> "OPEN".equals(circuit(first, "stage:" + DOWN_STAGE).getString("state")), first::tail);
    circuitBeforeKill = circuit(first, "stage:" + DOWN_STAGE);

    // a burst of failures, killed in the middle of deciding them
    for (int i = 0; i < FLAKY_TASKS; i++) {
      flakyTasks.add(enqueue(FLAKY_STAGE));
    }
    work(FLAKY_STAGE, 4, ctx -> ctx.task().attempt() == 1
        ? Future.failedFuture(new SocketTimeoutException("Read timed out"))
        : Future.succeededFuture());
    BoundedWait.until(KILL_AFTER_DECISIONS + " flaky failures decided", LIMIT,
        () -> decided(FLAKY_STAGE) >= KILL_AFTER_DECISIONS, first::tail);
    first.kill();
    undecidedAtKill = FLAKY_TASKS - decided(FLAKY_STAGE);
    System.out.printf("RetryCrashTest: killed pid %d with %d of %d flaky failures undecided%n", first.pid(),
        undecidedAtKill, FLAKY_TASKS);

    restarted = startRetry(4, "RetryCrashTest-restarted.log");
  }

  @AfterAll
  static void cleanUp() {
    List<Runnable> steps = new ArrayList<>();
    workers.forEach(w -> steps.add(() -> await(w.stop(), LIMIT, "stopping " + w.name())));
    steps.add(() -> first.killQuietly());
    steps.add(() -> restarted.killQuietly());
    steps.add(() -> await(analyzerMember.close(), LIMIT, "closing the analyzer member"));
    steps.add(() -> await(ledgerMember.close(), LIMIT, "closing the ledger member"));
    steps.add(() -> await(pg.close(), LIMIT, "closing the pool"));
    steps.add(() -> await(db.drop(workerMember), LIMIT, "dropping the database"));
    steps.add(() -> await(workerMember.close(), LIMIT, "closing the worker member"));
    BoundedWait.closeAll(steps);
  }

  @Test
  void anOpenCircuitIsStillOpenAfterTheRestart() {
    JsonObject after = circuit(restarted, "stage:" + DOWN_STAGE);
    assertThat(after.getString("state")).isEqualTo("OPEN");
    assertThat(after.getString("since")).isEqualTo(circuitBeforeKill.getString("since"));
    assertThat(after.getString("openUntil")).isEqualTo(circuitBeforeKill.getString("openUntil"));
    // and the ledger still holds the stage's tasks back: each is waiting, none was handed out again
    downTasks.forEach(id -> assertThat(get(id).state()).isIn(TaskState.RETRY, TaskState.BLOCKED));
  }

  @Test
  void noTaskIsStuck() {
    assertThat(undecidedAtKill).as("failures left to decide at the kill").isPositive();
    BoundedWait.until("every flaky task done", LIMIT,
        () -> flakyTasks.stream().allMatch(id -> get(id).state() == TaskState.DONE),
        () -> flakyTasks.stream().map(id -> id + " " + get(id).state()).toList() + "\n" + restarted.tail());
    // the stage held back by its circuit: every failure got its decision
    BoundedWait.until("every failure of " + DOWN_STAGE + " decided", LIMIT,
        () -> downTasks.stream().allMatch(id -> decisionsOf(id).containsKey(get(id).attempt())),
        () -> downTasks.stream().map(id -> TaskTimeline.of(ledger, id).toString()).toList().toString());
  }

  @Test
  void noDecisionIsAppliedTwice() {
    noTaskIsStuck();
    for (UUID id : concat(flakyTasks, downTasks)) {
      TaskTimeline t = TaskTimeline.of(ledger, id);
      Map<Integer, Long> perAttempt = t.decisions().stream()
          .collect(Collectors.groupingBy(TaskTimeline.Entry::attempt, Collectors.counting()));
      assertThat(perAttempt.values()).as(t.toString()).allMatch(n -> n == 1);
      assertThat(perAttempt.keySet()).as(t.toString()).isEqualTo(decisionsOf(id).keySet());
    }
    flakyTasks.forEach(id -> assertThat(TaskTimeline.of(ledger, id).decisions()).singleElement()
        .satisfies(d -> assertThat(d.attempt()).isEqualTo(1)));
  }

  // ------------------------------------------------------------------ helpers

  private static ServiceProcess startRetry(int seat, String log) throws Exception {
    Map<String, String> env = new HashMap<>(db.settingsOverrides());
    env.putAll(cluster.processSettings(seat));
    env.put("pg.pool-size", "4");
    env.put("retry.time-scale", "0.02");
    env.put("retry.sweep-interval", "100ms");
    Path yaml = LOGS.resolve("RetryCrashTest-retry.yaml");
    Files.createDirectories(LOGS);
    Files.writeString(yaml, """
        retry:
          circuits:
            stage:
              open-duration: 1h
              max-open-duration: 2h
            names:
              "stage:%s":
                enabled: false
          budgets:
            stage:
              min-retries-per-second: 1000
            global:
              min-retries-per-second: 1000
        """.formatted(FLAKY_STAGE), StandardCharsets.UTF_8);
    ServiceProcess p = ServiceProcess.retry(env, yaml, LOGS.resolve(log));
    p.awaitReady(http);
    return p;
  }

  private static JsonObject circuit(ServiceProcess retry, String name) {
    var r = await(http.get(retry.port(), "127.0.0.1", "/v1/circuits/" + name).timeout(5000).send(), LIMIT,
        "GET circuit " + name);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static void work(String stage, int concurrency, TaskHandler handler) {
    ReboundWorker w = ReboundWorker.builder(workerMember, LedgerTransport.eventBus(workerMember))
        .name(stage + "-worker").stage(stage).concurrency(concurrency)
        .lease(Duration.ofSeconds(30)).claimWait(Duration.ofMillis(500)).stopTimeout(Duration.ofSeconds(5)).build();
    workers.add(w);
    await(w.work(handler), LIMIT, "starting worker on " + stage);
  }

  private static UUID enqueue(String stage) {
    return UUID.fromString(await(ledger.enqueue(EnqueueRequest.builder(stage).build()), LIMIT, "enqueue")
        .getJsonObject("task").getString("id"));
  }

  private static TaskView get(UUID id) {
    return await(ledger.get(id), LIMIT, "get " + id);
  }

  /** Decisions the ledger recorded for the stage's tasks. */
  private static long decided(String stage) {
    return await(pg.preparedQuery("SELECT count(*) FROM ledger.decisions d JOIN ledger.tasks t ON t.id = d.task_id"
        + " WHERE t.stage = $1").execute(Tuple.of(stage)), LIMIT, "counting decisions").iterator().next().getLong(0);
  }

  /** The ledger's decisions of a task: attempt → action. */
  private static Map<Integer, String> decisionsOf(UUID task) {
    Map<Integer, String> out = new HashMap<>();
    await(pg.preparedQuery("SELECT attempt, action FROM ledger.decisions WHERE task_id = $1 AND applied")
        .execute(Tuple.of(task)), LIMIT, "reading decisions").forEach(r -> out.put(r.getInteger(0), r.getString(1)));
    return out;
  }

  private static List<UUID> concat(List<UUID> a, List<UUID> b) {
    List<UUID> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
