package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two clustered Vert.x instances in one JVM on loopback, as separate services would run. */
class ClusterTest {

  private static Vertx ledger;
  private static Vertx worker;

  @BeforeAll
  static void formCluster() throws IOException {
    // A unique cluster name and free member ports keep concurrent runs on this machine apart.
    String name = "rebound-test-" + UUID.randomUUID();
    int portA = freePort();
    int portB = freePort();
    Settings base = Settings.empty().withOverrides(Map.of(
        "cluster.enabled", "true",
        "cluster.name", name,
        "cluster.host", "127.0.0.1",
        "cluster.members", "127.0.0.1:" + portA + ",127.0.0.1:" + portB,
        "cluster.join-wait", "1s",
        "metrics.jvm", "false"));
    ledger = Await.result(ReboundVertx.create(base.withOverrides(Map.of("cluster.port", Integer.toString(portA)))), 60);
    worker = Await.result(ReboundVertx.create(base.withOverrides(Map.of("cluster.port", Integer.toString(portB)))), 60);
    Correlation.install(ledger);
    Correlation.install(worker);
  }

  @AfterAll
  static void leave() {
    Future.join(worker == null ? Future.succeededFuture() : worker.close(),
        ledger == null ? Future.succeededFuture() : ledger.close())
        .toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  void twoClusteredInstancesInOneJvmExchangeARequestAndReplyCarryingTheCorrelationId() {
    Await.result(ledger.eventBus().<JsonObject>consumer("test.cluster.echo", msg -> msg.reply(new JsonObject()
        .put("echo", msg.body().getString("ping"))
        .put("correlationId", Correlation.of(msg))
        .put("node", "ledger"))).completion());

    Message<JsonObject> reply = Await.result(requestWhenVisible(worker, "test.cluster.echo",
        new JsonObject().put("ping", "hello"), "cluster-corr-1", 20), 60);

    assertThat(reply.body().getString("echo")).isEqualTo("hello");
    assertThat(reply.body().getString("node")).isEqualTo("ledger");
    assertThat(reply.body().getString("correlationId")).isEqualTo("cluster-corr-1");
    assertThat(Correlation.of(reply)).isEqualTo("cluster-corr-1");
  }

  @Test
  void eachInstanceHasItsOwnHazelcastMemberInTheSameCluster() {
    var ledgerMember = ((VertxInternal) ledger).clusterManager();
    var workerMember = ((VertxInternal) worker).clusterManager();
    assertThat(ledgerMember.getNodeId()).isNotEqualTo(workerMember.getNodeId());
    assertThat(ledgerMember.getNodes()).containsExactlyInAnyOrderElementsOf(workerMember.getNodes()).hasSize(2);
  }

  /**
   * A fresh registration may take a moment to reach the other member: retry on NO_HANDLERS only,
   * a bounded number of times.
   */
  private static Future<Message<JsonObject>> requestWhenVisible(Vertx from, String address, JsonObject body,
      String correlationId, int attemptsLeft) {
    return from.eventBus().<JsonObject>request(address, body, Correlation.options(correlationId))
        .recover(e -> {
          if (attemptsLeft > 1 && e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
            return Future.<Void>future(p -> from.setTimer(100, t -> p.complete()))
                .compose(v -> requestWhenVisible(from, address, body, correlationId, attemptsLeft - 1));
          }
          return Future.failedFuture(e);
        });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
