package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A claim parked on one instance is woken by an enqueue on another: the enqueue's own statement
 * sends the notification, with the tasks, in one transaction.
 */
class ClaimWakeupAcrossInstancesTest {
  static LedgerHarness h;
  static LedgerHarness.Deployed other;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("wakeacross", Map.of());
    other = h.deployAnother();
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  private static Future<HttpResponse<Buffer>> post(int port, String path, Object body) {
    var request = h.http.post(port, "127.0.0.1", path);
    return body instanceof JsonArray array ? request.putHeader("Content-Type", "application/json").sendBuffer(array.toBuffer())
        : request.sendJsonObject((JsonObject) body);
  }

  @Test
  void aClaimParkedOnOneInstanceIsWokenByAnEnqueueOnAnother() throws Exception {
    String stage = "x-" + UUID.randomUUID().toString().substring(0, 8);
    Future<HttpResponse<Buffer>> parked = post(other.verticle().actualPort(), "/v1/tasks/claim",
        new JsonObject().put("worker", "w").put("stage", stage).put("waitMs", 30_000));
    // the claim is parked once the other instance counts a waiter
    while (waiting() == 0) {
      Thread.onSpinWait();
    }
    String id = await(post(h.verticle.actualPort(), "/v1/tasks", new JsonObject().put("stage", stage)))
        .bodyAsJsonObject().getJsonObject("task").getString("id");
    JsonArray claimed = await(parked).bodyAsJsonObject().getJsonArray("tasks");
    assertThat(claimed).hasSize(1);
    assertThat(claimed.getJsonObject(0).getString("id")).isEqualTo(id);

    // and by a batch enqueue as well
    Future<HttpResponse<Buffer>> again = post(other.verticle().actualPort(), "/v1/tasks/claim",
        new JsonObject().put("worker", "w").put("stage", stage).put("waitMs", 30_000));
    while (waiting() == 0) {
      Thread.onSpinWait();
    }
    HttpResponse<Buffer> batch = await(post(h.verticle.actualPort(), "/v1/tasks/batch",
        new JsonArray().add(new JsonObject().put("stage", stage))));
    assertThat(batch.statusCode()).as(batch.bodyAsString()).isEqualTo(200);
    assertThat(await(again).bodyAsJsonObject().getJsonArray("tasks")).hasSize(1);
  }

  private static int waiting() throws Exception {
    return await(h.http.get(other.verticle().actualPort(), "127.0.0.1", "/v1/stats").send())
        .bodyAsJsonObject().getInteger("claimWaiters");
  }
}
