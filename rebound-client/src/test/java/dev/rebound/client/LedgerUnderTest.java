package dev.rebound.client;

import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.MutableClock;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.ledger.LedgerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A real ledger for one test class: its own database on the local PostgreSQL, a local event bus, HTTP
 * on a free port, and a clock the test moves. Retries wait an hour of that clock, so a failed task
 * stays in RETRY until the test moves the clock; leases are rescued every 100 ms.
 */
final class LedgerUnderTest {
  final Vertx vertx;
  final TestDatabase db;
  final LedgerVerticle verticle;
  final LedgerClient client;
  final MutableClock clock;
  final Pool pool;
  private final String deploymentId;

  private LedgerUnderTest(Vertx vertx, TestDatabase db, MutableClock clock, LedgerVerticle verticle, String id) {
    this.vertx = vertx;
    this.db = db;
    this.clock = clock;
    this.verticle = verticle;
    this.deploymentId = id;
    this.client = new LedgerClient(vertx, 10_000);
    this.pool = db.pool(vertx, 2);
  }

  static LedgerUnderTest start(String name) throws Exception {
    Vertx vertx = Vertx.builder().build();
    TestDatabase db = await(TestDatabase.create(vertx, name));
    Map<String, String> all = new HashMap<>(db.settingsOverrides());
    all.put("http.port", "0");
    all.put("ledger.retention-sweep-interval", "1h");
    all.put("ledger.lease-sweep-interval", "100ms");
    all.put("ledger.retry.base", "1h");
    all.put("ledger.retry.cap", "1h");
    Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(all);
    MutableClock clock = new MutableClock();
    LedgerVerticle verticle = new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(), clock);
    String id = await(vertx.deployVerticle(verticle));
    return new LedgerUnderTest(vertx, db, clock, verticle, id);
  }

  URI httpBase() {
    return URI.create("http://127.0.0.1:" + verticle.actualPort());
  }

  TaskView enqueue(String stage, JsonObject payload) throws Exception {
    return TaskView.fromJson(await(client.enqueue(EnqueueRequest.builder(stage).payload(payload).build()))
        .getJsonObject("task"));
  }

  TaskView task(UUID id) throws Exception {
    return await(client.get(id));
  }

  TaskView awaitState(UUID id, TaskState state) throws Exception {
    until("task " + id + " is " + state, () -> task(id).state() == state);
    return task(id);
  }

  /** The failures the ledger recorded for a task (oldest first), or the free-standing ones when id is null. */
  List<Row> failures(UUID taskId, String stage) throws Exception {
    List<Row> rows = new ArrayList<>();
    String sql = taskId == null
        ? "SELECT * FROM ledger.failures WHERE task_id IS NULL AND stage = $1 ORDER BY recorded_at"
        : "SELECT * FROM ledger.failures WHERE task_id = $1 ORDER BY attempt";
    await(pool.preparedQuery(sql).execute(Tuple.of(taskId == null ? stage : taskId))).forEach(rows::add);
    return rows;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Polls until {@code condition} holds (15 s at most). */
  static void until(String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!condition.call()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  void close() throws Exception {
    try {
      await(pool.close());
      await(vertx.undeploy(deploymentId));
    } finally {
      try {
        await(db.drop(vertx));
      } finally {
        await(vertx.close());
      }
    }
  }
}
