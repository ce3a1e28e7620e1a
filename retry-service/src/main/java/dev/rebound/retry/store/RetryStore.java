package dev.rebound.retry.store;

import dev.rebound.common.classification.DecisionAction;
import dev.rebound.retry.domain.BudgetExhausted;
import dev.rebound.retry.domain.BudgetRecovered;
import dev.rebound.retry.domain.CircuitSnapshot;
import dev.rebound.retry.domain.CircuitTransition;
import dev.rebound.retry.domain.RetryEvent;
import dev.rebound.retry.state.StateJson;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The retry service's records in schema {@code retry}: decisions once per (task, attempt), with the circuits
 * that changed state, their transitions and the budgets' exhaustion episodes written in the same transaction;
 * the persisted circuits a start restores.
 */
public final class RetryStore {
  private final Pool pool;
  private final Clock clock;

  public RetryStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** The decisions already taken among {@code keys}, by {@link DecisionRow#key}. */
  public Future<Map<String, DecisionRow>> decisions(List<DecisionRow.Key> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    UUID[] tasks = new UUID[keys.size()];
    Integer[] attempts = new Integer[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      tasks[i] = keys.get(i).taskId();
      attempts[i] = keys.get(i).attempt();
    }
    return pool.preparedQuery(RetrySql.DECISIONS_AMONG).execute(Tuple.of(tasks, (Object) attempts)).map(rows -> {
      Map<String, DecisionRow> out = new HashMap<>();
      rows.forEach(r -> {
        DecisionRow d = decisionRow(r);
        out.put(d.key().toString(), d);
      });
      return out;
    });
  }

  /**
   * Records a batch of decisions with the circuits that changed state, their transitions and the budget
   * episodes, in one transaction; returns the keys ({@link DecisionRow#key}) of the decisions inserted (one
   * decided already is not).
   */
  public Future<Set<String>> recordAll(List<DecisionRow> decisions, List<CircuitSnapshot> circuits,
      List<? extends RetryEvent> events) {
    if (decisions.isEmpty()) {
      return saveCircuits(circuits, events).map(Set.of());
    }
    int n = decisions.size();
    UUID[] tasks = new UUID[n];
    Integer[] attempts = new Integer[n];
    String[] stages = new String[n];
    String[] actions = new String[n];
    OffsetDateTime[] runAt = new OffsetDateTime[n];
    Long[] delays = new Long[n];
    String[] causes = new String[n];
    Boolean[] degraded = new Boolean[n];
    Boolean[] free = new Boolean[n];
    String[] blockedBy = new String[n];
    String[] reasons = new String[n];
    UUID[] failures = new UUID[n];
    OffsetDateTime[] decidedAt = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      DecisionRow d = decisions.get(i);
      tasks[i] = d.taskId();
      attempts[i] = d.attempt();
      stages[i] = d.stage();
      actions[i] = d.action().name();
      runAt[i] = ts(d.runAt());
      delays[i] = d.delayMs();
      causes[i] = d.cause();
      degraded[i] = d.degraded();
      free[i] = d.free();
      blockedBy[i] = d.blockedBy();
      reasons[i] = d.reason();
      failures[i] = d.failureId();
      decidedAt[i] = ts(d.decidedAt());
    }
    Tuple t = Tuple.of(tasks, attempts, stages, actions, runAt, delays, causes).addValue(degraded).addValue(free)
        .addValue(blockedBy).addValue(reasons).addValue(failures).addValue(decidedAt);
    return pool.withTransaction(tx -> tx.preparedQuery(RetrySql.INSERT_DECISIONS).execute(t).compose(rows -> {
      Set<String> inserted = new HashSet<>();
      rows.forEach(r -> inserted.add(new DecisionRow.Key(r.getUUID("task_id"), r.getInteger("attempt")).toString()));
      return saveChanges(tx, circuits, events).map(inserted);
    }));
  }

  /** Circuits that changed state and their transitions (operator actions, the sweep, successes). */
  public Future<Void> saveCircuits(List<CircuitSnapshot> circuits, List<? extends RetryEvent> events) {
    if (circuits.isEmpty() && events.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(tx -> saveChanges(tx, circuits, events));
  }

  private Future<Void> saveChanges(SqlClient tx, List<CircuitSnapshot> circuits, List<? extends RetryEvent> events) {
    Instant now = clock.instant();
    List<Tuple> snapshots = new ArrayList<>();
    circuits.forEach(c -> snapshots.add(Tuple.of(c.name(), c.state().name(), c.version(),
        StateJson.circuit(c), ts(now))));
    List<Tuple> transitions = new ArrayList<>();
    List<Tuple> budgetEvents = new ArrayList<>();
    for (RetryEvent e : events) {
      if (e instanceof CircuitTransition t) {
        transitions.add(Tuple.of(t.name(), t.from().name(), t.to().name(), t.reason(), t.actor(), ts(t.at())));
      } else if (e instanceof BudgetExhausted b) {
        budgetEvents.add(Tuple.of(b.key(), "EXHAUSTED", b.retries(), b.allowance(), b.firstAttempts(), ts(b.at())));
      } else if (e instanceof BudgetRecovered b) {
        budgetEvents.add(Tuple.of(b.key(), "RECOVERED", b.retries(), b.allowance(), null, ts(b.at())));
      }
    }
    Future<?> f = Future.succeededFuture();
    if (!snapshots.isEmpty()) {
      f = f.compose(v -> tx.preparedQuery(RetrySql.UPSERT_CIRCUIT).executeBatch(snapshots));
    }
    if (!transitions.isEmpty()) {
      f = f.compose(v -> tx.preparedQuery(RetrySql.INSERT_TRANSITION).executeBatch(transitions));
    }
    if (!budgetEvents.isEmpty()) {
      f = f.compose(v -> tx.preparedQuery(RetrySql.INSERT_BUDGET_EVENT).executeBatch(budgetEvents));
    }
    return f.mapEmpty();
  }

  /** An operator's action on a task (it then counts as healed by a person if it ends DONE). */
  public Future<Void> noteIntervention(UUID taskId, String actor, Instant at) {
    return pool.preparedQuery(RetrySql.NOTE_INTERVENTION).execute(Tuple.of(taskId, actor, ts(at))).mapEmpty();
  }

  /** How a task that ended DONE after failures got there. */
  public record Healing(Instant firstDecided, boolean intervened) {
  }

  public Future<Healing> healing(UUID taskId) {
    return pool.preparedQuery(RetrySql.HEALING).execute(Tuple.of(taskId)).map(rows -> {
      Row r = rows.iterator().next();
      OffsetDateTime first = r.getOffsetDateTime("first_decided");
      return new Healing(first == null ? null : first.toInstant(), r.getBoolean("intervened"));
    });
  }

  /** Every persisted circuit (restored into shared data at start). */
  public Future<List<CircuitSnapshot>> circuits() {
    return pool.preparedQuery(RetrySql.CIRCUITS).execute().map(rows -> {
      List<CircuitSnapshot> out = new ArrayList<>();
      rows.forEach(r -> out.add(StateJson.circuit(r.getJsonObject(0))));
      return out;
    });
  }

  /** A circuit's latest transitions, newest first: {@code {from, to, reason, actor?, at}}. */
  public Future<List<JsonObject>> transitions(String name, int limit) {
    return pool.preparedQuery(RetrySql.TRANSITIONS).execute(Tuple.of(name, limit)).map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      rows.forEach(r -> {
        JsonObject o = new JsonObject().put("from", r.getString("from_state")).put("to", r.getString("to_state"))
            .put("reason", r.getString("reason"));
        if (r.getString("actor") != null) {
          o.put("actor", r.getString("actor"));
        }
        out.add(o.put("at", r.getOffsetDateTime("at").toInstant().toString()));
      });
      return out;
    });
  }

  /** Deletes up to {@code batch} rows of each table older than {@code retention}; returns how many. */
  public Future<Integer> prune(Duration retention, int batch) {
    OffsetDateTime before = ts(clock.instant().minus(retention));
    return pool.preparedQuery(RetrySql.PRUNE_DECISIONS).execute(Tuple.of(before, batch))
        .compose(a -> pool.preparedQuery(RetrySql.PRUNE_TRANSITIONS).execute(Tuple.of(before, batch))
            .compose(b -> pool.preparedQuery(RetrySql.PRUNE_BUDGET_EVENTS).execute(Tuple.of(before, batch))
                .compose(c -> pool.preparedQuery(RetrySql.PRUNE_INTERVENTIONS).execute(Tuple.of(before, batch))
                    .map(d -> a.rowCount() + b.rowCount() + c.rowCount() + d.rowCount()))));
  }

  private static DecisionRow decisionRow(Row r) {
    OffsetDateTime runAt = r.getOffsetDateTime("run_at");
    return new DecisionRow(r.getUUID("task_id"), r.getInteger("attempt"), r.getString("stage"),
        DecisionAction.valueOf(r.getString("action")), runAt == null ? null : runAt.toInstant(), r.getLong("delay_ms"),
        r.getString("cause"), r.getBoolean("degraded"), r.getBoolean("free"), r.getString("blocked_by"),
        r.getString("reason"), r.getUUID("failure_id"), r.getOffsetDateTime("decided_at").toInstant());
  }

  private static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }
}
