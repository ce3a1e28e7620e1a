package dev.rebound.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A group with nothing to wait for is flushed and delivered right after the intake commits, not at the next sweep.
 * The sweeps here tick once an hour, so within the test only the wake-up (or a pass the test runs) can deliver.
 */
class GroupWaitZeroTest {
  static Vertx vertx;
  static TestDatabase db;
  static Pool pool;
  static NotifierVerticle notifier;
  static String deployment;
  static final ChannelStubs stubs = new ChannelStubs();

  @BeforeAll
  static void start(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    int port = await(stubs.start(vertx));
    db = await(TestDatabase.create(vertx, "notifier"));
    Path yaml = dir.resolve("rebound.yaml");
    Files.writeString(yaml, """
        notifier:
          sweep-interval: 1h
          receivers:
            - name: hook
              webhook: {url: http://127.0.0.1:%d/hook/zero, max-per-second: 1000}
          route:
            receiver: hook
            group-by: ['...']
            group-wait: 0s
            routes:
              - matchers: ['kind="waits"']
                group-wait: 100ms
        """.formatted(port));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    Settings settings = Settings.load(Map.of(), Optional.of(yaml)).withOverrides(o);
    notifier = new NotifierVerticle(NotifierConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
    deployment = await(vertx.deployVerticle(notifier));
    pool = db.pool(vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    await(vertx.undeploy(deployment));
    await(stubs.stop());
    await(db.drop(vertx));
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static void eventually(BooleanSupplier c) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!c.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(c.getAsBoolean()).isTrue();
  }

  static long count(String sql) throws Exception {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  static long hooksMentioning(String text) {
    return stubs.hooks.stream().filter(m -> m.encode().contains(text)).count();
  }

  @Test
  void alertsOfGroupsWithoutGroupWaitAreDeliveredAtOnceWithoutWaitingForTheSweep() throws Exception {
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(vertx.eventBus().request(Addresses.NOTIFIER_ALERTS, new JsonObject().put("kind", "now")
          .put("task", "now-" + i).put("summary", "needs no wait " + i)));
    }
    await(Future.all(sent));

    eventually(() -> hooksMentioning("now-") == 50);
    for (int i = 0; i < 50; i++) {
      assertThat(hooksMentioning("\"now-" + i + "\"")).as("alert now-%d told once", i).isEqualTo(1);
    }
    // a delivery is marked SENT after the receiver answered (with the other rows of its batch)
    eventually(() -> {
      try {
        return count("SELECT count(*) FROM notifier.deliveries WHERE status <> 'SENT'") == 0;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void aGroupThatMustWaitIsLeftToTheSweep() throws Exception {
    await(vertx.eventBus().request(Addresses.NOTIFIER_ALERTS, new JsonObject().put("kind", "waits")
        .put("task", "waits-1").put("summary", "waits for its group")));
    eventually(() -> {
      try {
        return count("SELECT count(*) FROM notifier.groups WHERE group_key LIKE '%waits-1%'"
            + " AND next_flush_at < now() - interval '200 milliseconds'") == 1;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(hooksMentioning("waits-1")).isZero();

    await(notifier.timers().flushDueGroups());
    await(notifier.drainOutbox());
    assertThat(hooksMentioning("waits-1")).isEqualTo(1);
  }
}
