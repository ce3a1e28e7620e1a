package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The retry service's decision is final: a RETRY or PARK for exactly the attempt the ledger's
 * provisional rule dead-lettered takes the task out of the dead-letter queue, unless something
 * touched the task since or the task set its own attempt budget. Without a decision the dead letter
 * stands. The ledger here dead-letters on the first failure ({@code ledger.retry.max-attempts} 1).
 */
class ProvisionalDeadLetterTest {
  static LedgerHarness h;
  static final List<Transition> published = new CopyOnWriteArrayList<>();
  static MessageConsumer<JsonObject> observer;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("provisional", Map.of("ledger.retry.max-attempts", "1", "ledger.retry.jitter", "none"));
    observer = h.vertx.eventBus().consumer(Addresses.EVENTS_TASKS, m -> published.add(Transition.fromJson(m.body())));
    await(observer.completion());
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  /** A task the provisional rule dead-lettered at its first attempt; {@code ownMaxAttempts} null: it gave none. */
  static TaskView deadLettered(Integer ownMaxAttempts) throws Exception {
    String stage = "pdl-" + UUID.randomUUID().toString().substring(0, 8);
    EnqueueRequest.Builder request = EnqueueRequest.builder(stage);
    if (ownMaxAttempts != null) {
      request.maxAttempts(ownMaxAttempts);
    }
    TaskView t = TaskView.fromJson(await(h.client.enqueue(request.build())).getJsonObject("task"));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    JsonObject reply = await(h.client.fail(FailureEvent.builder().taskId(c.id()).attempt(c.attempt())
        .leaseToken(c.leaseToken()).source("w").message("HTTP 503").build()));
    assertThat(reply.getJsonObject("provisional").getString("state")).isEqualTo("FAILED");
    return await(h.client.get(t.id()));
  }

  static JsonObject decide(TaskView t, DecisionAction action, Instant runAt, String reason) throws Exception {
    return await(h.client.decide(new Decision(t.id(), t.attempt(), action, runAt, reason, "retry-service")));
  }

  static JsonObject lastHistory(UUID id) throws Exception {
    JsonArray history = await(h.client.history(id));
    return history.getJsonObject(history.size() - 1);
  }

  @Test
  void aRetryDecisionForTheAttemptTheProvisionalRuleDeadLetteredRetriesTheTaskAfterAll() throws Exception {
    TaskView t = deadLettered(null);
    Instant runAt = h.clock().instant().plusSeconds(16).truncatedTo(ChronoUnit.MILLIS);
    JsonObject reply = decide(t, DecisionAction.RETRY, runAt, "transient: read timed out");

    assertThat(reply.getBoolean("applied")).isTrue();
    assertThat(reply.getString("outcome")).isEqualTo("applied: replaced the provisional dead letter");
    TaskView after = await(h.client.get(t.id()));
    assertThat(after.state()).isEqualTo(TaskState.RETRY);
    assertThat(after.runAfter()).isEqualTo(runAt);
    assertThat(after.finishedAt()).isNull();
    JsonObject last = lastHistory(t.id());
    assertThat(last.getString("from")).isEqualTo("FAILED");
    assertThat(last.getString("to")).isEqualTo("RETRY");
    assertThat(last.getString("reason")).isEqualTo(
        "the retry service's decision replaced the provisional dead letter: transient: read timed out");
    assertThat(last.getString("actor")).isEqualTo("retry-service");
    eventually(() -> published.stream().anyMatch(tr -> tr.taskId().equals(t.id()) && tr.from() == TaskState.FAILED
        && tr.to() == TaskState.RETRY));

    // the retry the stage's policy wanted happens: the task is claimable again once due
    h.clock().advance(Duration.ofSeconds(17));
    List<TaskView> claimed = await(h.client.claim(ClaimRequest.builder("w").stage(t.stage()).build()));
    assertThat(claimed).singleElement().satisfies(c -> assertThat(c.attempt()).isEqualTo(2));
  }

  @Test
  void aParkDecisionForTheAttemptTheProvisionalRuleDeadLetteredParksTheTask() throws Exception {
    TaskView t = deadLettered(null);
    JsonObject reply = decide(t, DecisionAction.PARK, null, "circuit stage:x is open");

    assertThat(reply.getBoolean("applied")).isTrue();
    TaskView after = await(h.client.get(t.id()));
    assertThat(after.state()).isEqualTo(TaskState.BLOCKED);
    assertThat(after.blockedReason()).isEqualTo(
        "the retry service's decision replaced the provisional dead letter: circuit stage:x is open");
    assertThat(lastHistory(t.id()).getString("from")).isEqualTo("FAILED");
  }

  @Test
  void aDecisionThatArrivesAfterARedriveLeavesTheRedrivenTaskAlone() throws Exception {
    TaskView t = deadLettered(null);
    await(h.client.redrive(DeadLetterSelection.ofIds(List.of(t.id()), "fixed by hand")));
    TaskView redriven = await(h.client.get(t.id()));

    JsonObject reply = decide(t, DecisionAction.RETRY, h.clock().instant().plusSeconds(60), "late");
    assertThat(reply.getBoolean("applied")).isFalse();
    TaskView after = await(h.client.get(t.id()));
    assertThat(after.state()).isEqualTo(TaskState.QUEUED);
    assertThat(after.version()).isEqualTo(redriven.version());
  }

  @Test
  void aTaskEnqueuedWithItsOwnMaxAttemptsStaysDeadLettered() throws Exception {
    TaskView t = deadLettered(1);
    JsonObject reply = decide(t, DecisionAction.RETRY, h.clock().instant().plusSeconds(60), "transient");

    assertThat(reply.getBoolean("applied")).isFalse();
    assertThat(reply.getString("outcome")).contains("own attempt budget");
    TaskView after = await(h.client.get(t.id()));
    assertThat(after.state()).isEqualTo(TaskState.FAILED);
    assertThat(after.version()).isEqualTo(t.version());
  }

  @Test
  void aDeadLetterDecisionConfirmsTheProvisionalDeadLetterAndWithoutADecisionItStands() throws Exception {
    TaskView confirmed = deadLettered(null);
    JsonObject reply = decide(confirmed, DecisionAction.DEAD_LETTER, null, "permanent");
    assertThat(reply.getBoolean("applied")).isFalse();
    assertThat(reply.getString("outcome")).isEqualTo("confirmed: the provisional dead letter stands");
    assertThat(await(h.client.get(confirmed.id())).version()).isEqualTo(confirmed.version());

    TaskView undecided = deadLettered(null);
    assertThat(await(h.client.get(undecided.id())).state()).isEqualTo(TaskState.FAILED);
  }

  @Test
  void aPurgeDeletesTheDeadLettersWithTheirHistoryFailuresDecisionsAndCheckpointsAndNothingElse() throws Exception {
    TaskView byId = deadLettered(null);
    decide(byId, DecisionAction.DEAD_LETTER, null, "permanent");
    TaskView byFilter = deadLettered(null);
    TaskView kept = deadLettered(null);
    Pool pool = h.db.pool(h.vertx, 1);
    try {
      for (TaskView t : List.of(byId, byFilter, kept)) {
        await(pool.preparedQuery("INSERT INTO ledger.checkpoints (task_id, seq, state, checksum, attempt, created_at)"
            + " VALUES ($1, 1, '{}', 'x', 1, now())").execute(Tuple.of(t.id())));
        assertThat(rowsOf(pool, t.id())).as("history, failure, checkpoint of %s", t.id()).containsOnlyKeys(
            "history", "failures", "decisions", "checkpoints").allSatisfy((table, n) -> {
              if (!table.equals("decisions") || t == byId) {
                assertThat(n).as(table).isPositive();
              }
            });
      }

      JsonObject purged = await(h.client.purge(DeadLetterSelection.ofIds(List.of(byId.id()), "cleanup")));
      assertThat(purged.toString()).contains(byId.id().toString());
      await(h.client.purge(DeadLetterSelection.matching(DeadLetterSelection.Filter.ofStage(byFilter.stage()), 10,
          "cleanup")));

      for (TaskView gone : List.of(byId, byFilter)) {
        assertThat(await(pool.preparedQuery("SELECT 1 FROM ledger.tasks WHERE id = $1").execute(Tuple.of(gone.id())))
            .size()).isZero();
        assertThat(rowsOf(pool, gone.id())).as("rows left of purged task %s", gone.id()).allSatisfy((table, n) ->
            assertThat(n).as(table).isZero());
      }
      assertThat(await(h.client.get(kept.id())).state()).isEqualTo(TaskState.FAILED);
      assertThat(rowsOf(pool, kept.id()).get("history")).isPositive();
      assertThat(rowsOf(pool, kept.id()).get("checkpoints")).isOne();
    } finally {
      await(pool.close());
    }
  }

  /** How many rows of each table that belongs to a task refer to it. */
  static Map<String, Long> rowsOf(Pool pool, UUID taskId) throws Exception {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (String table : List.of("history", "failures", "decisions", "checkpoints")) {
      out.put(table, await(pool.preparedQuery("SELECT count(*) FROM ledger." + table + " WHERE task_id = $1")
          .execute(Tuple.of(taskId))).iterator().next().getLong(0));
    }
    return out;
  }
}
