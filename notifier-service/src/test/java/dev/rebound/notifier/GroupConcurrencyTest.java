package dev.rebound.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two notifier instances on one database take alerts into the same aggregation group while both flush it: intake does
 * not lock the group's header, so these run side by side, and nothing may be lost or counted twice — every alert a
 * member once, every firing member eventually told, every resolution told and forgotten, and a group emptied by a
 * flush while an alert joins it either keeps that alert or is created again with it.
 */
class GroupConcurrencyTest {
  static Vertx vertx;
  static TestDatabase db;
  static Pool pool;
  static WebClient http;
  static final ChannelStubs stubs = new ChannelStubs();
  static final List<NotifierVerticle> instances = new ArrayList<>();
  static final List<String> deployments = new ArrayList<>();

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    int port = await(stubs.start(vertx));
    db = await(TestDatabase.create(vertx, "notifier"));
    Path yaml = dir.resolve("rebound.yaml");
    Files.writeString(yaml, """
        notifier:
          sweep-interval: 1h
          receivers:
            - name: hook
              webhook: {url: http://127.0.0.1:%d/hook/groups, max-per-second: 100000}
          route:
            receiver: hook
            group-by: [phase]
            group-wait: 0s
            group-interval: 10ms
            repeat-interval: 4h
        """.formatted(port));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    o.put("pg.pool-size", "4");
    Settings settings = Settings.load(Map.of(), Optional.of(yaml)).withOverrides(o);
    for (int i = 0; i < 2; i++) {
      NotifierVerticle n = new NotifierVerticle(NotifierConfig.from(settings), settings.pgConnectOptions(),
          Clock.systemUTC());
      deployments.add(await(vertx.deployVerticle(n)));
      instances.add(n);
    }
    pool = db.pool(vertx, 2);
    http = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    for (String d : deployments) {
      await(vertx.undeploy(d));
    }
    await(stubs.stop());
    await(db.drop(vertx));
    await(vertx.close());
  }

  @Test
  void twoInstancesTakingAlertsIntoOneGroupWhileBothFlushItCountEachAlertOnceAndTellEveryOne() throws Exception {
    int n = 1200;
    int failed = whileFlushing(() -> post(n, i -> alert("storm", "s-" + i, null)));
    assertThat(failed).as("intakes refused").isZero();

    assertThat(count("SELECT count(*) FROM notifier.alerts WHERE labels ->> 'phase' = 'storm' AND state = 'FIRING'"))
        .isEqualTo(n);
    assertThat(count("SELECT count(*) FROM notifier.groups WHERE group_labels ->> 'phase' = 'storm'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM notifier.group_members WHERE group_key = " + group("storm")
        + " AND firing_since IS NOT NULL AND NOT resolved")).isEqualTo(n);

    settle("storm");
    assertThat(count("SELECT count(*) FROM notifier.group_members WHERE group_key = " + group("storm")
        + " AND notified_firing")).as("every member told firing").isEqualTo(n);
  }

  @Test
  void resolutionsAndNewAlertsOfTheSameKeysRacingFlushesLoseNothing() throws Exception {
    int n = 600;
    assertThat(whileFlushing(() -> post(n, i -> alert("flap", "f-" + i, null)))).isZero();
    settle("flap");

    // every alert ends, then the even ones fire again (new alerts of the same keys), all while both instances flush
    Instant ended = Instant.now().minusSeconds(1);
    assertThat(whileFlushing(() -> post(n, i -> alert("flap", "f-" + i, ended))
        .compose(v -> post(n / 2, i -> alert("flap", "f-" + (2 * i), null))))).isZero();
    settle("flap");

    Set<String> firing = new TreeSet<>();
    for (Row r : await(pool.query("SELECT m.dedup_key, a.labels ->> 'seq' AS seq FROM notifier.group_members m"
        + " JOIN notifier.alerts a ON a.dedup_key = m.dedup_key AND a.state = 'FIRING' WHERE m.group_key = "
        + group("flap") + " AND m.firing_since IS NOT NULL AND m.notified_firing").execute())) {
      firing.add(r.getString("seq"));
    }
    Set<String> expected = new TreeSet<>();
    for (int i = 0; i < n; i += 2) {
      expected.add("f-" + i);
    }
    assertThat(firing).as("the alerts firing again, each told").isEqualTo(expected);
    assertThat(count("SELECT count(*) FROM notifier.group_members WHERE group_key = " + group("flap")))
        .as("the resolved ones told and forgotten").isEqualTo(n / 2);
  }

  @Test
  void anAlertJoiningAGroupWhileAFlushRemovesItIsKept() throws Exception {
    for (int round = 0; round < 30; round++) {
      String seq = "solo-" + round;
      assertThat(await(post(1, i -> alert("solo", seq, null))).intValue()).isZero();
      settle("solo");
      assertThat(await(post(1, i -> alert("solo", seq, Instant.now().minusSeconds(1)))).intValue()).isZero();
      Thread.sleep(15); // the group is due again: the next flush tells the resolution and removes the emptied group
      String next = "solo-next-" + round;
      Future<Integer> joined = post(1, i -> alert("solo", next, null));
      Future<?> flushed = Future.all(instances.get(0).timers().flushDueGroups(),
          instances.get(1).timers().flushDueGroups());
      await(Future.all(joined, flushed));
      assertThat(joined.result().intValue()).as("refused in round %d", round).isZero();
      assertThat(count("SELECT count(*) FROM notifier.group_members m JOIN notifier.groups g USING (group_key)"
          + " WHERE m.firing_since IS NOT NULL AND m.dedup_key IN (SELECT dedup_key FROM notifier.alerts"
          + " WHERE labels ->> 'seq' = '" + next + "')")).as("round %d: the new alert is a member of a group", round)
          .isEqualTo(1);
      settle("solo");
      assertThat(await(post(1, i -> alert("solo", next, Instant.now().minusSeconds(1)))).intValue()).isZero();
      settle("solo");
    }
    assertThat(count("SELECT count(*) FROM notifier.alerts WHERE labels ->> 'phase' = 'solo' AND state <> 'RESOLVED'"))
        .isZero();
  }

  // ------------------------------------------------------------------ helpers

  /** Runs {@code work} while both instances flush due groups over and over; answers its result. */
  static int whileFlushing(java.util.function.Supplier<Future<Integer>> work) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    List<Future<Void>> loops = new ArrayList<>();
    for (NotifierVerticle n : instances) {
      Promise<Void> p = Promise.promise();
      flushLoop(n, done, p);
      loops.add(p.future());
    }
    Future<Integer> result = work.get().eventually(() -> {
      done.set(true);
      return Future.succeededFuture();
    });
    int failed = await(result);
    await(Future.all(loops));
    return failed;
  }

  private static void flushLoop(NotifierVerticle n, AtomicBoolean done, Promise<Void> p) {
    if (done.get()) {
      p.complete();
      return;
    }
    n.timers().flushDueGroups().onComplete(ar -> {
      if (ar.failed()) {
        p.fail(ar.cause());
      } else {
        vertx.setTimer(2, t -> flushLoop(n, done, p));
      }
    });
  }

  /** Flushes until the group of {@code phase} has nothing left to tell. */
  static void settle(String phase) throws Exception {
    String unsettled = "SELECT count(*) FROM notifier.group_members WHERE group_key = " + group(phase)
        + " AND ((firing_since IS NOT NULL AND NOT notified_firing) OR resolved"
        + " OR (firing_since IS NULL AND notified_firing))";
    long deadline = System.currentTimeMillis() + 30_000;
    do {
      Thread.sleep(15); // group-interval 10 ms: due again
      await(instances.get(0).timers().flushDueGroups());
    } while (count(unsettled) > 0 && System.currentTimeMillis() < deadline);
    assertThat(count(unsettled)).as("members of %s left untold", phase).isZero();
  }

  static String group(String phase) {
    return "(SELECT group_key FROM notifier.groups WHERE group_labels ->> 'phase' = '" + phase + "')";
  }

  /** Alertmanager's shape; {@code endedAt} in the past resolves it. */
  static JsonArray alert(String phase, String seq, Instant endedAt) {
    JsonObject a = new JsonObject().put("labels", new JsonObject().put("alertname", "Concurrency").put("phase", phase)
        .put("seq", seq)).put("annotations", new JsonObject().put("summary", "alert " + seq));
    if (endedAt != null) {
      a.put("endsAt", endedAt.toString());
    }
    return new JsonArray().add(a);
  }

  /** Posts {@code n} alerts, 32 in flight, alternately to each instance; answers how many were refused. */
  static Future<Integer> post(int n, IntFunction<JsonArray> body) {
    Promise<Integer> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      int port = instances.get(i % 2).actualPort();
      http.post(port, "127.0.0.1", "/api/v2/alerts").putHeader("content-type", "application/json").sendBuffer(body.apply(i).toBuffer()).onComplete(ar -> {
        if (ar.failed() || ar.result().statusCode() / 100 != 2) {
          failed.incrementAndGet();
        }
        if (finished.incrementAndGet() == n) {
          done.complete(failed.get());
        } else {
          send[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int w = 0; w < Math.min(32, n); w++) {
        send[0].run();
      }
    });
    return done.future();
  }

  static long count(String sql) throws Exception {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
