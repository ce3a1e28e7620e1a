package dev.rebound.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.client.ReboundWorker;
import dev.rebound.client.cluster.ReboundCluster;
import dev.rebound.common.Addresses;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The example application joins, with {@link ReboundCluster#join(Map)}, a cluster a ledger and an analyzer started
 * (each a clustered Vert.x of its own, built as the services build theirs): its worker completes a task, and the
 * failure it reports of its own is recorded by the ledger and classified by the analyzer.
 */
class ExampleAppTest {

  @Test
  void theExampleJoinsTheServicesClusterInOneCallWorksATaskAndItsOwnFailureIsRecordedAndClassified() throws Exception {
    int ledgerPort = freePort();
    int analyzerPort = freePort();
    int appPort = freePort();
    Map<String, String> cluster = new HashMap<>();
    cluster.put("cluster.name", "example-" + UUID.randomUUID());
    cluster.put("cluster.members", "127.0.0.1:" + ledgerPort + ",127.0.0.1:" + analyzerPort + ",127.0.0.1:" + appPort);
    cluster.put("cluster.join-wait", "1s");
    Vertx ledgerMember = await(ReboundVertx.create(service(cluster, ledgerPort, Map.of())));
    Vertx analyzerMember = await(ReboundVertx.create(service(cluster, analyzerPort, Map.of())));
    TestDatabase db = await(TestDatabase.create(ledgerMember, "example"));
    Pool pg = db.pool(ledgerMember, 2);
    Vertx app = null;
    ReboundWorker worker = null;
    try {
      await(ledgerMember.deployVerticle(LedgerVerticle.fromSettings(service(cluster, ledgerPort, db.settingsOverrides()))));
      await(analyzerMember.deployVerticle(AnalyzerVerticle.fromSettings(service(cluster, analyzerPort,
          db.settingsOverrides()))));
      List<JsonObject> classified = new CopyOnWriteArrayList<>();
      await(analyzerMember.eventBus().<JsonObject>consumer(Addresses.EVENTS_CLASSIFIED, m -> classified.add(m.body()))
          .completion());

      Map<String, String> mine = new HashMap<>(cluster);
      mine.put("cluster.port", String.valueOf(appPort));
      app = await(ReboundCluster.join(mine));
      LedgerClient ledger = new LedgerClient(app, 10_000);
      Vertx a = app;
      eventually(() -> await(ledger.stats().map(true).otherwise(false)));
      worker = await(ExampleApp.start(app));

      String id = await(ledger.enqueue(EnqueueRequest.builder(ExampleApp.STAGE)
          .payload(new JsonObject().put("url", "https://img.example.com/cat.png")).build())).getJsonObject("task").getString("id");
      eventually(() -> await(ledger.get(UUID.fromString(id))).state() == TaskState.DONE);

      // recorded: the failure the application reported at start, with no task
      eventually(() -> await(pg.preparedQuery("SELECT count(*) FROM ledger.failures WHERE source = $1 AND task_id IS NULL")
          .execute(Tuple.of(ExampleApp.SOURCE))).iterator().next().getLong(0) == 1);
      // classified
      eventually(() -> classified.stream().anyMatch(c -> ExampleApp.SOURCE.equals(c.getString("source"))));
      JsonObject verdict = classified.stream().filter(c -> ExampleApp.SOURCE.equals(c.getString("source"))).findFirst()
          .orElseThrow().getJsonObject("verdict");
      assertThat(verdict.getString("category")).isNotBlank();
      assertThat(verdict.getString("fingerprint")).isNotBlank();
      assertThat(a.isClustered()).isTrue();
    } finally {
      if (worker != null) {
        await(worker.stop());
      }
      if (app != null) {
        await(app.close());
      }
      await(pg.close());
      await(analyzerMember.close());
      await(db.drop(ledgerMember));
      await(ledgerMember.close());
    }
  }

  private static Settings service(Map<String, String> cluster, int port, Map<String, String> more) {
    Map<String, String> s = new HashMap<>(cluster);
    s.putAll(more);
    s.put("cluster.enabled", "true");
    s.put("cluster.port", String.valueOf(port));
    s.put("http.port", "0");
    s.put("metrics.jvm", "false");
    s.put("vertx.event-loops", "2");
    return Settings.empty().withOverrides(s);
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("within 30 s").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
