package dev.rebound.client;

import static dev.rebound.client.LedgerUnderTest.await;
import static dev.rebound.client.LedgerUnderTest.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The resource guard, driven by an injected memory probe, against a real ledger. */
class ResourceGuardTest {
  static final long GIB = 1L << 30;
  static LedgerUnderTest ledger;

  @BeforeAll
  static void start() throws Exception {
    ledger = LedgerUnderTest.start("client_guard");
  }

  @AfterAll
  static void stop() throws Exception {
    ledger.close();
  }

  static MemoryReading heapAt(double fraction) {
    return new MemoryReading("heap", (long) (GIB * fraction), GIB);
  }

  @Test
  void aboveTheThresholdTheWorkerStopsClaimingLetsItsTaskFinishAndRecycles() throws Exception {
    String stage = "guard-" + UUID.randomUUID().toString().substring(0, 8);
    AtomicReference<MemoryReading> memory = new AtomicReference<>(heapAt(0.5));
    AtomicReference<ReboundWorker> worker = new AtomicReference<>();
    CompletableFuture<String> recycledWhile = new CompletableFuture<>();
    AtomicReference<TaskView> second = new AtomicReference<>();
    Recyclable browser = () -> {
      int inFlight = worker.get().status().inFlight();
      return ledger.client.get(second.get().id()).map(t -> {
        recycledWhile.complete(inFlight + " in flight, second task " + t.state());
        memory.set(heapAt(0.4));
        return null;
      });
    };
    ResourceGuard guard = ResourceGuard.builder().probe(memory::get).checkInterval(Duration.ofMillis(20))
        .recyclable(browser).build();
    Promise<Object> releaseFirst = Promise.promise();
    CompletableFuture<Void> firstStarted = new CompletableFuture<>();
    worker.set(ReboundWorker.builder(ledger.vertx, LedgerTransport.eventBus(ledger.vertx)).name("guarded")
        .concurrency(2).claimWait(Duration.ofMillis(200)).resourceGuard(guard).build());
    await(worker.get().work(stage, ctx -> {
      if (ctx.payload().getBoolean("first", false)) {
        firstStarted.complete(null);
        return releaseFirst.future();
      }
      return Future.succeededFuture();
    }));
    TaskView first = ledger.enqueue(stage, new JsonObject().put("first", true));
    firstStarted.get();

    memory.set(heapAt(0.9));
    until("the worker stopped claiming", () -> worker.get().status().pausedBy().contains("resources")
        && !worker.get().status().claiming());
    second.set(ledger.enqueue(stage, new JsonObject()));
    releaseFirst.complete(new JsonObject());

    assertThat(recycledWhile.get()).isEqualTo("0 in flight, second task QUEUED");
    ledger.awaitState(first.id(), TaskState.DONE);
    ledger.awaitState(second.get().id(), TaskState.DONE);
    assertThat(worker.get().status().pausedBy()).isEmpty();
    List<Row> reports = ledger.failures(null, stage);
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0).getString("error_type")).isEqualTo("ResourceExhausted");
    assertThat(reports.get(0).getString("message")).contains("heap usage 90 %").contains("threshold of 80 %");
    assertThat(((JsonObject) reports.get(0).getJson("details")).getString("categoryHint")).isEqualTo("RESOURCE_EXHAUSTION");
    await(worker.get().stop());
  }

  @Test
  void withNothingToRecycleTheWorkerAsksToBeRestartedAndResumesWhenMemoryFalls() throws Exception {
    String stage = "guard-" + UUID.randomUUID().toString().substring(0, 8);
    AtomicReference<MemoryReading> memory = new AtomicReference<>(heapAt(0.95));
    CompletableFuture<String> restart = new CompletableFuture<>();
    ResourceGuard guard = ResourceGuard.builder().probe(memory::get).checkInterval(Duration.ofMillis(20))
        .onRestartNeeded(restart::complete).build();
    ReboundWorker worker = ReboundWorker.builder(ledger.vertx, LedgerTransport.eventBus(ledger.vertx)).name("leaky")
        .claimWait(Duration.ofMillis(200)).resourceGuard(guard).build();
    await(worker.work(stage, ctx -> Future.succeededFuture()));
    assertThat(restart.get()).contains("heap usage 95 %");
    TaskView t = ledger.enqueue(stage, new JsonObject());
    assertThat(worker.status().pausedBy()).containsExactly("resources");
    memory.set(heapAt(0.3));
    ledger.awaitState(t.id(), TaskState.DONE);
    await(worker.stop());
  }
}
