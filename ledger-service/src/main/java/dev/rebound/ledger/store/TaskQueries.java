package dev.rebound.ledger.store;

import static dev.rebound.ledger.store.Timestamps.instant;

import dev.rebound.common.ReboundException;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads of tasks: one task, its history, pages of tasks (the dead-letter queue is the FAILED page), counts. */
public final class TaskQueries {
  private final Pool pool;

  public TaskQueries(Pool pool) {
    this.pool = pool;
  }

  public Future<TaskView> task(UUID id) {
    return pool.preparedQuery(LedgerSql.TASK_BY_ID).execute(Tuple.of(id)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ReboundException.notFound("task", id))
        : Future.succeededFuture(TaskRows.view(rows.iterator().next())));
  }

  /** One transition of a task; {@code from} is null for the enqueue. */
  public record HistoryEntry(TaskState from, TaskState to, int attempt, Instant at, String reason, String error,
                             String actor, String correlationId) {
  }

  /** A task's transitions, oldest first; an unknown task is NOT_FOUND. */
  public Future<List<HistoryEntry>> history(UUID id) {
    return task(id).compose(t -> pool.preparedQuery(LedgerSql.HISTORY).execute(Tuple.of(id))).map(rows -> {
      List<HistoryEntry> out = new ArrayList<>();
      for (Row r : rows) {
        String from = r.getString("from_state");
        out.add(new HistoryEntry(from == null ? null : TaskState.valueOf(from), TaskState.valueOf(r.getString("to_state")),
            r.getInteger("attempt"), instant(r, "at"), r.getString("reason"), r.getString("error"), r.getString("actor"),
            r.getString("correlation_id")));
      }
      return out;
    });
  }

  public record TaskQuery(String state, String stage, String workflowId, String agent, UUID after, int limit) {
  }

  /** A keyset page: {@code next} is the cursor for the following page, null on the last one. */
  public record Page(List<TaskView> tasks, UUID next) {
  }

  public Future<Page> list(TaskQuery q) {
    return pool.preparedQuery(LedgerSql.LIST_TASKS).execute(Tuple.tuple(Arrays.asList(q.state(), q.stage(),
        q.workflowId(), q.agent(), q.after(), q.limit() + 1))).map(rows -> {
          List<TaskView> tasks = new ArrayList<>();
          UUID next = null;
          for (Row r : rows) {
            if (tasks.size() == q.limit()) {
              next = tasks.get(tasks.size() - 1).id();
              break;
            }
            tasks.add(TaskRows.view(r));
          }
          return new Page(tasks, next);
        });
  }

  /** Task counts: in all, per state (every state, zero included) and per stage and state. */
  public record Stats(long total, Map<TaskState, Long> byState, Map<String, Map<TaskState, Long>> byStage) {
  }

  public Future<Stats> stats() {
    return pool.preparedQuery(LedgerSql.STATS).execute().map(rows -> {
      Map<TaskState, Long> byState = new EnumMap<>(TaskState.class);
      for (TaskState s : TaskState.values()) {
        byState.put(s, 0L);
      }
      Map<String, Map<TaskState, Long>> byStage = new LinkedHashMap<>();
      long total = 0;
      for (Row r : rows) {
        long n = r.getLong("n");
        TaskState state = TaskState.valueOf(r.getString("state"));
        byState.merge(state, n, Long::sum);
        byStage.computeIfAbsent(r.getString("stage"), k -> new LinkedHashMap<>()).put(state, n);
        total += n;
      }
      return new Stats(total, byState, byStage);
    });
  }
}
