package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.EnqueueRequest;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failure outbox: every recorded failure goes to the analyzer address; without a decision it is
 * re-sent after the decision timeout; a decision (or a delivered free-standing failure) stops it.
 * A fake analyzer verticle stands in for the real one.
 */
class FailureOutboxTest {
  static LedgerHarness h;
  static Pool pool;
  static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  static MessageConsumer<JsonObject> fakeAnalyzer;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("outbox", Map.of("ledger.decision-timeout", "300ms", "ledger.lease-sweep-interval", "100ms",
        "ledger.max-resends", "3"));
    pool = h.db.pool(h.vertx, 2);
    // a fake analyzer that receives but never acknowledges task failures (so no decision ever comes)
    fakeAnalyzer = h.vertx.eventBus().consumer(Addresses.ANALYZER_FAILURES, m -> {
      received.add(m.body());
      if (m.body().getString("taskId") == null) {
        m.reply(new JsonObject().put("received", true));
      }
    });
    await(fakeAnalyzer.completion());
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
  }

  static long sendsOf(String failureId) {
    return received.stream().filter(o -> failureId.equals(o.getString("failureId"))).count();
  }

  static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  @Test
  void aTaskFailureWithoutADecisionIsResentUntilTheCapAndADecisionStopsIt() throws Exception {
    String stage = "outbox-" + UUID.randomUUID().toString().substring(0, 6);
    await(h.client.enqueue(EnqueueRequest.builder(stage).build()));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    JsonObject r = await(h.client.fail(FailureEvent.builder()
        .taskId(c.id())
        .attempt(c.attempt())
        .leaseToken(c.leaseToken())
        .source("w")
        .message("HTTP 503 from registry")
        .httpStatus(503)
        .build()));
    String failureId = r.getString("failureId");
    eventually(() -> sendsOf(failureId) >= 2);
    JsonObject first = received.stream().filter(o -> failureId.equals(o.getString("failureId"))).findFirst().orElseThrow();
    assertThat(first.getString("taskId")).isEqualTo(c.id().toString());
    assertThat(first.getInteger("attempt")).isEqualTo(1);
    assertThat(first.getString("stage")).isEqualTo(stage);
    assertThat(first.getInteger("httpStatus")).isEqualTo(503);
    await(h.client.decide(new Decision(c.id(), 1, DecisionAction.RETRY, Instant.now(), "transient", "retry-service")));
    long afterDecision = sendsOf(failureId);
    JsonObject stored = await(pool.preparedQuery("SELECT decision, next_send_at FROM ledger.failures WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(failureId)))).iterator().next().toJson();
    assertThat(stored.getString("decision")).isEqualTo("RETRY");
    assertThat(stored.getValue("next_send_at")).isNull();
    Thread.sleep(1500);  // several resend sweeps: none may resend a decided failure
    assertThat(sendsOf(failureId)).isEqualTo(afterDecision);
  }

  @Test
  void resendsStopAtTheConfiguredMaximum() throws Exception {
    String stage = "outbox-cap-" + UUID.randomUUID().toString().substring(0, 6);
    await(h.client.enqueue(EnqueueRequest.builder(stage).build()));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    String failureId = await(h.client.fail(FailureEvent.builder()
        .taskId(c.id())
        .attempt(c.attempt())
        .leaseToken(c.leaseToken())
        .source("w")
        .message("boom")
        .build())).getString("failureId");
    eventually(() -> sendsOf(failureId) >= 4);  // the first send plus 3 resends
    JsonObject row = await(pool.preparedQuery("SELECT sends, next_send_at, decision FROM ledger.failures WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(failureId)))).iterator().next().toJson();
    assertThat(row.getInteger("sends")).isEqualTo(3);
    assertThat(row.getValue("next_send_at")).isNull();
    assertThat(row.getString("decision")).isEqualTo("EXHAUSTED");
  }

  @Test
  void aFreeStandingFailureIsRecordedDeliveredOnceAndNotResent() throws Exception {
    JsonObject r = await(h.client.fail(FailureEvent.builder()
        .source("billing-api")
        .stage("billing")
        .message("PSQLException: FATAL: sorry, too many clients already")
        .errorType("org.postgresql.util.PSQLException")
        .sqlState("53300")
        .build()));
    String failureId = r.getString("failureId");
    eventually(() -> sendsOf(failureId) == 1);
    eventually(() -> {
      try {
        return "DELIVERED".equals(await(pool.preparedQuery("SELECT decision FROM ledger.failures WHERE id = $1")
            .execute(Tuple.of(UUID.fromString(failureId)))).iterator().next().getString(0));
      } catch (Exception e) {
        return false;
      }
    });
    Thread.sleep(1000);
    assertThat(sendsOf(failureId)).isEqualTo(1);
  }

  @Test
  void aRepeatedReportOfTheSameAttemptChangesNothing() throws Exception {
    String stage = "outbox-dup-" + UUID.randomUUID().toString().substring(0, 6);
    await(h.client.enqueue(EnqueueRequest.builder(stage).build()));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    FailureEvent f = FailureEvent.builder()
        .taskId(c.id())
        .attempt(c.attempt())
        .leaseToken(c.leaseToken())
        .source("w")
        .message("boom")
        .build();
    JsonObject first = await(h.client.fail(f));
    JsonObject second = await(h.client.fail(f));
    assertThat(second.getBoolean("duplicate")).isTrue();
    assertThat(second.getString("failureId")).isEqualTo(first.getString("failureId"));
    long history = await(pool.preparedQuery("SELECT count(*) FROM ledger.history WHERE task_id = $1").execute(Tuple.of(c.id())))
        .iterator().next().getLong(0);
    assertThat(history).isEqualTo(3);  // QUEUED, RUNNING, RETRY: the repeat added nothing
  }

  @Test
  void secretsInAFailureNeverReachTheLedgerTablesOrTheAnalyzer() throws Exception {
    String token = "ghp_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa";
    String password = "hunter2-very-secret";
    String stage = "secret-" + UUID.randomUUID().toString().substring(0, 6);
    await(h.client.enqueue(EnqueueRequest.builder(stage).build()));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    JsonObject details = new JsonObject().put("url", "https://deploy:" + password + "@registry.example.com/v2/")
        .put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    String failureId = await(h.client.fail(FailureEvent.builder()
        .taskId(c.id())
        .attempt(c.attempt())
        .leaseToken(c.leaseToken())
        .source("w")
        .message("push failed: token=" + token)
        .stackTrace("at push(" + token + ")")
        .httpStatus(401)
        .details(details)
        .build())).getString("failureId");
    eventually(() -> sendsOf(failureId) >= 1);
    String everything = await(pool.query("""
        SELECT concat_ws(' ', (SELECT string_agg(concat_ws(' ', message, stack_trace, details::text), ' ') FROM ledger.failures),
                              (SELECT string_agg(last_error, ' ') FROM ledger.tasks),
                              (SELECT string_agg(error, ' ') FROM ledger.history))""").execute()).iterator().next().getString(0);
    assertThat(everything).contains("<redacted:").doesNotContain(token).doesNotContain(password);
    String sent = received.stream().filter(o -> failureId.equals(o.getString("failureId"))).findFirst().orElseThrow().encode();
    assertThat(sent).doesNotContain(token).doesNotContain(password);
  }
}
