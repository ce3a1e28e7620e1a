package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A ledger process killed with SIGKILL in the middle of concurrent enqueues and failure reports
 * loses no acknowledged write; after the restart the leases that were running at the crash are
 * rescued as "lease expired" failures and a late completion with an old lease is refused.
 *
 * <p>The crash happens once, in {@link #crashAndRestart()}: the ledger runs as its own JVM
 * ({@code LedgerMain}, configured through {@code REBOUND_*} variables), eight HTTP lanes enqueue
 * and report failures as fast as it answers, a few tasks are claimed with a short lease, and the
 * process is killed while requests are in flight. What PostgreSQL holds is read while the ledger
 * is dead; then a new ledger process starts on the same database. Output of both processes:
 * {@code mesh-app/target/process-logs/}.
 */
class LedgerCrashTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  /** The default lease of the ledger process; the victims are claimed with it. */
  private static final long SHORT_LEASE_MS = 2000;
  /** Tasks the failure lanes report on: claimed with a lease that outlives the test. */
  private static final int FAILABLE_TASKS = 300;
  private static final int VICTIMS = 5;
  /** The kill comes once this many writes were acknowledged (and every kind at least once). */
  private static final int KILL_AFTER_ACKS = 400;
  private static final String WORK_STAGE = "crash-work";
  private static final String VICTIM_STAGE = "crash-victims";
  private static final Path LOGS = Path.of("target", "process-logs");

  private static Vertx vertx;
  private static TestDatabase db;
  private static Pool pg;
  private static WebClient http;
  private static ServiceProcess first;
  private static ServiceProcess restarted;

  private static Load load;
  private static int inFlightAtKill;
  /** Claimed with the short lease just before the kill: task id → lease token. */
  private static final Map<UUID, UUID> victims = new HashMap<>();
  /** PostgreSQL as the dead process left it. */
  private static AtCrash atCrash;

  @BeforeAll
  static void crashAndRestart() throws Exception {
    vertx = Vertx.vertx();
    db = await(TestDatabase.create(vertx, "ledgercrash"), LIMIT, "creating the test database");
    pg = db.pool(vertx, 2);
    http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2000),
        new PoolOptions().setHttp1MaxSize(16));

    first = ServiceProcess.ledger(ledgerSettings(), LOGS.resolve("LedgerCrashTest-first.log"));
    first.awaitReady(http);
    int port = first.port();

    enqueueAll(port, WORK_STAGE, FAILABLE_TASKS);
    enqueueAll(port, VICTIM_STAGE, VICTIMS);
    JsonArray failable = claim(port, new JsonObject().put("worker", "crash-worker").put("stage", WORK_STAGE)
        .put("limit", FAILABLE_TASKS).put("leaseMs", 600_000));
    assertThat(failable).hasSize(FAILABLE_TASKS);

    load = new Load(port, failable);
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      lanes.add(load.lane(load::enqueue));
    }
    for (int i = 0; i < 2; i++) {
      lanes.add(load.lane(load::reportFreeStandingFailure));
      lanes.add(load.lane(load::reportTaskFailure));
    }
    BoundedWait.until(KILL_AFTER_ACKS + " acknowledged writes of every kind", LIMIT,
        () -> !first.isAlive() || load.acknowledged.get() >= KILL_AFTER_ACKS && load.everyKindAcknowledged(),
        () -> load + "; " + first.tail());
    assertThat(first.isAlive()).as("the ledger is still running under load; %s", first.tail()).isTrue();

    // The victims: RUNNING with the default (short) lease at the moment of the crash.
    JsonArray claimed = claim(port, new JsonObject().put("worker", "doomed-worker").put("stage", VICTIM_STAGE)
        .put("limit", VICTIMS));
    claimed.stream().map(JsonObject.class::cast).forEach(t ->
        victims.put(UUID.fromString(t.getString("id")), UUID.fromString(t.getString("leaseToken"))));
    assertThat(victims).hasSize(VICTIMS);

    inFlightAtKill = load.outstanding.get();
    first.kill();
    load.stop();
    await(Future.join(lanes), LIMIT, "the load lanes after the kill");

    atCrash = AtCrash.read(load);
    System.out.printf("LedgerCrashTest: killed pid %d with %d requests in flight; %s%n", first.pid(), inFlightAtKill,
        load);

    restarted = ServiceProcess.ledger(ledgerSettings(), LOGS.resolve("LedgerCrashTest-restarted.log"));
    restarted.awaitReady(http);
  }

  @AfterAll
  static void cleanUp() {
    if (first != null) {
      first.killQuietly();
    }
    if (restarted != null) {
      restarted.killQuietly();
    }
    if (vertx == null) {
      return;
    }
    try {
      if (pg != null) {
        await(pg.close(), LIMIT, "closing the pool");
      }
      if (db != null) {
        await(db.drop(vertx), LIMIT, "dropping the test database");
      }
    } finally {
      // awaited from this thread: a callback chained on a context of the closing instance would never run
      await(vertx.close(), LIMIT, "closing Vert.x");
    }
  }

  private static Map<String, String> ledgerSettings() {
    Map<String, String> s = new HashMap<>(db.settingsOverrides());
    s.put("ledger.lease-ms", Long.toString(SHORT_LEASE_MS));
    s.put("ledger.lease-sweep-interval", "200ms");
    s.put("ledger.retention-sweep-interval", "1h");
    s.put("metrics.jvm", "false");
    return s;
  }

  // ------------------------------------------------------------------ tests

  @Test
  void everyAcknowledgedEnqueueAndFailureReportIsInPostgresqlAfterSigkill() {
    assertThat(inFlightAtKill).as("requests in flight when the process was killed").isPositive();
    assertThat(load.acknowledgedEnqueues).isNotEmpty();
    assertThat(load.acknowledgedFailures).isNotEmpty();
    assertThat(load.acknowledgedTaskFailures).isNotEmpty();

    assertThat(atCrash.tasksByKey).as("acknowledged enqueues (idempotency key → task id)")
        .containsAllEntriesOf(load.acknowledgedEnqueues);
    assertThat(atCrash.failureIds).as("acknowledged free-standing failures")
        .containsAll(load.acknowledgedFailures);
    load.acknowledgedTaskFailures.forEach((task, attempt) -> {
      assertThat(atCrash.taskFailures).as("failure row of acknowledged task failure").contains(task + "#" + attempt);
      assertThat(atCrash.stateOf.get(task)).as("state of task %s after its acknowledged failure", task)
          .isIn("RETRY", "FAILED");
    });
  }

  @Test
  void leasesRunningAtTheCrashAreRescuedAsLeaseExpiredFailuresAfterRestart() {
    assertThat(victims.keySet()).allSatisfy(id ->
        assertThat(atCrash.stateOf.get(id)).as("state of victim %s at the crash", id).isEqualTo("RUNNING"));

    awaitVictimsRescued();

    Map<UUID, Row> tasks = byId(query("SELECT id, state, attempt FROM ledger.tasks WHERE id = ANY($1)",
        Tuple.of(victims.keySet().toArray(new UUID[0]))), "id");
    Map<UUID, Row> failures = byId(query("SELECT task_id, attempt, error_type, message FROM ledger.failures"
        + " WHERE task_id = ANY($1)", Tuple.of(victims.keySet().toArray(new UUID[0]))), "task_id");
    for (UUID id : victims.keySet()) {
      assertThat(tasks.get(id).getString("state")).as("state of rescued task %s", id).isIn("RETRY", "FAILED");
      Row failure = failures.get(id);
      assertThat(failure).as("failure row of rescued task %s", id).isNotNull();
      assertThat(failure.getString("error_type")).isEqualTo("LeaseExpired");
      assertThat(failure.getInteger("attempt")).isEqualTo(1);
      assertThat(failure.getString("message")).contains("lease expired", "doomed-worker");

      JsonArray history = get("/v1/tasks/" + id + "/history").bodyAsJsonObject().getJsonArray("history");
      assertThat(history.stream().map(JsonObject.class::cast))
          .as("history of rescued task %s", id)
          .anySatisfy(h -> {
            assertThat(h.getString("from")).isEqualTo("RUNNING");
            assertThat(h.getString("to")).isIn("RETRY", "FAILED");
            assertThat(h.getString("error")).contains("lease expired");
          });
    }
  }

  @Test
  void aLateCompletionWithTheOldLeaseIsRefusedWithLeaseLost() {
    awaitVictimsRescued();
    for (Map.Entry<UUID, UUID> victim : victims.entrySet()) {
      HttpResponse<Buffer> response = await(http.post(restarted.port(), "127.0.0.1",
              "/v1/tasks/" + victim.getKey() + "/complete").timeout(10_000)
          .sendJsonObject(new JsonObject().put("leaseToken", victim.getValue().toString())
              .put("result", new JsonObject().put("late", true))), LIMIT, "a late completion");
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(409);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("LEASE_LOST");
      assertThat(get("/v1/tasks/" + victim.getKey()).bodyAsJsonObject().getString("state"))
          .isIn("RETRY", "FAILED");
    }
  }

  @Test
  void enqueuesLeftUnansweredByTheCrashAndRetriedAfterRestartCreateEachTaskOnce() {
    List<String> keys = new ArrayList<>(load.unansweredEnqueues);
    for (String key : keys) {
      HttpResponse<Buffer> response = await(http.post(restarted.port(), "127.0.0.1", "/v1/tasks").timeout(10_000)
          .sendJsonObject(Load.enqueueBody(key)), LIMIT, "retrying an enqueue");
      assertThat(response.statusCode()).as(response.bodyAsString()).isIn(200, 201);
      String id = response.bodyAsJsonObject().getJsonObject("task").getString("id");
      if (atCrash.tasksByKey.containsKey(key)) {
        // committed before the crash without an answer: the retry finds it
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(id).isEqualTo(atCrash.tasksByKey.get(key).toString());
      }
    }
    Set<String> all = new HashSet<>(keys);
    all.addAll(load.acknowledgedEnqueues.keySet());
    RowSet<Row> counts = query("SELECT count(*) AS tasks, count(DISTINCT idempotency_key) AS keys FROM ledger.tasks"
        + " WHERE idempotency_key = ANY($1)", Tuple.of(all.toArray(new String[0])));
    Row row = counts.iterator().next();
    assertThat(row.getLong("keys")).isEqualTo(all.size());
    assertThat(row.getLong("tasks")).isEqualTo(all.size());
  }

  // ------------------------------------------------------------------ helpers

  private static void awaitVictimsRescued() {
    Tuple ids = Tuple.of(victims.keySet().toArray(new UUID[0]));
    BoundedWait.until("the rescue of the expired leases", LIMIT,
        () -> query("SELECT id FROM ledger.tasks WHERE id = ANY($1) AND state = 'RUNNING'", ids).size() == 0,
        restarted::tail);
  }

  private static void enqueueAll(int port, String stage, int count) {
    List<Future<HttpResponse<Buffer>>> sent = IntStream.range(0, count)
        .mapToObj(i -> http.post(port, "127.0.0.1", "/v1/tasks").timeout(10_000)
            .sendJsonObject(new JsonObject().put("stage", stage).put("payload", new JsonObject().put("n", i))))
        .toList();
    await(Future.all(sent), LIMIT, "enqueueing " + count + " tasks on " + stage);
    assertThat(sent).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(201));
  }

  private static JsonArray claim(int port, JsonObject request) {
    HttpResponse<Buffer> response = await(http.post(port, "127.0.0.1", "/v1/tasks/claim").timeout(10_000)
        .sendJsonObject(request), LIMIT, "a claim");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("tasks");
  }

  private static HttpResponse<Buffer> get(String path) {
    HttpResponse<Buffer> response = await(http.get(restarted.port(), "127.0.0.1", path).timeout(10_000).send(),
        LIMIT, "GET " + path);
    assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(200);
    return response;
  }

  private static RowSet<Row> query(String sql, Tuple args) {
    return await(pg.preparedQuery(sql).execute(args), LIMIT, sql);
  }

  private static Map<UUID, Row> byId(RowSet<Row> rows, String column) {
    Map<UUID, Row> out = new HashMap<>();
    rows.forEach(r -> out.put(r.getUUID(column), r));
    return out;
  }

  /** What PostgreSQL holds about the load while no ledger runs. */
  private record AtCrash(Map<String, UUID> tasksByKey, Set<UUID> failureIds, Set<String> taskFailures,
                         Map<UUID, String> stateOf) {

    static AtCrash read(Load load) {
      Map<String, UUID> byKey = new HashMap<>();
      Set<String> keys = new HashSet<>(load.acknowledgedEnqueues.keySet());
      keys.addAll(load.unansweredEnqueues);
      query("SELECT idempotency_key, id FROM ledger.tasks WHERE idempotency_key = ANY($1)",
          Tuple.of(keys.toArray(new String[0]))).forEach(r -> byKey.put(r.getString("idempotency_key"), r.getUUID("id")));

      Set<UUID> failureIds = new HashSet<>();
      query("SELECT id FROM ledger.failures WHERE id = ANY($1)",
          Tuple.of(load.acknowledgedFailures.toArray(new UUID[0]))).forEach(r -> failureIds.add(r.getUUID("id")));

      Set<UUID> tasks = new HashSet<>(load.acknowledgedTaskFailures.keySet());
      tasks.addAll(victims.keySet());
      UUID[] taskIds = tasks.toArray(new UUID[0]);
      Set<String> taskFailures = new HashSet<>();
      query("SELECT task_id, attempt FROM ledger.failures WHERE task_id = ANY($1)", Tuple.of(taskIds))
          .forEach(r -> taskFailures.add(r.getUUID("task_id") + "#" + r.getInteger("attempt")));
      Map<UUID, String> states = new HashMap<>();
      query("SELECT id, state FROM ledger.tasks WHERE id = ANY($1)", Tuple.of(taskIds))
          .forEach(r -> states.put(r.getUUID("id"), r.getString("state")));
      return new AtCrash(byKey, failureIds, taskFailures, states);
    }
  }

  /**
   * Concurrent HTTP writers. Each lane sends its next request as soon as the previous one is
   * answered, so requests are always in flight; every 2xx is recorded as an acknowledged write.
   */
  private static final class Load {
    private final int port;
    private final Queue<JsonObject> failable = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sequence = new AtomicInteger();
    final Map<String, UUID> acknowledgedEnqueues = new ConcurrentHashMap<>();
    /** Keys sent that got no 2xx (no answer, or an error): their fate is unknown. */
    final Set<String> unansweredEnqueues = ConcurrentHashMap.newKeySet();
    final Set<UUID> acknowledgedFailures = ConcurrentHashMap.newKeySet();
    /** Task id → the attempt whose failure was acknowledged. */
    final Map<UUID, Integer> acknowledgedTaskFailures = new ConcurrentHashMap<>();
    final AtomicInteger acknowledged = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger unanswered = new AtomicInteger();
    final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean stopped;

    Load(int port, JsonArray claimed) {
      this.port = port;
      claimed.forEach(t -> failable.add((JsonObject) t));
    }

    void stop() {
      stopped = true;
    }

    boolean everyKindAcknowledged() {
      return !acknowledgedEnqueues.isEmpty() && !acknowledgedFailures.isEmpty() && !acknowledgedTaskFailures.isEmpty();
    }

    /** Runs {@code step} until it says there is nothing left or the load is stopped; never fails. */
    Future<Void> lane(Supplier<Future<Boolean>> step) {
      Promise<Void> done = Promise.promise();
      next(step, done);
      return done.future();
    }

    private void next(Supplier<Future<Boolean>> step, Promise<Void> done) {
      if (stopped) {
        done.complete();
        return;
      }
      step.get().onComplete(ar -> {
        if (ar.succeeded() && ar.result()) {
          next(step, done);
        } else {
          done.complete();
        }
      });
    }

    static JsonObject enqueueBody(String key) {
      return new JsonObject().put("idempotencyKey", key).put("stage", "crash-enqueued")
          .put("payload", new JsonObject().put("key", key));
    }

    Future<Boolean> enqueue() {
      String key = "crash-" + sequence.incrementAndGet();
      unansweredEnqueues.add(key);
      return post("/v1/tasks", enqueueBody(key), body -> {
        acknowledgedEnqueues.put(key, UUID.fromString(body.getJsonObject("task").getString("id")));
        unansweredEnqueues.remove(key);
      });
    }

    Future<Boolean> reportFreeStandingFailure() {
      UUID failureId = UUID.randomUUID();
      JsonObject failure = new JsonObject().put("failureId", failureId.toString()).put("source", "crash-test")
          .put("stage", "crash-free").put("message", "connection reset by peer #" + sequence.incrementAndGet())
          .put("errorType", "java.io.IOException");
      return post("/v1/failures", failure, body -> acknowledgedFailures.add(failureId));
    }

    Future<Boolean> reportTaskFailure() {
      JsonObject task = failable.poll();
      if (task == null) {
        return Future.succeededFuture(false);
      }
      UUID id = UUID.fromString(task.getString("id"));
      int attempt = task.getInteger("attempt");
      JsonObject failure = new JsonObject().put("taskId", id.toString()).put("attempt", attempt)
          .put("leaseToken", task.getString("leaseToken")).put("source", "crash-worker")
          .put("message", "upstream answered 503").put("errorType", "UpstreamUnavailable").put("httpStatus", 503);
      return post("/v1/failures", failure, body -> acknowledgedTaskFailures.put(id, attempt));
    }

    /** Sends one write; {@code onAck} records it when the answer is 2xx. Completes with "go on" unless stopped. */
    private Future<Boolean> post(String path, JsonObject body, Consumer<JsonObject> onAck) {
      outstanding.incrementAndGet();
      return http.post(port, "127.0.0.1", path).timeout(10_000).sendJsonObject(body)
          .map(response -> {
            if (response.statusCode() / 100 == 2) {
              onAck.accept(response.bodyAsJsonObject());
              acknowledged.incrementAndGet();
            } else {
              refused.incrementAndGet();
            }
            return true;
          })
          .otherwise(t -> {
            unanswered.incrementAndGet();
            return true;
          })
          .eventually(() -> {
            outstanding.decrementAndGet();
            return Future.succeededFuture();
          })
          .map(goOn -> !stopped);
    }

    @Override
    public String toString() {
      return "load{acknowledged=" + acknowledged + " (enqueues " + acknowledgedEnqueues.size() + ", failures "
          + acknowledgedFailures.size() + ", task failures " + acknowledgedTaskFailures.size() + "), refused="
          + refused + ", unanswered=" + unanswered + ", outstanding=" + outstanding + "}";
    }
  }
}
