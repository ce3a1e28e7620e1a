package dev.rebound.ledger.store;

import dev.rebound.common.service.Origin;
import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.TaskState;
import dev.rebound.ledger.domain.DecisionRules;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * Decisions of the retry service, recorded once per (task, attempt) in {@code ledger.decisions} and
 * applied in the same transaction. What a decision does is {@link DecisionRules}' call, made under the
 * task's row lock.
 */
public final class DecisionStore {
  private final Pool pool;
  private final Clock clock;

  public DecisionStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** {@code duplicate}: the attempt was decided before, and {@code outcome} tells how. */
  public record Decided(boolean applied, boolean duplicate, String outcome, Changed changed) {
  }

  /**
   * Applies a decision once per (task, attempt). A decision for an attempt that is not the current
   * one, or for a task that moved on, is recorded as not applied and says why; one for an attempt
   * that has not failed yet is refused (CONFLICT) and not recorded.
   */
  public Future<Decided> applyDecision(Decision d, Origin origin) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(LedgerSql.TASK_BY_ID_FOR_UPDATE).execute(Tuple.of(d.taskId()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ReboundException.notFound("task", d.taskId()));
          }
          Row row = rows.iterator().next();
          DecisionRules.Verdict verdict = DecisionRules.judge(new DecisionRules.LockedTask(
              TaskState.valueOf(row.getString("state")), row.getInteger("attempt"), row.getString("workflow_id")), d);
          if (verdict instanceof DecisionRules.Premature premature) {
            return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT, premature.message(),
                new JsonObject().put("taskId", d.taskId().toString()).put("currentAttempt", premature.currentAttempt())));
          }
          return conn.preparedQuery(LedgerSql.INSERT_DECISION).execute(Tuple.tuple(Arrays.asList(d.taskId(),
                  d.attempt(), d.action().name(), ts(d.runAt()), d.reason(), d.decidedBy(), ts(now))))
              .compose(ins -> {
                if (ins.size() == 0) {
                  return conn.preparedQuery(LedgerSql.DECISION_OUTCOME).execute(Tuple.of(d.taskId(), d.attempt()))
                      .map(prev -> {
                        Row p = prev.iterator().next();
                        return new Decided(false, true, DecisionRules.alreadyDecided(p.getString("action"),
                            p.getString("outcome")), Changed.NOTHING);
                      });
                }
                return execute(conn, d, verdict, origin, now).compose(decided -> conn.preparedQuery(LedgerSql.UPDATE_DECISION_OUTCOME)
                    .execute(Tuple.of(d.taskId(), d.attempt(), decided.applied(), decided.outcome()))
                    .compose(v -> conn.preparedQuery(LedgerSql.MARK_FAILURE_DECIDED)
                        .execute(Tuple.of(ts(now), d.taskId(), d.attempt(), d.action().name())))
                    .map(decided));
              });
        }));
  }

  private static Future<Decided> execute(SqlConnection conn, Decision d, DecisionRules.Verdict verdict, Origin origin,
                                         Instant now) {
    if (verdict instanceof DecisionRules.NotApplied notApplied) {
      return Future.succeededFuture(new Decided(false, false, notApplied.outcome(), Changed.NOTHING));
    }
    DecisionRules.Apply apply = (DecisionRules.Apply) verdict;
    DecisionRules.Step step = apply.step();
    String sql;
    Tuple args;
    if (step instanceof DecisionRules.RetryAt retry) {
      sql = LedgerSql.DECIDE_RETRY;
      args = Tuple.of(d.taskId(), d.attempt(), ts(retry.runAt()));
    } else if (step instanceof DecisionRules.Park) {
      sql = LedgerSql.DECIDE_PARK;
      args = Tuple.of(d.taskId(), d.attempt());
    } else if (step instanceof DecisionRules.DeadLetter) {
      sql = LedgerSql.DECIDE_DEAD_LETTER;
      args = Tuple.of(d.taskId(), d.attempt());
    } else if (step instanceof DecisionRules.AbortWorkflow abort) {
      sql = LedgerSql.ABORT_WORKFLOW;
      args = Tuple.of(abort.workflowId());
    } else {
      sql = LedgerSql.CANCEL;  // CancelAlone: no expected version
      args = Tuple.tuple(Arrays.asList(d.taskId(), null));
    }
    return Transitions.run(conn, now, sql, args, apply.reason(), null, origin).map(changed -> {
      int moved = changed.tasks().size();
      return new Decided(step.applied(moved), false, step.outcome(moved), changed);
    });
  }
}
