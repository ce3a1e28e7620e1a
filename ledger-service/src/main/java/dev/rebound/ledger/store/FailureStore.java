package dev.rebound.ledger.store;

import dev.rebound.common.service.Origin;
import static dev.rebound.ledger.store.Timestamps.instant;
import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.ledger.domain.FailureAdmission;
import dev.rebound.ledger.domain.ProvisionalRetry;
import dev.rebound.ledger.domain.TaskOperation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * Failure reports: the failure row (which is also the analyzer outbox's entry) and, for a task, the
 * failed attempt with its provisional next step, in one transaction. Whether a report is admitted is
 * {@link FailureAdmission}'s call, made under the task's row lock.
 */
public final class FailureStore {
  private final Pool pool;
  private final Clock clock;
  private final ProvisionalRetry provisional;
  private final FailureAdmission admission;
  private final Duration firstResend;

  /** @param firstResend when the outbox re-sends a failure that has no decision by then */
  public FailureStore(Pool pool, Clock clock, ProvisionalRetry provisional, Duration firstResend) {
    this.pool = pool;
    this.clock = clock;
    this.provisional = provisional;
    this.admission = new FailureAdmission(clock);
    this.firstResend = firstResend;
  }

  /** The step the ledger took on its own after a failed attempt: RETRY at {@code runAfter}, or FAILED. */
  public record NextStep(TaskState state, Instant runAfter) {
  }

  /**
   * A failure report's outcome: recorded now, or a repeat of one already recorded ({@code duplicate},
   * with the recorded failure's id). {@code taskId}, {@code attempt} and {@code next} are set only
   * for a task failure recorded now; {@code event} is the failure as recorded, for the outbox.
   */
  public record FailureRecorded(UUID failureId, boolean duplicate, UUID taskId, Integer attempt, NextStep next,
                                Changed changed, FailureEvent event) {
  }

  /**
   * Records a failure and, for a task, the failed attempt with its provisional next step, in one
   * transaction. A repeat of the same failure id or (task, attempt) changes nothing.
   *
   * @param onlyIfLeaseExpired the lease rescuer's report: refused (LEASE_LOST) when, under the row
   *                           lock, the lease turns out to have been extended meanwhile
   */
  public Future<FailureRecorded> recordFailure(FailureEvent f, Origin origin, boolean onlyIfLeaseExpired) {
    Instant now = clock.instant();
    UUID failureId = f.failureId() != null ? f.failureId() : UUID.randomUUID();
    return pool.withTransaction(conn -> {
      if (f.taskId() == null) {
        return insertFailure(conn, failureId, f, null, null, null, now).map(inserted -> inserted
            ? new FailureRecorded(failureId, false, null, null, null, Changed.NOTHING, withId(f, failureId))
            : duplicate(failureId, f));
      }
      return conn.preparedQuery(LedgerSql.TASK_BY_ID_FOR_UPDATE).execute(Tuple.of(f.taskId())).compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(ReboundException.notFound("task", f.taskId()));
        }
        Row row = rows.iterator().next();
        FailureAdmission.LockedTask task = new FailureAdmission.LockedTask(f.taskId(),
            TaskState.valueOf(row.getString("state")), row.getInteger("attempt"), row.getUUID("lease_token"),
            instant(row, "lease_expires_at"));
        FailureAdmission.Report report = new FailureAdmission.Report(f.attempt(), f.leaseToken(), onlyIfLeaseExpired);
        int attempt = FailureAdmission.attemptOf(task, report);
        return conn.preparedQuery(LedgerSql.FAILURE_EXISTS).execute(Tuple.of(failureId, f.taskId(), attempt))
            .compose(existing -> {
              UUID recorded = existing.size() > 0 ? existing.iterator().next().getUUID("id") : null;
              FailureAdmission.Verdict verdict = admission.judge(task, report, recorded);
              if (verdict instanceof FailureAdmission.Duplicate d) {
                return Future.succeededFuture(duplicate(d.recordedFailureId(), f));
              }
              if (verdict instanceof FailureAdmission.Refused refused) {
                return Future.failedFuture(refusal(refused, task));
              }
              return recordAttemptFailure(conn, failureId, f, row, attempt, origin, now);
            });
      });
    });
  }

  private Future<FailureRecorded> recordAttemptFailure(SqlConnection conn, UUID failureId, FailureEvent f, Row task,
                                                       int attempt, Origin origin, Instant now) {
    ProvisionalRetry.Outcome next = provisional.afterFailure(attempt, task.getInteger("attempt_base"),
        task.getInteger("max_attempts"));
    FailureEvent full = f.toBuilder().failureId(failureId).attempt(attempt).leaseToken(null)
        .stage(f.stage() != null ? f.stage() : task.getString("stage"))
        .workflowId(f.workflowId() != null ? f.workflowId() : task.getString("workflow_id")).build();
    return insertFailure(conn, failureId, full, f.taskId(), attempt, next.state().name(), now)
        .compose(v -> Transitions.run(conn, now, LedgerSql.FAIL_ATTEMPT,
            Tuple.of(f.taskId(), attempt, next.state().name(), ts(next.runAfter())),
            next.state() == TaskState.FAILED ? "failed: attempt budget spent" : "failed: provisional retry",
            abbreviate(f.message()), origin))
        .map(changed -> new FailureRecorded(failureId, false, f.taskId(), attempt,
            new NextStep(next.state(), next.runAfter()), changed, full));
  }

  private static ReboundException refusal(FailureAdmission.Refused refused, FailureAdmission.LockedTask task) {
    JsonObject details = new JsonObject().put("taskId", task.id().toString());
    return switch (refused.reason()) {
      case NOT_RUNNING -> Transitions.illegal(TaskOperation.FAIL, task.id(), task.state());
      case NOT_CURRENT_ATTEMPT -> new ReboundException(ErrorCode.LEASE_LOST, refused.message(),
          details.put("currentAttempt", task.attempt()));
      case LEASE_EXTENDED, NOT_LEASE_HOLDER -> new ReboundException(ErrorCode.LEASE_LOST, refused.message(), details);
    };
  }

  private static FailureEvent withId(FailureEvent f, UUID id) {
    return f.toBuilder().failureId(id).leaseToken(null).build();
  }

  private static FailureRecorded duplicate(UUID recordedId, FailureEvent f) {
    return new FailureRecorded(recordedId, true, null, null, null, Changed.NOTHING, f);
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
  }

  private Future<Boolean> insertFailure(SqlConnection conn, UUID id, FailureEvent f, UUID taskId, Integer attempt,
                                        String provisionalState, Instant now) {
    Tuple args = Tuple.tuple(Arrays.asList(id, taskId, attempt, f.source(), f.stage(), f.workflowId(),
        f.message(), f.errorType(), f.stackTrace(), f.httpStatus(), f.exitCode(), f.sqlState(),
        f.details(), ts(f.occurredAt() != null ? f.occurredAt() : now), ts(now),
        provisionalState, ts(now.plus(firstResend))));
    return conn.preparedQuery(LedgerSql.INSERT_FAILURE).execute(args).map(rows -> rows.size() == 1);
  }
}
