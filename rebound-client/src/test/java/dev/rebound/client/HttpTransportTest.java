package dev.rebound.client;

import static dev.rebound.client.LedgerUnderTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A worker in a JVM outside the cluster: the ledger over HTTP with the JDK's client. */
class HttpTransportTest {
  static LedgerUnderTest ledger;

  @BeforeAll
  static void start() throws Exception {
    ledger = LedgerUnderTest.start("client_http");
  }

  @AfterAll
  static void stop() throws Exception {
    ledger.close();
  }

  @Test
  void aWorkerCompletesTasksOverHttp() throws Exception {
    String stage = "http-" + UUID.randomUUID().toString().substring(0, 8);
    List<TaskView> tasks = new ArrayList<>();
    for (int n = 1; n <= 4; n++) {
      tasks.add(ledger.enqueue(stage, new JsonObject().put("n", n)));
    }
    ReboundWorker worker = ReboundWorker.builder(ledger.vertx, LedgerTransport.http(ledger.vertx, ledger.httpBase(), null))
        .name("http-worker").stage(stage).concurrency(2).claimWait(Duration.ofMillis(200)).build();
    await(worker.work(ctx -> ctx.checkpoint(1, new JsonObject().put("half", true))
        .map(v -> new JsonObject().put("squared", ctx.payload().getInteger("n") * ctx.payload().getInteger("n")))));
    for (TaskView t : tasks) {
      int n = ((JsonObject) t.payload()).getInteger("n");
      assertThat(ledger.awaitState(t.id(), TaskState.DONE).result()).isEqualTo(new JsonObject().put("squared", n * n));
    }
    await(worker.stop());
  }

  @Test
  void theLedgersErrorEnvelopeBecomesAReboundExceptionWithItsCode() throws Exception {
    String stage = "http-" + UUID.randomUUID().toString().substring(0, 8);
    ledger.enqueue(stage, new JsonObject());
    TaskView claimed = await(ledger.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    LedgerTransport http = LedgerTransport.http(ledger.vertx, ledger.httpBase(), null);
    assertThatThrownBy(() -> await(http.complete(CompleteRequest.of(claimed.id(), UUID.randomUUID(), null))))
        .rootCause().isInstanceOf(ReboundException.class)
        .satisfies(e -> assertThat(((ReboundException) e).code()).isEqualTo(ErrorCode.LEASE_LOST));
    assertThatThrownBy(() -> await(http.heartbeat(HeartbeatRequest.of(UUID.randomUUID(), UUID.randomUUID()))))
        .rootCause().satisfies(e -> assertThat(((ReboundException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    await(http.complete(CompleteRequest.of(claimed.id(), claimed.leaseToken(), new JsonObject().put("ok", true))));
  }

  @Test
  void aWorkerOverHttpFollowsTheCircuitsTheRetryServiceShows() throws Exception {
    AtomicReference<String> s3 = new AtomicReference<>("OPEN");
    List<String> paths = new CopyOnWriteArrayList<>();
    HttpServer retry = await(ledger.vertx.createHttpServer().requestHandler(req -> {
      paths.add(req.path());
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("circuits", new JsonArray()
          .add(new JsonObject().put("name", "dependency:s3").put("state", s3.get()).put("reason", "5 consecutive failures"))
          .add(new JsonObject().put("name", "stage:other").put("state", "OPEN"))).encode());
    }).listen(0, "127.0.0.1"));
    LedgerTransport http = LedgerTransport.http(ledger.vertx, ledger.httpBase(),
        URI.create("http://127.0.0.1:" + retry.actualPort()), null, Duration.ofSeconds(5));
    String stage = "http-" + UUID.randomUUID().toString().substring(0, 8);
    ReboundWorker worker = ReboundWorker.builder(ledger.vertx, http).name("http-follower").stage(stage)
        .claimWait(Duration.ofMillis(200)).circuitRefresh(Duration.ofMillis(100)).build();
    await(worker.work(ctx -> Future.succeededFuture()));

    // opened before the worker started: no transition was ever published to it
    eventually(() -> worker.breakers().state("s3") == DependencyBreaker.State.OPEN);
    assertThat(paths).contains("/v1/circuits");
    s3.set("CLOSED");
    eventually(() -> worker.breakers().state("s3") == DependencyBreaker.State.CLOSED);
    await(worker.stop());
    await(retry.close());
  }

  @Test
  void theBearerTokenIsSentAndNeverShown() throws Exception {
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer peer = await(ledger.vertx.createHttpServer().requestHandler(req -> {
      authorizations.add(req.getHeader("Authorization"));
      req.response().setStatusCode(409).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", new JsonObject().put("code", "CONFLICT").put("message", "version moved")
              .put("details", new JsonObject().put("version", 7))).encode());
    }).listen(0, "127.0.0.1"));
    LedgerTransport http = LedgerTransport.http(ledger.vertx, URI.create("http://127.0.0.1:" + peer.actualPort() + "/"),
        "s3cret-token");
    Future<JsonObject> answer = http.heartbeat(HeartbeatRequest.of(UUID.randomUUID(), UUID.randomUUID()));
    assertThatThrownBy(() -> await(answer)).rootCause().isInstanceOf(ReboundException.class)
        .hasMessage("version moved")
        .satisfies(e -> assertThat(((ReboundException) e).details()).isEqualTo(new JsonObject().put("version", 7)));
    assertThat(authorizations).containsExactly("Bearer s3cret-token");
    assertThat(http.toString()).doesNotContain("s3cret");
    await(peer.close());
  }

  private static void eventually(BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(done.getAsBoolean()).as("in time").isTrue();
  }
}
