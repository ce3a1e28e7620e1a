package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Enqueue, complete and heartbeat many in one request, over HTTP and the event bus: each item answered on its own. */
class BatchOperationsTest {
  static LedgerHarness h;
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("batch", Map.of("ledger.payload-limit-bytes", "4096", "ledger.batch-max-items", "5",
        "ledger.batch-max-bytes", "2048"));
    pool = h.db.pool(h.vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
  }

  static String stage() {
    return "b-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static long tasksOf(String stage) throws Exception {
    return await(pool.preparedQuery("SELECT count(*) FROM ledger.tasks WHERE stage = $1").execute(Tuple.of(stage)))
        .iterator().next().getLong(0);
  }

  static HttpResponse<Buffer> post(String path, String body, String contentType) throws Exception {
    return await(h.http.post(h.verticle.actualPort(), "127.0.0.1", path).putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(body)));
  }

  static List<Integer> statuses(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("items").stream().map(o -> ((JsonObject) o).getInteger("status")).toList();
  }

  @Test
  void enqueueManyAsAJsonArrayAnswersEachTaskWithItsOwnStatusAndRefusesABadOneAlone() throws Exception {
    String stage = stage();
    JsonArray tasks = new JsonArray()
        .add(new JsonObject().put("stage", stage))
        .add(new JsonObject().put("stage", stage).put("idempotencyKey", stage + "-k"))
        .add(new JsonObject().put("stage", stage).put("idempotencyKey", stage + "-k"))
        .add(new JsonObject().put("priority", 1))
        .add(new JsonObject().put("stage", stage).put("payload", new JsonObject().put("n", 1)));
    HttpResponse<Buffer> r = post("/v1/tasks/batch", tasks.encode(), "application/json");
    assertThat(statuses(r)).containsExactly(201, 201, 200, 400, 201);
    JsonArray items = r.bodyAsJsonObject().getJsonArray("items");
    assertThat(items.getJsonObject(2).getJsonObject("task").getString("id"))
        .isEqualTo(items.getJsonObject(1).getJsonObject("task").getString("id"));
    assertThat(items.getJsonObject(3).getJsonObject("error").getString("message")).contains("stage");
    assertThat(tasksOf(stage)).isEqualTo(3);
  }

  @Test
  void enqueueManyAsNdjsonRefusesAMalformedLineAlone() throws Exception {
    String stage = stage();
    String body = new JsonObject().put("stage", stage).encode() + "\n{not json\n"
        + new JsonObject().put("stage", stage).encode() + "\n";
    HttpResponse<Buffer> r = post("/v1/tasks/batch", body, "application/x-ndjson");
    assertThat(statuses(r)).containsExactly(201, 400, 201);
    assertThat(tasksOf(stage)).isEqualTo(2);
  }

  @Test
  void enqueueAllOnTheEventBusIsIdempotentPerTask() throws Exception {
    String stage = stage();
    List<EnqueueRequest> tasks = List.of(EnqueueRequest.builder(stage).idempotencyKey(stage + "-1").build(),
        EnqueueRequest.builder(stage).idempotencyKey(stage + "-2").build());
    List<Outcome<JsonObject>> first = await(h.client.enqueueAll(tasks));
    List<Outcome<JsonObject>> again = await(h.client.enqueueAll(tasks));
    assertThat(first).allSatisfy(o -> assertThat(ok(o).getInteger("status")).isEqualTo(201));
    assertThat(again).allSatisfy(o -> assertThat(ok(o).getInteger("status")).isEqualTo(200));
    for (int i = 0; i < 2; i++) {
      assertThat(ok(again.get(i)).getJsonObject("task").getString("id"))
          .isEqualTo(ok(first.get(i)).getJsonObject("task").getString("id"));
    }
    assertThat(tasksOf(stage)).isEqualTo(2);
  }

  @Test
  void aBatchOverTheItemOrByteLimitIsRefusedWholeAndNothingIsWritten() throws Exception {
    String stage = stage();
    JsonArray six = new JsonArray();
    for (int i = 0; i < 6; i++) {
      six.add(new JsonObject().put("stage", stage));
    }
    HttpResponse<Buffer> tooMany = post("/v1/tasks/batch", six.encode(), "application/json");
    assertThat(tooMany.statusCode()).isEqualTo(413);
    assertThat(tooMany.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("PAYLOAD_TOO_LARGE");
    String kilobyte = "x".repeat(1000);
    JsonArray heavy = new JsonArray();
    for (int i = 0; i < 3; i++) {
      heavy.add(new JsonObject().put("stage", stage).put("payload", new JsonObject().put("text", kilobyte)));
    }
    assertThat(post("/v1/tasks/batch", heavy.encode(), "application/json").statusCode()).isEqualTo(413);
    ReboundException onTheBus = ReboundException.from(h.client.enqueueAll(List.of(
        EnqueueRequest.builder(stage).build(), EnqueueRequest.builder(stage).build(), EnqueueRequest.builder(stage).build(),
        EnqueueRequest.builder(stage).build(), EnqueueRequest.builder(stage).build(), EnqueueRequest.builder(stage).build()))
        .toCompletionStage().toCompletableFuture().handle((ok, err) -> err).join());
    assertThat(onTheBus.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(post("/v1/tasks/batch", "[]", "application/json").statusCode()).isEqualTo(400);
    assertThat(tasksOf(stage)).isZero();
  }

  @Test
  void completeManyAnswersEachCompletionOnItsOwn() throws Exception {
    String stage = stage();
    await(h.client.enqueueAll(List.of(EnqueueRequest.builder(stage).build(), EnqueueRequest.builder(stage).build(),
        EnqueueRequest.builder(stage).build())));
    List<TaskView> claimed = await(h.client.claim(ClaimRequest.builder("w").stage(stage).limit(3).build()));
    assertThat(claimed).hasSize(3);
    String unknown = UUID.randomUUID().toString();
    JsonArray completions = new JsonArray()
        .add(completion(claimed.get(0)).put("result", new JsonObject().put("ok", true)))
        .add(new JsonObject().put("id", claimed.get(1).id().toString()).put("leaseToken", UUID.randomUUID().toString()))
        .add(new JsonObject().put("id", unknown).put("leaseToken", UUID.randomUUID().toString()))
        .add(new JsonObject().put("id", claimed.get(2).id().toString()));
    HttpResponse<Buffer> r = post("/v1/tasks/complete", completions.encode(), "application/json");
    assertThat(statuses(r)).containsExactly(200, 409, 404, 400);
    JsonArray items = r.bodyAsJsonObject().getJsonArray("items");
    assertThat(items.getJsonObject(0).getString("state")).isEqualTo("DONE");
    assertThat(items.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("LEASE_LOST");
    assertThat(items.getJsonObject(1).getString("id")).isEqualTo(claimed.get(1).id().toString());

    List<Outcome<JsonObject>> onTheBus = await(h.client.completeAll(List.of(
        CompleteRequest.of(claimed.get(1).id(), claimed.get(1).leaseToken(), null),
        CompleteRequest.of(claimed.get(0).id(), claimed.get(0).leaseToken(), null))));
    assertThat(ok(onTheBus.get(0)).getString("state")).isEqualTo("DONE");
    assertThat(((ReboundException) ((Outcome.Failed<JsonObject>) onTheBus.get(1)).error()).code())
        .isEqualTo(ErrorCode.LEASE_LOST);
    assertThat(await(h.client.get(claimed.get(0).id())).state().name()).isEqualTo("DONE");
    assertThat(await(h.client.get(claimed.get(2).id())).state().name()).isEqualTo("RUNNING");
  }

  @Test
  void heartbeatManyExtendsEachLeaseAndRefusesALostOneAlone() throws Exception {
    String stage = stage();
    await(h.client.enqueueAll(List.of(EnqueueRequest.builder(stage).build(), EnqueueRequest.builder(stage).build())));
    List<TaskView> claimed = await(h.client.claim(ClaimRequest.builder("w").stage(stage).limit(2).build()));
    List<Outcome<JsonObject>> beats = await(h.client.heartbeatAll(List.of(
        new HeartbeatRequest(claimed.get(0).id(), claimed.get(0).leaseToken(), 120_000L, null),
        HeartbeatRequest.of(claimed.get(1).id(), UUID.randomUUID()))));
    assertThat(ok(beats.get(0)).getString("leaseExpiresAt")).isNotBlank();
    assertThat(((ReboundException) ((Outcome.Failed<JsonObject>) beats.get(1)).error()).code())
        .isEqualTo(ErrorCode.LEASE_LOST);
    String ndjson = completion(claimed.get(1)).encode() + "\n"
        + completion(claimed.get(0)).put("checkpoint", new JsonObject().put("sequence", 1)).encode();
    assertThat(statuses(post("/v1/tasks/heartbeat", ndjson, "application/x-ndjson"))).containsExactly(200, 400);
  }

  private static JsonObject completion(TaskView t) {
    return new JsonObject().put("id", t.id().toString()).put("leaseToken", t.leaseToken().toString());
  }

  private static JsonObject ok(Outcome<JsonObject> o) {
    assertThat(o).isInstanceOf(Outcome.Ok.class);
    return ((Outcome.Ok<JsonObject>) o).value();
  }
}
