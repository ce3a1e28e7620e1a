package dev.rebound.ledger.outbox;

import static dev.rebound.ledger.store.Timestamps.instant;
import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskContext;
import dev.rebound.ledger.domain.FailureCipher;
import dev.rebound.ledger.store.FailureStore;
import dev.rebound.ledger.store.LedgerSql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * The outbox's rows: recorded failures (written by the failure transaction) that still wait for a
 * decision, or, for a free-standing failure, for the analyzer's acknowledgement.
 */
public final class OutboxStore {
  private final Pool pool;
  private final Clock clock;
  private final FailureCipher cipher;

  public OutboxStore(Pool pool, Clock clock, FailureCipher cipher) {
    this.pool = pool;
    this.clock = clock;
    this.cipher = cipher;
  }

  /**
   * Failures due for (re)sending, with their next send time pushed back in the same transaction;
   * the {@code maxSends}-th send is the last (the failure is then EXHAUSTED). Failures whose attempt
   * moved on are retired (SUPERSEDED) first.
   *
   * @param backoffAfterSends the wait before the next send, after n sends
   */
  public Future<List<FailureEvent>> takeDue(int limit, IntFunction<Duration> backoffAfterSends, int maxSends) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(LedgerSql.RETIRE_STALE_FAILURES).execute(Tuple.of(ts(now)))
        .compose(v -> conn.preparedQuery(LedgerSql.FAILURES_DUE_FOR_RESEND).execute(Tuple.of(ts(now), limit)))
        .compose(rows -> {
          List<FailureEvent> due = new ArrayList<>();
          List<Tuple> marks = new ArrayList<>();
          for (Row r : rows) {
            int sends = r.getInteger("sends") + 1;
            Object details = r.getValue("details");
            due.add(FailureEvent.builder()
                .failureId(r.getUUID("id"))
                .taskId(r.getUUID("task_id"))
                .attempt(r.getInteger("attempt"))
                .source(r.getString("source"))
                .stage(r.getString("stage"))
                .workflowId(r.getString("workflow_id"))
                .message(cipher.decrypt("message", r.getString("message")))
                .errorType(r.getString("error_type"))
                .stackTrace(cipher.decrypt("stack_trace", r.getString("stack_trace")))
                .httpStatus(r.getInteger("http_status"))
                .exitCode(r.getInteger("exit_code"))
                .sqlState(r.getString("sql_state"))
                .details(details instanceof JsonObject j ? FailureStore.decryptDetails(cipher, j) : null)
                .occurredAt(instant(r, "occurred_at"))
                .task(contextOf(r))
                .build());
            marks.add(Tuple.tuple(Arrays.asList(r.getUUID("id"),
                sends >= maxSends ? null : ts(now.plus(backoffAfterSends.apply(sends))), ts(now))));
          }
          if (marks.isEmpty()) {
            return Future.succeededFuture(due);
          }
          return conn.preparedQuery(LedgerSql.MARK_FAILURE_SENT).executeBatch(marks).map(due);
        }));
  }

  /** The task's context as of the failure (the same on every send), or null for a free-standing failure. */
  private static TaskContext contextOf(Row r) {
    if (r.getUUID("task_id") == null) {
      return null;
    }
    return new TaskContext(r.getString("task_agent"), r.getString("task_workflow_id"), r.getInteger("task_attempt_base"),
        instant(r, "task_created_at"), r.getInteger("task_own_max_attempts"));
  }

  /** A free-standing failure needs no decision: the analyzer's acknowledgement ends it. */
  public Future<Void> markDelivered(UUID failureId) {
    return pool.preparedQuery(LedgerSql.MARK_FREE_FAILURE_DELIVERED).execute(Tuple.of(ts(clock.instant()), failureId))
        .mapEmpty();
  }
}
