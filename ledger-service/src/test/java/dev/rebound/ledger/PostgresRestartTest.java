package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.PrivatePostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL taken away under load — its backends terminated, then the server restarted — on a
 * private server this test starts itself (the shared one is other tests'): outages answer 503, never
 * 500; readiness goes DOWN, then UP by itself within 10 s; the ledger listens again; every
 * acknowledged write is there afterwards and no task completes twice.
 */
class PostgresRestartTest {
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final Set<String> enqueued = ConcurrentHashMap.newKeySet();
  private final Set<String> completed = ConcurrentHashMap.newKeySet();
  private final Set<String> failures = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger keys = new AtomicInteger();

  @Test
  void aRestartedPostgresLosesNoAcknowledgedWriteAndEveryPartRecoversByItself() throws Exception {
    assumeTrue(PrivatePostgres.available(), "PostgreSQL 15 binaries are not installed");
    try (PrivatePostgres pg = PrivatePostgres.start()) {
      Vertx vertx = Vertx.vertx();
      try {
        run(vertx, pg);
      } finally {
        await(vertx.close());
      }
    }
  }

  private void run(Vertx vertx, PrivatePostgres pg) throws Exception {
    Map<String, String> overrides = new HashMap<>(pg.settingsOverrides());
    overrides.put("http.port", "0");
    overrides.put("ledger.lease-sweep-interval", "200ms");
    overrides.put("pg.statement-timeout", "5s");
    Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(overrides);
    LedgerVerticle ledger = new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(),
        Clock.systemUTC());
    await(vertx.deployVerticle(ledger));
    int port = ledger.actualPort();
    WebClient http = WebClient.wrap(vertx.createHttpClient(new HttpClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16)));
    PgConnectOptions admin = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.port()).setUser("postgres")
        .setDatabase("postgres");

    List<Future<Void>> loops = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      loops.add(loop(vertx, () -> enqueue(http, port)));
    }
    for (int i = 0; i < 3; i++) {
      String worker = "worker-" + i;
      loops.add(loop(vertx, () -> claimAndFinish(http, port, worker)));
    }
    pause(1500);

    // 1. every connection of the ledger killed under it
    Pool adminPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(admin).using(vertx).build();
    long killed = await(adminPool.query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        + " WHERE datname = 'postgres' AND pid <> pg_backend_pid()").execute()).iterator().next().getLong(0);
    await(adminPool.close());
    assertThat(killed).as("backends terminated").isPositive();
    assertThat(within(10_000, () -> ready(http, port) == 200)).as("ready again after the backends died").isTrue();
    pause(1000);

    // 2. the server stopped: DOWN, 503s
    pg.stopServer();
    long stoppedAt = System.nanoTime();
    assertThat(within(5_000, () -> ready(http, port) == 503)).as("readiness DOWN while PostgreSQL is stopped").isTrue();
    long downAfterMs = (System.nanoTime() - stoppedAt) / 1_000_000;
    pause(1500);
    assertThat(statuses).as("requests during the outage were answered 503").containsKey(503);

    // 3. back: UP within 10 s, listening again, load served
    pg.startServer();
    long startedAt = System.nanoTime();
    assertThat(within(10_000, () -> ready(http, port) == 200)).as("ready within 10 s of PostgreSQL's return").isTrue();
    long upAfterMs = (System.nanoTime() - startedAt) / 1_000_000;
    Pool check = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(admin).using(vertx).build();
    assertThat(within(10_000, () -> listening(check))).as("LISTEN resubscribed").isTrue();
    int servedBefore = enqueued.size();
    assertThat(within(10_000, () -> enqueued.size() > servedBefore + 20)).as("enqueues served again").isTrue();
    pause(1000);

    running.set(false);
    await(Future.join(loops));
    System.out.printf("restart test: readiness DOWN after %d ms, UP after %d ms; statuses %s; %d enqueued, "
        + "%d completed, %d failures acknowledged%n", downAfterMs, upAfterMs, statuses, enqueued.size(),
        completed.size(), failures.size());

    assertThat(statuses.keySet()).as("no 500: %s", statuses).allMatch(s -> s < 500 || s == 503);
    try {
      assertAcknowledgedWritesPresent(check);
    } finally {
      await(check.close());
    }
  }

  private void assertAcknowledgedWritesPresent(Pool check) throws Exception {
    UUID[] ids = enqueued.stream().map(UUID::fromString).toArray(UUID[]::new);
    long present = await(check.preparedQuery("SELECT count(*) FROM ledger.tasks WHERE id = ANY($1)")
        .execute(Tuple.of(ids))).iterator().next().getLong(0);
    assertThat(present).as("every acknowledged enqueue is stored").isEqualTo(ids.length);
    UUID[] done = completed.stream().map(UUID::fromString).toArray(UUID[]::new);
    long doneNow = await(check.preparedQuery("SELECT count(*) FROM ledger.tasks WHERE id = ANY($1) AND state = 'DONE'")
        .execute(Tuple.of(done))).iterator().next().getLong(0);
    assertThat(doneNow).as("every acknowledged completion is DONE").isEqualTo(done.length);
    UUID[] failed = failures.stream().map(UUID::fromString).toArray(UUID[]::new);
    long recorded = await(check.preparedQuery("SELECT count(*) FROM ledger.failures WHERE id = ANY($1)")
        .execute(Tuple.of(failed))).iterator().next().getLong(0);
    assertThat(recorded).as("every acknowledged failure is recorded").isEqualTo(failed.length);
    long doubled = await(check.query("SELECT count(*) FROM (SELECT task_id FROM ledger.history WHERE to_state = 'DONE'"
        + " GROUP BY task_id HAVING count(*) > 1) d").execute()).iterator().next().getLong(0);
    assertThat(doubled).as("no task completed twice").isZero();
    assertThat(done.length).as("the run completed work").isPositive();
    assertThat(failed.length).as("the run recorded failures").isPositive();
  }

  // ------------------------------------------------------------------ load

  private Future<Void> loop(Vertx vertx, java.util.function.Supplier<Future<?>> step) {
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> next(vertx, step, done));
    return done.future();
  }

  private void next(Vertx vertx, java.util.function.Supplier<Future<?>> step, Promise<Void> done) {
    if (!running.get()) {
      done.complete();
      return;
    }
    step.get().onComplete(ar -> {
      // an outage answers at once: pace the loop so it does not spin
      vertx.setTimer(ar.succeeded() ? 1 : 50, t -> next(vertx, step, done));
    });
  }

  private Future<?> enqueue(WebClient http, int port) {
    String key = "k-" + keys.incrementAndGet();
    return http.post(port, "127.0.0.1", "/v1/tasks").sendJsonObject(new JsonObject().put("stage", "restart")
        .put("idempotencyKey", key)).map(r -> {
          count(r);
          if (r.statusCode() == 201 || r.statusCode() == 200) {
            enqueued.add(r.bodyAsJsonObject().getJsonObject("task").getString("id"));
          }
          return r;
        });
  }

  private Future<?> claimAndFinish(WebClient http, int port, String worker) {
    return http.post(port, "127.0.0.1", "/v1/tasks/claim").sendJsonObject(new JsonObject().put("worker", worker)
        .put("stage", "restart").put("limit", 5).put("waitMs", 200)).compose(r -> {
          count(r);
          if (r.statusCode() != 200) {
            return Future.succeededFuture();
          }
          JsonArray tasks = r.bodyAsJsonObject().getJsonArray("tasks");
          List<Future<?>> finished = new java.util.ArrayList<>();
          for (int i = 0; i < tasks.size(); i++) {
            JsonObject t = tasks.getJsonObject(i);
            finished.add(t.getString("id").hashCode() % 3 == 0 ? fail(http, port, t) : complete(http, port, t));
          }
          return Future.join(finished.stream().map(f -> (Future<?>) f).toList());
        });
  }

  private Future<?> complete(WebClient http, int port, JsonObject task) {
    String id = task.getString("id");
    return http.post(port, "127.0.0.1", "/v1/tasks/" + id + "/complete")
        .sendJsonObject(new JsonObject().put("leaseToken", task.getString("leaseToken"))).map(r -> {
          count(r);
          if (r.statusCode() == 200) {
            completed.add(id);
          }
          return r;
        });
  }

  private Future<?> fail(WebClient http, int port, JsonObject task) {
    String failureId = UUID.randomUUID().toString();
    return http.post(port, "127.0.0.1", "/v1/failures").sendJsonObject(new JsonObject().put("failureId", failureId)
        .put("taskId", task.getString("id")).put("leaseToken", task.getString("leaseToken"))
        .put("message", "upstream refused").put("source", "restart-test")).map(r -> {
          count(r);
          if (r.statusCode() == 202) {
            failures.add(failureId);
          }
          return r;
        });
  }

  private void count(HttpResponse<Buffer> r) {
    statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
  }

  // ------------------------------------------------------------------ probes

  private static int ready(WebClient http, int port) {
    try {
      return http.get(port, "127.0.0.1", "/health/ready").send().toCompletionStage().toCompletableFuture()
          .get(5, TimeUnit.SECONDS).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static boolean listening(Pool check) {
    try {
      Row r = check.query("SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'").execute()
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).iterator().next();
      return r.getLong(0) > 0;
    } catch (Exception e) {
      return false;
    }
  }

  /** Polls {@code condition} every 50 ms for at most {@code boundMs}. */
  private static boolean within(long boundMs, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + boundMs * 1_000_000;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }

  /** Lets the load run for a while (the test's phases, not a wait for an outcome). */
  private static void pause(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }
}
