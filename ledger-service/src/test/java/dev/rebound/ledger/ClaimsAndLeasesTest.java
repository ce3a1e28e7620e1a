package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Claims under concurrency, long-poll wake-ups, lease expiry and rescue, checkpoints, retention. */
class ClaimsAndLeasesTest {
  static LedgerHarness h;
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("claims", Map.of("ledger.lease-sweep-interval", "100ms", "ledger.retry.base", "1h",
        "ledger.retry.cap", "1h", "ledger.retention-sweep-interval", "200ms", "ledger.checkpoints-kept", "3"));
    pool = h.db.pool(h.vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
  }

  static String stage() {
    return "c-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void eightConcurrentClaimersOverTwoThousandTasksClaimEachExactlyOnce() throws Exception {
    String stage = stage();
    List<Future<JsonObject>> enq = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      enq.add(h.client.enqueue(EnqueueRequest.builder(stage).priority(i % 7).build()));
    }
    await(Future.all(enq));
    Map<UUID, Integer> claims = new ConcurrentHashMap<>();
    List<Future<Void>> claimers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      String worker = "worker-" + w;
      Promise<Void> done = Promise.promise();
      claimers.add(done.future());
      h.vertx.runOnContext(v -> claimLoop(worker, stage, claims, done));
    }
    await(Future.all(claimers));
    assertThat(claims).hasSize(2000);
    assertThat(claims.values()).allMatch(n -> n == 1);
    long running = await(pool.preparedQuery(
        "SELECT count(*) FROM ledger.history h JOIN ledger.tasks t ON t.id = h.task_id WHERE t.stage = $1 AND h.to_state = 'RUNNING'")
        .execute(Tuple.of(stage))).iterator().next().getLong(0);
    assertThat(running).isEqualTo(2000);
    long done = await(pool.preparedQuery("SELECT count(*) FROM ledger.tasks WHERE stage = $1 AND state = 'DONE'")
        .execute(Tuple.of(stage))).iterator().next().getLong(0);
    assertThat(done).isEqualTo(2000);
  }

  private void claimLoop(String worker, String stage, Map<UUID, Integer> claims, Promise<Void> done) {
    h.client.claim(ClaimRequest.builder(worker).stage(stage).limit(25).build()).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      List<TaskView> tasks = ar.result();
      if (tasks.isEmpty()) {
        done.complete();
        return;
      }
      List<Future<JsonObject>> completions = new ArrayList<>();
      for (TaskView t : tasks) {
        claims.merge(t.id(), 1, Integer::sum);
        completions.add(h.client.complete(CompleteRequest.of(t.id(), t.leaseToken(), null)));
      }
      Future.all(completions).onComplete(c -> {
        if (c.failed()) {
          done.fail(c.cause());
        } else {
          claimLoop(worker, stage, claims, done);
        }
      });
    });
  }

  @Test
  void aLongPollClaimIsWokenByAnEnqueueInsteadOfWaitingOutItsTimeout() throws Exception {
    String stage = stage();
    long started = System.nanoTime();
    Future<List<TaskView>> waiting = h.client.claim(ClaimRequest.builder("w").stage(stage).waitMs(30_000).build());
    Thread.sleep(300);
    assertThat(waiting.isComplete()).as("nothing to claim yet").isFalse();
    TaskView t = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage).build())).getJsonObject("task"));
    List<TaskView> got = await(waiting);
    assertThat(got).extracting(TaskView::id).containsExactly(t.id());
    // functional, not a latency assertion: it was woken, so it came back long before the 30 s wait
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void aLongPollIsWokenWhenADelayedTaskFallsDueEvenIfThisLedgerNeverSawItBeScheduled() throws Exception {
    String stage = stage();
    // written straight into the database, as another ledger instance would: no local timer knows it
    UUID id = UUID.randomUUID();
    await(pool.preparedQuery("""
        INSERT INTO ledger.tasks (id, stage, state, max_attempts, run_after, created_at, updated_at)
        VALUES ($1, $2, 'QUEUED', 5, $3, now(), now())""").execute(Tuple.of(id, stage,
        h.clock().instant().plusMillis(700).atOffset(ZoneOffset.UTC))));
    long started = System.nanoTime();
    List<TaskView> got = await(h.client.claim(ClaimRequest.builder("w").stage(stage).waitMs(30_000).build()));
    assertThat(got).extracting(TaskView::id).containsExactly(id);
    // woken at the due time, not at the end of the 30 s wait (a functional bound, not a latency target)
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void aLongPollEndsWithNoTasksWhenNothingArrives() throws Exception {
    List<TaskView> got = await(h.client.claim(ClaimRequest.builder("w").stage(stage()).waitMs(200).build()));
    assertThat(got).isEmpty();
  }

  @Test
  void anExpiredLeaseBecomesAFailedAttemptAndTheLateCompletionIsRefused() throws Exception {
    String stage = stage();
    TaskView t = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage).build())).getJsonObject("task"));
    TaskView c = await(h.client.claim(ClaimRequest.builder("slow-worker").stage(stage).leaseMs(200).build())).get(0);
    h.clock().advance(Duration.ofSeconds(1));
    TaskView rescued = awaitState(t.id(), TaskState.RETRY);
    assertThat(rescued.lastError()).contains("lease expired").contains("slow-worker");
    assertThatThrownBy(() -> await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), null)))).rootCause()
        .satisfies(e -> assertThat(((ReboundException) e).code()).isEqualTo(ErrorCode.LEASE_LOST));
    assertThatThrownBy(() -> await(h.client.heartbeat(HeartbeatRequest.of(c.id(), c.leaseToken())))).rootCause()
        .satisfies(e -> assertThat(((ReboundException) e).code()).isEqualTo(ErrorCode.LEASE_LOST));
    long failures = await(pool.preparedQuery("SELECT count(*) FROM ledger.failures WHERE task_id = $1 AND error_type = 'LeaseExpired'")
        .execute(Tuple.of(t.id()))).iterator().next().getLong(0);
    assertThat(failures).isEqualTo(1);
  }

  @Test
  void aHeartbeatKeepsTheLeaseAlive() throws Exception {
    String stage = stage();
    enqueue(stage);
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).leaseMs(60_000).build())).get(0);
    h.clock().advance(Duration.ofSeconds(50));
    CheckpointRequest checkpoint = CheckpointRequest.of(c.id(), c.leaseToken(), 7, new JsonObject().put("offset", 4200), null);
    JsonObject beat = await(h.client.heartbeat(new HeartbeatRequest(c.id(), c.leaseToken(), null, checkpoint)));
    assertThat(beat.getJsonObject("checkpoint").getLong("sequence")).isEqualTo(7L);
    h.clock().advance(Duration.ofSeconds(50));
    Thread.sleep(400);  // several sweeps run; none may rescue a heartbeated lease
    assertThat(await(h.client.get(c.id())).state()).isEqualTo(TaskState.RUNNING);
    JsonObject latest = await(h.client.latestCheckpoint(c.id()));
    assertThat(latest.getJsonObject("checkpoint").getJsonObject("state")).isEqualTo(new JsonObject().put("offset", 4200));
    await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), null)));
  }

  @Test
  void aCorruptCheckpointIsDetectedAndThePreviousValidOneIsResumed() throws Exception {
    String stage = stage();
    TaskView t = enqueue(stage);
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    for (int seq = 1; seq <= 4; seq++) {
      JsonObject state = new JsonObject().put("page", seq * 10);
      await(h.client.saveCheckpoint(CheckpointRequest.of(c.id(), c.leaseToken(), seq, state, null)));
    }
    // only the newest 3 are kept
    long kept = await(pool.preparedQuery("SELECT count(*) FROM ledger.checkpoints WHERE task_id = $1").execute(Tuple.of(t.id())))
        .iterator().next().getLong(0);
    assertThat(kept).isEqualTo(3);
    // bit rot in the newest checkpoint
    await(pool.preparedQuery("UPDATE ledger.checkpoints SET state = '{\"page\": 99999}' WHERE task_id = $1 AND seq = 4")
        .execute(Tuple.of(t.id())));
    await(h.client.fail(FailureEvent.builder()
        .taskId(c.id())
        .attempt(c.attempt())
        .leaseToken(c.leaseToken())
        .source("w")
        .message("crashed")
        .build()));
    h.clock().advance(Duration.ofHours(2));
    TaskView resumed = await(h.client.claim(ClaimRequest.builder("w2").stage(stage).build())).get(0);
    assertThat(resumed.checkpoint().getLong("sequence")).isEqualTo(3L);
    assertThat(resumed.checkpoint().getJsonObject("state")).isEqualTo(new JsonObject().put("page", 30));
    JsonObject latest = await(h.client.history(t.id()).compose(x -> h.client.latestCheckpoint(t.id())));
    assertThat(latest.getJsonArray("corruptSequences")).isEqualTo(new JsonArray().add(4));
  }

  @Test
  void checkpointsBelongToTheLeaseHolderAndAChecksumMustMatch() throws Exception {
    String stage = stage();
    enqueue(stage);
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    JsonObject state = new JsonObject().put("cursor", "abc");
    assertThatThrownBy(() -> await(h.client.saveCheckpoint(CheckpointRequest.of(c.id(), UUID.randomUUID(), 1, state, null))))
        .rootCause().satisfies(e -> assertThat(((ReboundException) e).code()).isEqualTo(ErrorCode.LEASE_LOST));
    assertThatThrownBy(() -> await(h.client.saveCheckpoint(CheckpointRequest.of(c.id(), c.leaseToken(), 1, state,
        "00".repeat(32))))).rootCause().hasMessageContaining("checksum");
    await(h.client.saveCheckpoint(CheckpointRequest.of(c.id(), c.leaseToken(), 1, state, null)));
    assertThatThrownBy(() -> await(h.client.saveCheckpoint(CheckpointRequest.of(c.id(), c.leaseToken(), 1, state, null))))
        .rootCause().satisfies(e -> assertThat(((ReboundException) e).code()).isEqualTo(ErrorCode.CONFLICT));
  }

  @Test
  void finishedTasksArePrunedAfterTheirRetentionWithTheirHistoryAndCheckpoints() throws Exception {
    String stage = stage();
    TaskView t = enqueue(stage);
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    await(h.client.saveCheckpoint(CheckpointRequest.of(c.id(), c.leaseToken(), 1, new JsonObject(), null)));
    await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), null)));
    TaskView young = enqueue(stage);
    h.clock().advance(Duration.ofDays(8));
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline && exists(t.id())) {
      Thread.sleep(50);
    }
    assertThat(exists(t.id())).isFalse();
    assertThat(ProvisionalDeadLetterTest.rowsOf(pool, t.id())).as("rows left of the pruned task")
        .allSatisfy((table, n) -> assertThat(n).as(table).isZero());
    assertThat(exists(young.id())).as("unfinished tasks are kept").isTrue();
  }

  static boolean exists(UUID id) throws Exception {
    return await(pool.preparedQuery("SELECT 1 FROM ledger.tasks WHERE id = $1").execute(Tuple.of(id))).size() == 1;
  }

  static TaskView enqueue(String stage) throws Exception {
    return TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage).build())).getJsonObject("task"));
  }

  static TaskView awaitState(UUID id, TaskState state) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    TaskView t = await(h.client.get(id));
    while (t.state() != state && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      t = await(h.client.get(id));
    }
    assertThat(t.state()).isEqualTo(state);
    return t;
  }
}
