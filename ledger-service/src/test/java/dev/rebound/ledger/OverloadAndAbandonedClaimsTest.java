package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.LedgerApi;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Section 4 of issue 10 on one ledger: bounds answered 429 with {@code Retry-After} (and OVERLOADED
 * on the bus), a long poll whose client left burns no attempt, a failure id is one failure.
 */
class OverloadAndAbandonedClaimsTest {
  static LedgerHarness h;
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("overload", Map.of("ledger.max-claim-waiters", "2", "ledger.max-queued-writes", "8",
        "ledger.write-batch-max", "4", "pg.pool-size", "3"));
    pool = h.db.pool(h.vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
  }

  private static JsonObject claimBody(String stage, long waitMs) {
    return new JsonObject().put("worker", "w-" + stage).put("stage", stage).put("limit", 1).put("waitMs", waitMs);
  }

  private static HttpResponse<Buffer> call(HttpMethod m, String path, JsonObject body) throws Exception {
    return await(h.request(m, path, body));
  }

  private static long waiting() throws Exception {
    return call(HttpMethod.GET, "/v1/stats", null).bodyAsJsonObject().getLong("claimWaiters");
  }

  /** Polls {@code condition} every 20 ms for at most {@code boundMs}; the outcome is asserted by the caller. */
  private static boolean within(long boundMs, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + boundMs * 1_000_000;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  private static boolean waitersAre(long n) {
    try {
      return waiting() == n;
    } catch (Exception e) {
      return false;
    }
  }

  private static Row task(String id) throws Exception {
    return await(pool.preparedQuery("SELECT state, attempt, lease_token FROM ledger.tasks WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(id)))).iterator().next();
  }

  private static String enqueue(String stage) throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", stage));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject().getJsonObject("task").getString("id");
  }

  @Test
  void pastTheLongPollBoundAClaimIsAnswered429WithRetryAfterOverHttpAndOverloadedOnTheBus() throws Exception {
    String stage = "bounded-" + UUID.randomUUID();
    List<Future<HttpResponse<Buffer>>> parked = new ArrayList<>();
    parked.add(h.request(HttpMethod.POST, "/v1/tasks/claim", claimBody(stage, 3_000)));
    parked.add(h.request(HttpMethod.POST, "/v1/tasks/claim", claimBody(stage, 3_000)));
    assertThat(within(10_000, () -> waitersAre(2))).as("two long polls parked").isTrue();

    HttpResponse<Buffer> refused = call(HttpMethod.POST, "/v1/tasks/claim", claimBody(stage, 20_000));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(429);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("OVERLOADED");

    Object onBus = await(h.vertx.eventBus().request(Addresses.LEDGER, claimBody(stage, 20_000),
        new DeliveryOptions().addHeader(Addresses.ACTION_HEADER, LedgerApi.CLAIM.action()).setSendTimeout(30_000))
        .<Object>map(m -> null).otherwise(t -> t));
    assertThat(onBus).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) onBus).failureCode()).isEqualTo(ErrorCode.OVERLOADED.busCode());

    // the parked claims end at their waitMs: the bound frees itself and a claim parks again
    for (Future<HttpResponse<Buffer>> p : parked) {
      assertThat(await(p).statusCode()).isEqualTo(200);
    }
    assertThat(within(10_000, () -> waitersAre(0))).isTrue();
    Future<HttpResponse<Buffer>> again = h.request(HttpMethod.POST, "/v1/tasks/claim", claimBody(stage, 10_000));
    assertThat(within(10_000, () -> waitersAre(1))).as("parked again").isTrue();
    enqueue(stage);
    assertThat(await(again).bodyAsJsonObject().getJsonArray("tasks")).hasSize(1);
  }

  @Test
  void aFloodOfEnqueuesPastTheWriteQueueIsAnswered429AndEveryAcceptedTaskIsStored() throws Exception {
    String stage = "flood-" + UUID.randomUUID();
    int requests = 600;
    // 100 connections at once: more writes arrive together than the 8 a group commit lets wait
    WebClient wide = WebClient.wrap(h.vertx.createHttpClient(new HttpClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(100)));
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      sent.add(wide.post(h.verticle.actualPort(), "127.0.0.1", "/v1/tasks").sendJsonObject(new JsonObject()
          .put("stage", stage).put("idempotencyKey", stage + "-" + i)));
    }
    Map<Integer, Integer> byStatus = new ConcurrentHashMap<>();
    List<String> accepted = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> f : sent) {
      HttpResponse<Buffer> r = await(f);
      byStatus.merge(r.statusCode(), 1, Integer::sum);
      if (r.statusCode() == 201) {
        accepted.add(r.bodyAsJsonObject().getJsonObject("task").getString("id"));
      } else {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(429);
        assertThat(r.getHeader("Retry-After")).isNotBlank();
      }
    }
    assertThat(byStatus.keySet()).as("only 201 and 429: %s", byStatus).isSubsetOf(201, 429);
    assertThat(byStatus.getOrDefault(429, 0)).as("the bound of 8 queued writes refused some: %s", byStatus).isPositive();
    long stored = await(pool.preparedQuery("SELECT count(*) FROM ledger.tasks WHERE stage = $1").execute(Tuple.of(stage)))
        .iterator().next().getLong(0);
    assertThat(stored).as("every 201 is stored, nothing refused is").isEqualTo(accepted.size());
    // and the ledger still serves
    enqueue(stage);
    wide.close();
  }

  @Test
  void aClientThatDisconnectsDuringALongPollBurnsNoAttempt() throws Exception {
    String stage = "gone-" + UUID.randomUUID();
    HttpClient client = h.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    RequestOptions claim = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(h.verticle.actualPort()).setURI("/v1/tasks/claim").putHeader("Content-Type", "application/json");
    await(client.request(claim).compose(req -> {
      req.send(claimBody(stage, 30_000).encode());
      return Future.succeededFuture();
    }));
    assertThat(within(10_000, () -> waitersAre(1))).as("the long poll parked").isTrue();

    // the claim the enqueue wakes blocks on a lock until the client is gone, then claims for nobody
    SqlConnection locker = await(pool.getConnection());
    try {
      await(locker.query("BEGIN").execute());
      await(locker.query("LOCK TABLE ledger.stage_pauses IN ACCESS EXCLUSIVE MODE").execute());
      String id = enqueue(stage);
      assertThat(within(10_000, () -> claimBlockedOnLock())).as("the woken claim waits for the lock").isTrue();
      await(client.close());
      assertThat(within(10_000, () -> waitersAre(0) || claimBlockedOnLock())).isTrue();
      await(locker.query("COMMIT").execute());

      assertThat(within(10_000, () -> {
        try {
          Row t = task(id);
          return "QUEUED".equals(t.getString("state")) && t.getUUID("lease_token") == null && historyHasRelease(id);
        } catch (Exception e) {
          return false;
        }
      })).as("handed back").isTrue();
      Row t = task(id);
      assertThat(t.getInteger("attempt")).as("no attempt burnt").isZero();
      // a worker that is still there gets it, as its first attempt
      JsonObject claimed = call(HttpMethod.POST, "/v1/tasks/claim", claimBody(stage, 0)).bodyAsJsonObject();
      assertThat(claimed.getJsonArray("tasks")).hasSize(1);
      assertThat(claimed.getJsonArray("tasks").getJsonObject(0).getInteger("attempt")).isEqualTo(1);
    } finally {
      await(locker.close());
    }
  }

  @Test
  void aBusClaimWhoseRequesterTimedOutHandsItsTasksBack() throws Exception {
    String stage = "bus-gone-" + UUID.randomUUID();
    SqlConnection locker = await(pool.getConnection());
    String id;
    try {
      await(locker.query("BEGIN").execute());
      await(locker.query("LOCK TABLE ledger.stage_pauses IN ACCESS EXCLUSIVE MODE").execute());
      id = enqueue(stage);
      Future<Object> reply = h.vertx.eventBus().request(Addresses.LEDGER, claimBody(stage, 0),
          new DeliveryOptions().addHeader(Addresses.ACTION_HEADER, LedgerApi.CLAIM.action()).setSendTimeout(400)
              .addHeader(Addresses.REPLY_WITHIN_HEADER, "400")).map(m -> m.body());
      assertThat(await(reply.<Object>map(b -> b).otherwise(t -> t))).as("the requester gave up")
          .isInstanceOf(ReplyException.class);
      assertThat(claimStillBlocked()).as("the claim is still waiting for the lock").isTrue();
    } finally {
      await(locker.query("COMMIT").execute());
      await(locker.close());
    }
    assertThat(within(10_000, () -> {
      try {
        return "QUEUED".equals(task(id).getString("state")) && historyHasRelease(id);
      } catch (Exception e) {
        return false;
      }
    })).as("handed back").isTrue();
    assertThat(task(id).getInteger("attempt")).isZero();
  }

  @Test
  void aFailureIdReusedForAnotherTaskIsRefusedWith409() throws Exception {
    String stage = "fid-" + UUID.randomUUID();
    enqueue(stage);
    enqueue(stage);
    JsonObject claimed = call(HttpMethod.POST, "/v1/tasks/claim", claimBody(stage, 0).put("limit", 2)).bodyAsJsonObject();
    assertThat(claimed.getJsonArray("tasks")).hasSize(2);
    JsonObject a = claimed.getJsonArray("tasks").getJsonObject(0);
    JsonObject b = claimed.getJsonArray("tasks").getJsonObject(1);
    String failureId = UUID.randomUUID().toString();
    JsonObject report = new JsonObject().put("failureId", failureId).put("message", "boom").put("source", "w");
    HttpResponse<Buffer> first = call(HttpMethod.POST, "/v1/failures", report.copy().put("taskId", a.getString("id"))
        .put("leaseToken", a.getString("leaseToken")));
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> repeat = call(HttpMethod.POST, "/v1/failures", report.copy().put("taskId", a.getString("id"))
        .put("leaseToken", a.getString("leaseToken")));
    assertThat(repeat.statusCode()).isEqualTo(202);
    assertThat(repeat.bodyAsJsonObject().getBoolean("duplicate")).isTrue();

    HttpResponse<Buffer> reused = call(HttpMethod.POST, "/v1/failures", report.copy().put("taskId", b.getString("id"))
        .put("leaseToken", b.getString("leaseToken")));
    assertThat(reused.statusCode()).as(reused.bodyAsString()).isEqualTo(409);
    assertThat(reused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("CONFLICT");
    assertThat(task(b.getString("id")).getString("state")).as("task b untouched").isEqualTo("RUNNING");
  }

  private static boolean historyHasRelease(String id) throws Exception {
    return await(pool.preparedQuery("SELECT count(*) FROM ledger.history WHERE task_id = $1 AND reason LIKE 'released:%'")
        .execute(Tuple.of(UUID.fromString(id)))).iterator().next().getLong(0) == 1;
  }

  private static boolean claimBlockedOnLock() {
    try {
      return claimStillBlocked();
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean claimStillBlocked() throws Exception {
    return await(pool.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND wait_event_type = 'Lock' AND query LIKE '%WITH picked AS%'").execute()).iterator().next().getLong(0) > 0;
  }
}
