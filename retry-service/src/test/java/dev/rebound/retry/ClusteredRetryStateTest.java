package dev.rebound.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.RetryApi;
import dev.rebound.common.client.RetryClient;
import dev.rebound.common.request.CircuitAction;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.retry.domain.RetryState;
import dev.rebound.retry.domain.WorkflowWindow;
import dev.rebound.retry.state.SharedRetryState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two retry-service instances in two clustered Vert.x instances (Hazelcast on loopback), one database:
 * a circuit changed through one is seen through the other, because both read the same cluster-wide map.
 */
class ClusteredRetryStateTest {
  static Vertx memberA;
  static Vertx memberB;
  static RetryVerticle retryA;
  static RetryVerticle retryB;
  static TestDatabase db;

  @BeforeAll
  static void formClusterAndDeploy() throws Exception {
    int portA = freePort();
    int portB = freePort();
    Settings cluster = Settings.empty().withOverrides(Map.of(
        "cluster.enabled", "true", "cluster.name", "rebound-retry-test-" + UUID.randomUUID(),
        "cluster.host", "127.0.0.1", "cluster.members", "127.0.0.1:" + portA + ",127.0.0.1:" + portB,
        "cluster.join-wait", "1s", "metrics.jvm", "false", "vertx.event-loops", "2"));
    memberA = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portA))));
    memberB = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portB))));
    db = await(TestDatabase.create(memberA, "retrycluster"));
    Map<String, String> service = new HashMap<>(db.settingsOverrides());
    service.put("http.port", "0");
    service.put("pg.pool-size", "2");
    Settings settings = cluster.withOverrides(service);
    retryA = RetryVerticle.fromSettings(settings);
    retryB = RetryVerticle.fromSettings(settings);
    await(memberA.deployVerticle(retryA));
    await(memberB.deployVerticle(retryB));
  }

  @AfterAll
  static void leaveCluster() throws Exception {
    await(memberB.close());
    await(db.drop(memberA));
    await(memberA.close());
  }

  @Test
  void bothRetryInstancesSeeTheSameCircuitState() throws Exception {
    WebClient httpA = WebClient.create(memberA);
    WebClient httpB = WebClient.create(memberB);
    String circuit = "dependency:github";

    JsonObject opened = await(httpA.post(retryA.actualPort(), "127.0.0.1", "/v1/circuits/" + circuit + "/open")
        .sendJsonObject(new JsonObject().put("actor", "alice"))).bodyAsJsonObject();
    assertThat(opened.getString("state")).isEqualTo("FORCED_OPEN");
    JsonObject seenByB = await(httpB.get(retryB.actualPort(), "127.0.0.1", "/v1/circuits/" + circuit).send())
        .bodyAsJsonObject();
    assertThat(seenByB.getString("state")).isEqualTo("FORCED_OPEN");
    assertThat(seenByB.getLong("version")).isEqualTo(opened.getLong("version"));

    // and back, through B, seen by A over the clustered event bus
    await(new RetryClient(memberB, 10_000).operate(RetryApi.CLOSE_CIRCUIT, CircuitAction.of(circuit, "fixed")));
    JsonObject seenByA = await(httpA.get(retryA.actualPort(), "127.0.0.1", "/v1/circuits/" + circuit).send())
        .bodyAsJsonObject();
    assertThat(seenByA.getString("state")).isEqualTo("CLOSED");
    assertThat(seenByA.getLong("version")).isGreaterThan(opened.getLong("version"));
  }

  @Test
  void aWorkflowWindowIsWrittenBackAndReplacedInTheClusteredMap() throws Exception {
    // the window is kept with a TTL, which Hazelcast's AsyncMap cannot replace-if-present: every failure
    // of a workflow's task and every success used to fail here when clustered
    SharedRetryState a = await(SharedRetryState.open(memberA, Duration.ofSeconds(5)));
    SharedRetryState b = await(SharedRetryState.open(memberB, Duration.ofSeconds(5)));
    String workflow = "release-" + UUID.randomUUID();
    WorkflowWindow.Attempt failed = new WorkflowWindow.Attempt("t1", 1, true, "build", "0123456789abcdef", "NETWORK",
        Instant.now());
    for (int version = 1; version <= 2; version++) {
      SharedRetryState.Loaded loaded = await(a.locked(() -> a.load(List.of(), List.of(), workflow)));
      WorkflowWindow before = loaded.state().workflow() == null ? WorkflowWindow.empty(workflow) : loaded.state().workflow();
      WorkflowWindow next = new WorkflowWindow(workflow, List.of(failed), null, before.version() + 1);
      await(a.locked(() -> a.write(loaded, new RetryState(Map.of(), Map.of(), next))));
    }
    WorkflowWindow seenByB = await(b.load(List.of(), List.of(), workflow)).state().workflow();
    assertThat(seenByB.version()).isEqualTo(2);
    assertThat(seenByB.failures()).isEqualTo(1);

    // a stale write is refused, not applied
    SharedRetryState.Loaded stale = await(b.load(List.of(), List.of(), workflow));
    await(b.write(stale, new RetryState(Map.of(), Map.of(), new WorkflowWindow(workflow, List.of(), null, 3))));
    Throwable conflict = awaitFailure(b.write(stale, new RetryState(Map.of(), Map.of(),
        new WorkflowWindow(workflow, List.of(), null, 4))));
    assertThat(ReboundException.from(conflict).code()).isEqualTo(ErrorCode.CONFLICT);
  }

  static Throwable awaitFailure(Future<?> f) throws Exception {
    try {
      await(f);
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
