package dev.rebound.ledger.store;

import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.service.Origin;
import dev.rebound.ledger.domain.DecisionRules;
import dev.rebound.ledger.domain.TaskOperation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decisions of the retry service, recorded once per (task, attempt) in {@code ledger.decisions} and
 * applied in the same transaction, in groups (group commit): the group's tasks are locked, each
 * decision is judged by {@link DecisionRules} under the locks, the moves are one multi-row statement
 * and the records another. A decision that is refused fails alone.
 */
public final class DecisionStore {
  private final Pool pool;
  private final Clock clock;

  public DecisionStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** A decision to apply, and on whose behalf (the history's actor and correlation id). */
  public record DecisionRequest(Decision decision, Origin origin) {
  }

  /** {@code duplicate}: the attempt was decided before, and {@code outcome} tells how. */
  public record Decided(boolean applied, boolean duplicate, String outcome, Changed changed) {
  }

  /** A decision on its way through a group. */
  private static final class Item {
    final Decision d;
    final Origin origin;
    Row task;
    ReboundException refusal;
    DecisionRules.Verdict verdict;
    /** The decision of the same attempt earlier in the group, which this one repeats. */
    Item repeats;
    Decided decided;

    Item(DecisionRequest r) {
      this.d = r.decision();
      this.origin = r.origin();
    }

    TaskAttempt key() {
      return new TaskAttempt(d.taskId(), d.attempt());
    }
  }

  private record TaskAttempt(UUID taskId, int attempt) {
  }

  /**
   * Applies a group of decisions, each once per (task, attempt), in one transaction; per decision, in
   * order, what became of it or the error that fails it alone. A decision for an attempt that is not
   * the current one, or for a task that moved on, is recorded as not applied and says why; one for an
   * attempt that has not failed yet is refused (CONFLICT) and not recorded; one for an unknown task is
   * refused (NOT_FOUND). A repeat, before or within the group, answers "already decided".
   */
  public Future<List<Outcome<Decided>>> applyDecisions(List<DecisionRequest> requests) {
    Instant now = clock.instant();
    List<Item> items = requests.stream().map(Item::new).toList();
    return pool.withTransaction(conn -> {
      // pipelined: the look-up of decisions recorded before runs right behind the locks, on the server, in order
      Future<Void> judged = lockAndJudge(conn, items);
      Future<RowSet<Row>> recorded = decisionsRecorded(conn, items);
      return Future.all(judged, recorded).map(v -> answerRepeats(items, recorded.result()))
          .compose(firsts -> move(conn, firsts, now)
              .compose(v -> abort(conn, firsts, now))
              .compose(v -> record(conn, firsts, now)))
          .map(v -> items.stream().map(DecisionStore::outcome).toList());
    });
  }

  private static Future<Void> lockAndJudge(SqlConnection conn, List<Item> items) {
    Set<UUID> ids = new LinkedHashSet<>();
    items.forEach(i -> ids.add(i.d.taskId()));
    return conn.preparedQuery(LedgerSql.TASKS_BY_IDS_FOR_UPDATE).execute(Tuple.of(TaskRows.uuids(ids))).map(rows -> {
      Map<UUID, Row> byId = new HashMap<>();
      rows.forEach(r -> byId.put(r.getUUID("id"), r));
      for (Item i : items) {
        i.task = byId.get(i.d.taskId());
        if (i.task == null) {
          i.refusal = ReboundException.notFound("task", i.d.taskId());
          continue;
        }
        i.verdict = DecisionRules.judge(lockedTask(i.task), i.d);
        if (i.verdict instanceof DecisionRules.Premature premature) {
          i.refusal = new ReboundException(ErrorCode.CONFLICT, premature.message(), new JsonObject()
              .put("taskId", i.d.taskId().toString()).put("currentAttempt", premature.currentAttempt()));
        }
      }
      return null;
    });
  }

  static DecisionRules.LockedTask lockedTask(Row row) {
    // the provisional rule's dead letter, untouched since: the version has not moved on from it
    Long provisionalVersion = row.getLong("provisional_dead_letter_version");
    return new DecisionRules.LockedTask(TaskState.valueOf(row.getString("state")), row.getInteger("attempt"),
        row.getString("workflow_id"), provisionalVersion != null && provisionalVersion.equals(row.getLong("version")),
        row.getInteger("own_max_attempts") != null);
  }

  /**
   * Answers the repeats (of a decision recorded before, or of one earlier in the group) and returns the
   * first decisions of their attempts, which are the ones to apply and record.
   */
  private static Future<RowSet<Row>> decisionsRecorded(SqlConnection conn, List<Item> items) {
    UUID[] tasks = items.stream().map(i -> i.d.taskId()).toArray(UUID[]::new);
    Integer[] attempts = items.stream().map(i -> i.d.attempt()).toArray(Integer[]::new);
    return conn.preparedQuery(LedgerSql.DECISIONS_RECORDED).execute(Tuple.tuple(List.of(tasks, attempts)));
  }

  private static List<Item> answerRepeats(List<Item> items, RowSet<Row> recorded) {
    Map<TaskAttempt, Row> before = new HashMap<>();
    recorded.forEach(r -> before.put(new TaskAttempt(r.getUUID("task_id"), r.getInteger("attempt")), r));
    Map<TaskAttempt, Item> firstOf = new HashMap<>();
    List<Item> firsts = new ArrayList<>();
    for (Item i : items) {
      if (i.refusal != null) {
        continue;
      }
      Row p = before.get(i.key());
      if (p != null) {
        i.decided = new Decided(false, true, DecisionRules.alreadyDecided(p.getString("action"), p.getString("outcome")),
            Changed.NOTHING);
      } else if (firstOf.containsKey(i.key())) {
        i.repeats = firstOf.get(i.key());
      } else {
        firstOf.put(i.key(), i);
        firsts.add(i);
      }
    }
    return firsts;
  }

  /** The retries, parks and dead letters of the group, in one statement. */
  private static Future<Void> move(SqlConnection conn, List<Item> firsts, Instant now) {
    List<Item> moving = new ArrayList<>();
    for (Item i : firsts) {
      if (i.verdict instanceof DecisionRules.NotApplied notApplied) {
        i.decided = new Decided(false, false, notApplied.outcome(), Changed.NOTHING);
      } else if (operationOf(((DecisionRules.Apply) i.verdict).step()) != null) {
        moving.add(i);
      }
    }
    if (moving.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = moving.size();
    UUID[] ids = new UUID[n];
    Integer[] attempts = new Integer[n];
    String[] ops = new String[n];
    String[] states = new String[n];
    OffsetDateTime[] runAt = new OffsetDateTime[n];
    String[] reasons = new String[n];
    String[] actors = new String[n];
    String[] correlations = new String[n];
    for (int k = 0; k < n; k++) {
      Item i = moving.get(k);
      DecisionRules.Apply apply = (DecisionRules.Apply) i.verdict;
      TaskOperation op = operationOf(apply.step());
      ids[k] = i.d.taskId();
      attempts[k] = i.d.attempt();
      ops[k] = op.name();
      if (apply.step() instanceof DecisionRules.ReplaceDeadLetter replace) {
        states[k] = replace.to().name();
        runAt[k] = ts(replace.runAt());
      } else {
        states[k] = op.to().name();
        runAt[k] = apply.step() instanceof DecisionRules.RetryAt retry ? ts(retry.runAt()) : null;
      }
      reasons[k] = apply.reason();
      actors[k] = i.origin.actor();
      correlations[k] = i.origin.correlationId();
    }
    Tuple args = Tuple.tuple(List.of(ts(now), ids, attempts, ops, states, runAt, reasons, actors, correlations));
    return conn.preparedQuery(LedgerSql.DECIDE_MANY).execute(args).map(rows -> {
      Map<UUID, Row> moved = new HashMap<>();
      rows.forEach(r -> moved.put(r.getUUID("id"), r));
      for (Item i : moving) {
        DecisionRules.Apply apply = (DecisionRules.Apply) i.verdict;
        Row r = moved.get(i.d.taskId());
        Changed changed = r == null ? Changed.NOTHING : new Changed(List.of(TaskRows.view(r)), List.of(
            // a dead letter carries the failure that caused it, so its alert can say what went wrong
            TaskRows.transition(r, apply.reason(), "FAILED".equals(r.getString("state")) ? r.getString("last_error") : null,
                i.origin.actor(), i.origin.correlationId(), now)));
        int count = changed.tasks().size();
        i.decided = new Decided(apply.step().applied(count), false, apply.step().outcome(count), changed);
      }
      return null;
    });
  }

  /** The operation a step runs in {@link LedgerSql#DECIDE_MANY}; null for the aborts, which run one by one. */
  private static TaskOperation operationOf(DecisionRules.Step step) {
    if (step instanceof DecisionRules.RetryAt) {
      return TaskOperation.RETRY_AT;
    }
    if (step instanceof DecisionRules.Park) {
      return TaskOperation.PARK;
    }
    if (step instanceof DecisionRules.DeadLetter) {
      return TaskOperation.DEAD_LETTER;
    }
    if (step instanceof DecisionRules.ReplaceDeadLetter) {
      return TaskOperation.REPLACE_DEAD_LETTER;
    }
    return null;
  }

  /** Aborts (rare) cancel whole workflows: one statement each, after the group's other moves. */
  private static Future<Void> abort(SqlConnection conn, List<Item> firsts, Instant now) {
    Future<Void> chain = Future.succeededFuture();
    for (Item i : firsts) {
      if (i.decided != null) {
        continue;
      }
      DecisionRules.Apply apply = (DecisionRules.Apply) i.verdict;
      DecisionRules.Step step = apply.step();
      String sql = step instanceof DecisionRules.AbortWorkflow ? LedgerSql.ABORT_WORKFLOW : LedgerSql.CANCEL;
      Tuple args = step instanceof DecisionRules.AbortWorkflow abort ? Tuple.of(abort.workflowId())
          : Tuple.tuple(Arrays.asList(i.d.taskId(), null));  // CancelAlone: no expected version
      chain = chain.compose(v -> Transitions.run(conn, now, sql, args, apply.reason(), null, i.origin).map(changed -> {
        int moved = changed.tasks().size();
        i.decided = new Decided(step.applied(moved), false, step.outcome(moved), changed);
        return null;
      }));
    }
    return chain;
  }

  private static Future<Void> record(SqlConnection conn, List<Item> firsts, Instant now) {
    if (firsts.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = firsts.size();
    UUID[] tasks = new UUID[n];
    Integer[] attempts = new Integer[n];
    String[] actions = new String[n];
    OffsetDateTime[] runAt = new OffsetDateTime[n];
    String[] reasons = new String[n];
    String[] decidedBy = new String[n];
    Boolean[] applied = new Boolean[n];
    String[] outcomes = new String[n];
    for (int k = 0; k < n; k++) {
      Item i = firsts.get(k);
      tasks[k] = i.d.taskId();
      attempts[k] = i.d.attempt();
      actions[k] = i.d.action().name();
      runAt[k] = ts(i.d.runAt());
      reasons[k] = i.d.reason();
      decidedBy[k] = i.d.decidedBy();
      applied[k] = i.decided.applied();
      outcomes[k] = i.decided.outcome();
    }
    Tuple args = Tuple.tuple(List.of(ts(now), tasks, attempts, actions, runAt, reasons, decidedBy, applied, outcomes));
    return conn.preparedQuery(LedgerSql.RECORD_DECISIONS).execute(args).compose(rows -> {
      long recorded = rows.iterator().next().getLong(0);
      // every task is locked and its attempt checked first, so nothing can have recorded these meanwhile
      return recorded == n ? Future.succeededFuture()
          : Future.failedFuture(new ReboundException(ErrorCode.INTERNAL, "recorded " + recorded + " of " + n + " decisions"));
    });
  }

  private static Outcome<Decided> outcome(Item i) {
    if (i.refusal != null) {
      return Outcome.failed(i.refusal);
    }
    if (i.repeats != null) {
      Decided first = i.repeats.decided;
      return Outcome.ok(new Decided(false, true, DecisionRules.alreadyDecided(i.repeats.d.action().name(), first.outcome()),
          Changed.NOTHING));
    }
    return Outcome.ok(i.decided);
  }
}
