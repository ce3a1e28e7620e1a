package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.request.EnqueueRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Stopping the ledger answers what it accepted: long polls get an empty claim, writes are committed. */
class GracefulShutdownTest {

  @Test
  void aStoppingLedgerAnswersOpenLongPollsAndCommitsAcceptedWrites() throws Exception {
    LedgerHarness h = LedgerHarness.start("shutdown", Map.of());
    try {
      Future<HttpResponse<Buffer>> longPoll = h.request(HttpMethod.POST, "/v1/tasks/claim",
          new JsonObject().put("worker", "w").put("stage", "idle").put("waitMs", 60_000));
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline && await(h.client.stats()).getInteger("claimWaiters") < 1) {
        Thread.sleep(20);  // until the claim is parked
      }
      assertThat(await(h.client.stats()).getInteger("claimWaiters")).isEqualTo(1);
      List<Future<JsonObject>> writes = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        writes.add(h.client.enqueue(EnqueueRequest.builder("late").idempotencyKey("late-" + i).build()));
      }
      Future<String> undeployed = h.vertx.undeploy(h.deploymentId).map("stopped");
      HttpResponse<Buffer> answer = await(longPoll);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.bodyAsJsonObject().getJsonArray("tasks")).isEmpty();
      assertThat(await(undeployed)).isEqualTo("stopped");
      // every enqueue the ledger acknowledged is in the database (some sent after intake stopped may
      // have been refused: that is allowed, losing an acknowledged one is not)
      for (Future<JsonObject> w : writes) {
        w.toCompletionStage().toCompletableFuture().handle((ok, err) -> ok).get(30, TimeUnit.SECONDS);
      }
      List<String> acknowledged = writes.stream().filter(Future::succeeded)
          .map(f -> f.result().getJsonObject("task").getString("id")).toList();
      assertThat(acknowledged).isNotEmpty();
      var pool = h.db.pool(h.vertx, 1);
      List<String> stored = new ArrayList<>();
      await(pool.query("SELECT id::text FROM ledger.tasks WHERE stage = 'late'").execute()).forEach(r -> stored.add(r.getString(0)));
      await(pool.close());
      assertThat(stored).containsAll(acknowledged);
    } finally {
      await(h.db.drop(h.vertx));
      await(h.vertx.close());
    }
  }
}
