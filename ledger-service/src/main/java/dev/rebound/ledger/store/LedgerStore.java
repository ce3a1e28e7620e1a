package dev.rebound.ledger.store;

import static dev.rebound.ledger.store.TaskRows.instant;
import static dev.rebound.ledger.store.TaskRows.ts;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import dev.rebound.common.service.Origin;
import dev.rebound.ledger.domain.CheckpointIntegrity;
import dev.rebound.ledger.domain.ProvisionalRetry;
import dev.rebound.ledger.domain.TaskOperation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's PostgreSQL store. Every transition is one conditional statement guarded by the
 * allowed source states, writing the task and its history together; a future completes only after
 * the commit.
 */
public final class LedgerStore {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerStore.class);
  public static final String NOTIFY_CHANNEL = "rebound_ledger_tasks";

  private final Pool pool;
  private final Clock clock;
  private final ProvisionalRetry provisional;

  public LedgerStore(Pool pool, Clock clock, ProvisionalRetry provisional) {
    this.pool = pool;
    this.clock = clock;
    this.provisional = provisional;
  }

  public Pool pool() {
    return pool;
  }

  // ---------------------------------------------------------------- enqueue

  public record Enqueued(JsonObject task, boolean created, Transition transition) {
  }

  /** Inserts many tasks in one statement; a known idempotency key returns the existing task. */
  public Future<List<Enqueued>> enqueue(List<NewTask> tasks) {
    Instant now = clock.instant();
    int n = tasks.size();
    UUID[] ids = new UUID[n];
    String[] keys = new String[n];
    String[] workflows = new String[n];
    String[] stages = new String[n];
    String[] agents = new String[n];
    String[] types = new String[n];
    String[] payloads = new String[n];
    Integer[] priorities = new Integer[n];
    Integer[] maxAttempts = new Integer[n];
    java.time.OffsetDateTime[] runAfter = new java.time.OffsetDateTime[n];
    String[] actors = new String[n];
    String[] correlations = new String[n];
    for (int i = 0; i < n; i++) {
      NewTask t = tasks.get(i);
      ids[i] = t.id();
      keys[i] = t.idempotencyKey();
      workflows[i] = t.workflowId();
      stages[i] = t.stage();
      agents[i] = t.agent();
      types[i] = t.type();
      payloads[i] = t.payloadJson();
      priorities[i] = t.priority();
      maxAttempts[i] = t.maxAttempts();
      runAfter[i] = ts(t.runAfter() == null || t.runAfter().isBefore(now) ? now : t.runAfter());
      actors[i] = t.origin().actor();
      correlations[i] = t.origin().correlationId();
    }
    Tuple args = Tuple.tuple(List.of(ts(now), ids, keys, workflows, stages, agents, types, payloads, priorities,
        maxAttempts, runAfter, actors, correlations));
    return pool.preparedQuery(LedgerSql.ENQUEUE_BATCH).execute(args).compose(rows -> {
      Map<UUID, JsonObject> inserted = new HashMap<>();
      for (Row r : rows) {
        inserted.put(r.getUUID("id"), TaskRows.toJson(r));
      }
      List<String> missingKeys = new ArrayList<>();
      for (NewTask t : tasks) {
        if (!inserted.containsKey(t.id())) {
          if (t.idempotencyKey() == null) {
            return Future.failedFuture(new ReboundException(ErrorCode.INTERNAL, "task " + t.id() + " was not inserted"));
          }
          missingKeys.add(t.idempotencyKey());
        }
      }
      Future<Map<String, JsonObject>> existing = missingKeys.isEmpty()
          ? Future.succeededFuture(Map.of())
          : pool.preparedQuery(LedgerSql.TASKS_BY_IDEMPOTENCY_KEYS).execute(Tuple.of(missingKeys.toArray(new String[0])))
              .map(found -> {
                Map<String, JsonObject> byKey = new HashMap<>();
                for (Row r : found) {
                  byKey.put(r.getString("idempotency_key"), TaskRows.toJson(r));
                }
                return byKey;
              });
      return existing.map(byKey -> {
        List<Enqueued> out = new ArrayList<>(n);
        for (NewTask t : tasks) {
          JsonObject task = inserted.get(t.id());
          if (task != null) {
            out.add(new Enqueued(task, true, new Transition(t.id(), t.workflowId(), t.stage(), null, TaskState.QUEUED,
                0, "enqueued", null, t.origin().actor(), t.origin().correlationId(), now)));
          } else {
            out.add(new Enqueued(byKey.get(t.idempotencyKey()), false, null));
          }
        }
        return out;
      });
    });
  }

  // ---------------------------------------------------------------- claim

  public record ClaimSpec(String worker, String stage, String type, int limit, long leaseMs, Origin origin) {
  }

  public record Claimed(List<JsonObject> tasks, List<Transition> transitions, Map<UUID, List<Long>> corruptCheckpoints) {
  }

  public Future<Claimed> claim(ClaimSpec spec) {
    Instant now = clock.instant();
    String sql = spec.stage() == null ? LedgerSql.CLAIM_ANY_STAGE : LedgerSql.CLAIM_STAGE;
    Tuple args = Tuple.tuple(java.util.Arrays.asList(ts(now), spec.stage(), spec.type(), spec.limit(), spec.worker(),
        spec.leaseMs(), spec.origin().correlationId()));
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      List<JsonObject> tasks = new ArrayList<>();
      List<Transition> transitions = new ArrayList<>();
      Map<UUID, List<Long>> corrupt = new LinkedHashMap<>();
      for (Row r : rows) {
        JsonObject task = TaskRows.toJson(r).put("leaseToken", r.getUUID("lease_token").toString());
        JsonArray cps = (JsonArray) r.getValue("checkpoints");
        if (cps != null) {
          CheckpointIntegrity.Selection sel = CheckpointIntegrity.select(cps.stream()
              .map(o -> (JsonObject) o)
              .map(c -> new CheckpointIntegrity.Stored(c.getLong("seq"), c.getString("state"), c.getString("checksum"),
                  c.getInteger("attempt"), String.valueOf(c.getValue("createdAt"))))
              .toList());
          if (sel.latestValid() != null) {
            task.put("checkpoint", checkpointJson(sel.latestValid()));
          }
          if (!sel.corruptSequences().isEmpty()) {
            corrupt.put(r.getUUID("id"), sel.corruptSequences());
            task.put("corruptCheckpoints", new JsonArray(sel.corruptSequences()));
          }
        }
        tasks.add(task);
        transitions.add(TaskRows.transition(r, "claimed", null, spec.worker(), spec.origin().correlationId(), now));
      }
      return new Claimed(tasks, transitions, corrupt);
    });
  }

  static JsonObject checkpointJson(CheckpointIntegrity.Stored c) {
    return new JsonObject().put("sequence", c.sequence()).put("state", new JsonObject(c.state()))
        .put("checksum", c.checksum()).put("attempt", c.attempt()).put("createdAt", c.createdAt());
  }

  // ---------------------------------------------------------------- complete / heartbeat

  /** Completes many leases in one statement; each item's future fails alone when its lease is lost. */
  public Future<List<Object>> complete(List<Completion> items) {
    Instant now = clock.instant();
    int n = items.size();
    UUID[] ids = new UUID[n];
    UUID[] tokens = new UUID[n];
    String[] results = new String[n];
    String[] actors = new String[n];
    String[] correlations = new String[n];
    for (int i = 0; i < n; i++) {
      Completion c = items.get(i);
      ids[i] = c.taskId();
      tokens[i] = c.leaseToken();
      results[i] = c.resultJson();
      actors[i] = c.origin().actor();
      correlations[i] = c.origin().correlationId();
    }
    return pool.preparedQuery(LedgerSql.COMPLETE_BATCH)
        .execute(Tuple.tuple(List.of(ts(now), ids, tokens, results, actors, correlations)))
        .compose(rows -> {
          Map<UUID, Row> done = new HashMap<>();
          for (Row r : rows) {
            done.put(r.getUUID("id"), r);
          }
          List<UUID> refused = new ArrayList<>();
          for (Completion c : items) {
            if (!done.containsKey(c.taskId())) {
              refused.add(c.taskId());
            }
          }
          Future<Map<UUID, Row>> states = refused.isEmpty() ? Future.succeededFuture(Map.of()) : statesOf(refused);
          return states.map(current -> {
            List<Object> out = new ArrayList<>(n);
            for (Completion c : items) {
              Row r = done.remove(c.taskId());  // a task completed twice in one batch: only the first wins
              if (r != null && r.getUUID("id") != null) {
                out.add(new Transition(c.taskId(), r.getString("workflow_id"), r.getString("stage"), TaskState.RUNNING,
                    TaskState.DONE, r.getInteger("attempt"), "completed", null, c.origin().actor(),
                    c.origin().correlationId(), now));
              } else {
                out.add(leaseRefusal(c.taskId(), current.get(c.taskId())));
              }
            }
            return out;
          });
        });
  }

  /** Epoch ms at which the first claimable task of {@code stage} (null: any) is due (maybe past), or null. */
  public Future<Long> nextDue(String stage) {
    Future<RowSet<Row>> rs = stage == null ? pool.preparedQuery(LedgerSql.NEXT_DUE_ANY_STAGE).execute()
        : pool.preparedQuery(LedgerSql.NEXT_DUE_OF_STAGE).execute(Tuple.of(stage));
    return rs.map(rows -> {
          Instant due = instant(rows.iterator().next(), "min");
          return due == null ? null : due.toEpochMilli();
        });
  }

  /** Extends the lease by {@code leaseMs}, or by the claim's lease length when null. */
  public Future<JsonObject> heartbeat(UUID id, UUID leaseToken, Long leaseMs) {
    Instant now = clock.instant();
    return pool.preparedQuery(LedgerSql.HEARTBEAT).execute(Tuple.of(ts(now), id, leaseToken, leaseMs))
        .compose(rows -> {
          if (rows.size() == 1) {
            Row r = rows.iterator().next();
            return Future.succeededFuture(new JsonObject().put("id", id.toString()).put("attempt", r.getInteger("attempt"))
                .put("leaseExpiresAt", instant(r, "lease_expires_at").toString()));
          }
          return statesOf(List.of(id)).compose(m -> Future.failedFuture(leaseRefusal(id, m.get(id))));
        });
  }

  private Future<Map<UUID, Row>> statesOf(List<UUID> ids) {
    return pool.preparedQuery(LedgerSql.STATES_BY_IDS).execute(Tuple.of(TaskRows.uuids(ids))).map(rows -> {
      Map<UUID, Row> m = new HashMap<>();
      for (Row r : rows) {
        m.put(r.getUUID("id"), r);
      }
      return m;
    });
  }

  private static ReboundException leaseRefusal(UUID id, Row current) {
    if (current == null) {
      return ReboundException.notFound("task", id);
    }
    String state = current.getString("state");
    return new ReboundException(ErrorCode.LEASE_LOST,
        "the lease on task " + id + " is no longer yours (task is " + state + ")",
        new JsonObject().put("taskId", id.toString()).put("state", state));
  }

  // ---------------------------------------------------------------- single-task transitions

  /**
   * Runs a guarded transition statement on one task. When nothing moved, explains why: unknown
   * task (404) or a state the operation is not allowed from (409 naming the current state).
   */
  public Future<Changed> transitionOne(TaskOperation op, UUID id, String sql, Tuple opArgs, String reason, String error,
                                       Origin origin) {
    return transitionOne(op, id, sql, opArgs, reason, error, origin, false);
  }

  private Future<Changed> transitionOne(TaskOperation op, UUID id, String sql, Tuple opArgs, String reason, String error,
                                        Origin origin, boolean versionGiven) {
    return transitionMany(sql, opArgs, reason, error, origin).compose(changed -> {
      if (!changed.empty()) {
        return Future.succeededFuture(changed);
      }
      return pool.preparedQuery(LedgerSql.TASK_BY_ID).execute(Tuple.of(id)).compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(ReboundException.notFound("task", id));
        }
        Row row = rows.iterator().next();
        TaskState current = TaskState.valueOf(row.getString("state"));
        if (versionGiven && op.allowedFrom(current)) {
          // the state allowed it, so the caller's expected version did not match
          return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT, "task " + id + " changed meanwhile: it is at version "
              + row.getLong("version") + " (" + current + ")", new JsonObject().put("taskId", id.toString())
              .put("version", row.getLong("version")).put("state", current.name())));
        }
        return Future.failedFuture(illegal(op, id, current));
      });
    });
  }

  public static ReboundException illegal(TaskOperation op, UUID id, TaskState current) {
    return new ReboundException(ErrorCode.ILLEGAL_TRANSITION, op.refusal(current) + ": task " + id,
        new JsonObject().put("taskId", id.toString()).put("state", current.name()).put("operation", op.name()));
  }

  /** Runs a guarded transition statement that may move several tasks (redrive, abort). */
  public Future<Changed> transitionMany(String sql, Tuple opArgs, String reason, String error, Origin origin) {
    return transitionWith(pool, sql, opArgs, reason, error, origin);
  }

  private Future<Changed> transitionWith(SqlClient client, String sql, Tuple opArgs, String reason, String error,
                                         Origin origin) {
    Instant now = clock.instant();
    List<Object> args = new ArrayList<>(java.util.Arrays.asList(ts(now), reason, origin.actor(), origin.correlationId(), error));
    for (int i = 0; i < opArgs.size(); i++) {
      args.add(opArgs.getValue(i));
    }
    return client.preparedQuery(sql).execute(Tuple.tuple(args)).map(rows -> changed(rows, reason, error, origin, now));
  }

  private static Changed changed(RowSet<Row> rows, String reason, String error, Origin origin, Instant now) {
    List<JsonObject> tasks = new ArrayList<>();
    List<Transition> transitions = new ArrayList<>();
    for (Row r : rows) {
      tasks.add(TaskRows.toJson(r));
      transitions.add(TaskRows.transition(r, reason, error, origin.actor(), origin.correlationId(), now));
    }
    return new Changed(tasks, transitions);
  }

  /** @param expectedVersion the version the caller saw, or null to skip the optimistic check */
  public Future<Changed> cancel(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.CANCEL, id, LedgerSql.CANCEL, versioned(id, expectedVersion),
        reasonOr(reason, "cancelled"), null, origin, expectedVersion != null);
  }

  public Future<Changed> block(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.BLOCK, id, LedgerSql.BLOCK, versioned(id, expectedVersion),
        reasonOr(reason, "blocked"), null, origin, expectedVersion != null);
  }

  public Future<Changed> unblock(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.UNBLOCK, id, LedgerSql.UNBLOCK, versioned(id, expectedVersion),
        reasonOr(reason, "unblocked"), null, origin, expectedVersion != null);
  }

  private static Tuple versioned(UUID id, Long expectedVersion) {
    return Tuple.tuple(java.util.Arrays.asList(id, expectedVersion));
  }

  public Future<Changed> redrive(List<UUID> ids, String reason, Origin origin) {
    return transitionMany(LedgerSql.REDRIVE_IDS, Tuple.of(TaskRows.uuids(ids)), reasonOr(reason, "redriven from the dead-letter queue"),
        null, origin);
  }

  public Future<Changed> redriveMatching(String stage, String workflowId, int limit, String reason, Origin origin) {
    return transitionMany(LedgerSql.REDRIVE_FILTER, Tuple.tuple(java.util.Arrays.asList(stage, workflowId, limit)),
        reasonOr(reason, "redriven from the dead-letter queue"), null, origin);
  }

  public Future<List<UUID>> purge(List<UUID> ids) {
    return pool.preparedQuery(LedgerSql.PURGE_IDS).execute(Tuple.of(TaskRows.uuids(ids))).map(LedgerStore::idsOf);
  }

  public Future<List<UUID>> purgeMatching(String stage, String workflowId, int limit) {
    return pool.preparedQuery(LedgerSql.PURGE_FILTER).execute(Tuple.tuple(java.util.Arrays.asList(stage, workflowId, limit)))
        .map(LedgerStore::idsOf);
  }

  private static List<UUID> idsOf(RowSet<Row> rows) {
    List<UUID> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.getUUID("id"));
    }
    return out;
  }

  private static String reasonOr(String reason, String def) {
    return reason == null || reason.isBlank() ? def : reason;
  }

  // ---------------------------------------------------------------- failures

  /** The outcome of a failure report: recorded now, or a repeat of one already recorded. */
  public record FailureRecorded(UUID failureId, boolean duplicate, JsonObject reply, Changed changed, FailureEvent event) {
  }

  /**
   * Records a failure and, for a task, the failed attempt with its provisional next step, in one
   * transaction. A repeat of the same failure id or (task, attempt) changes nothing.
   */
  public Future<FailureRecorded> recordFailure(FailureEvent f, Origin origin, Duration firstResend) {
    return recordFailure(f, origin, firstResend, false);
  }

  /**
   * @param onlyIfLeaseExpired the lease rescuer's report: refused (LEASE_LOST) when, under the row
   *                           lock, the lease turns out to have been extended meanwhile
   */
  public Future<FailureRecorded> recordFailure(FailureEvent f, Origin origin, Duration firstResend,
                                               boolean onlyIfLeaseExpired) {
    Instant now = clock.instant();
    UUID failureId = f.failureId() != null ? f.failureId() : UUID.randomUUID();
    return pool.withTransaction(conn -> {
      if (f.taskId() == null) {
        return insertFailure(conn, failureId, f, null, null, null, now, firstResend).map(inserted -> inserted
            ? new FailureRecorded(failureId, false, failureReply(failureId, false), Changed.NOTHING, withId(f, failureId))
            : duplicateFailure(failureId, f));
      }
      return conn.preparedQuery(LedgerSql.TASK_BY_ID_FOR_UPDATE).execute(Tuple.of(f.taskId())).compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(ReboundException.notFound("task", f.taskId()));
        }
        Row task = rows.iterator().next();
        int currentAttempt = task.getInteger("attempt");
        int attempt = f.attempt() != null ? f.attempt() : currentAttempt;
        return conn.preparedQuery(LedgerSql.FAILURE_EXISTS).execute(Tuple.of(failureId, f.taskId(), attempt))
            .compose(existing -> {
              if (existing.size() > 0) {
                return Future.succeededFuture(duplicateFailure(existing.iterator().next().getUUID("id"), f));
              }
              TaskState state = TaskState.valueOf(task.getString("state"));
              if (state != TaskState.RUNNING) {
                return Future.failedFuture(illegal(TaskOperation.FAIL, f.taskId(), state));
              }
              if (attempt != currentAttempt) {
                return Future.failedFuture(new ReboundException(ErrorCode.LEASE_LOST, "attempt " + attempt
                    + " of task " + f.taskId() + " is not the current one (" + currentAttempt + ")",
                    new JsonObject().put("taskId", f.taskId().toString()).put("currentAttempt", currentAttempt)));
              }
              Instant expires = instant(task, "lease_expires_at");
              if (onlyIfLeaseExpired && expires != null && expires.isAfter(now)) {
                return Future.failedFuture(new ReboundException(ErrorCode.LEASE_LOST,
                    "the lease on task " + f.taskId() + " was extended: not expired any more",
                    new JsonObject().put("taskId", f.taskId().toString())));
              }
              if (f.leaseToken() != null && !f.leaseToken().equals(task.getUUID("lease_token"))) {
                return Future.failedFuture(new ReboundException(ErrorCode.LEASE_LOST,
                    "the lease on task " + f.taskId() + " is no longer yours",
                    new JsonObject().put("taskId", f.taskId().toString())));
              }
              ProvisionalRetry.Outcome next = provisional.afterFailure(attempt, task.getInteger("attempt_base"),
                  task.getInteger("max_attempts"));
              FailureEvent full = new FailureEvent(failureId, f.taskId(), attempt, null, f.source(),
                  f.stage() != null ? f.stage() : task.getString("stage"),
                  f.workflowId() != null ? f.workflowId() : task.getString("workflow_id"), f.message(), f.errorType(),
                  f.stackTrace(), f.httpStatus(), f.exitCode(), f.sqlState(), f.details(), f.occurredAt());
              return insertFailure(conn, failureId, full, f.taskId(), attempt, next.state().name(), now, firstResend)
                  .compose(v -> transitionWith(conn, LedgerSql.FAIL_ATTEMPT,
                      Tuple.of(f.taskId(), attempt, next.state().name(), ts(next.runAfter())),
                      next.state() == TaskState.FAILED ? "failed: attempt budget spent" : "failed: provisional retry",
                      abbreviate(f.message()), origin))
                  .map(changed -> {
                    JsonObject reply = failureReply(failureId, false).put("taskId", f.taskId().toString())
                        .put("attempt", attempt)
                        .put("provisional", new JsonObject().put("state", next.state().name())
                            .put("runAfter", next.runAfter().toString()));
                    return new FailureRecorded(failureId, false, reply, changed, full);
                  });
            });
      });
    });
  }

  private static FailureEvent withId(FailureEvent f, UUID id) {
    return new FailureEvent(id, f.taskId(), f.attempt(), null, f.source(), f.stage(), f.workflowId(), f.message(),
        f.errorType(), f.stackTrace(), f.httpStatus(), f.exitCode(), f.sqlState(), f.details(), f.occurredAt());
  }

  private static FailureRecorded duplicateFailure(UUID existingId, FailureEvent f) {
    return new FailureRecorded(existingId, true, failureReply(existingId, true), Changed.NOTHING, f);
  }

  private static JsonObject failureReply(UUID id, boolean duplicate) {
    return new JsonObject().put("failureId", id.toString()).put("recorded", true).put("duplicate", duplicate);
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
  }

  private Future<Boolean> insertFailure(SqlConnection conn, UUID id, FailureEvent f, UUID taskId, Integer attempt,
                                        String provisionalState, Instant now, Duration firstResend) {
    Tuple args = Tuple.tuple(java.util.Arrays.asList(id, taskId, attempt, f.source(), f.stage(), f.workflowId(),
        f.message(), f.errorType(), f.stackTrace(), f.httpStatus(), f.exitCode(), f.sqlState(),
        f.details(), ts(f.occurredAt() != null ? f.occurredAt() : now), ts(now),
        provisionalState, ts(now.plus(firstResend))));
    return conn.preparedQuery(LedgerSql.INSERT_FAILURE).execute(args).map(rows -> rows.size() == 1);
  }

  public Future<JsonObject> failure(UUID id) {
    return pool.preparedQuery(LedgerSql.FAILURE_BY_ID).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ReboundException.notFound("failure", id));
      }
      Row r = rows.iterator().next();
      JsonObject o = new JsonObject().put("failureId", id.toString()).put("message", r.getString("message"))
          .put("sends", r.getInteger("sends"));
      UUID task = r.getUUID("task_id");
      if (task != null) {
        o.put("taskId", task.toString()).put("attempt", r.getInteger("attempt"));
      }
      TaskRows.putString(o, "provisional", r.getString("provisional"));
      TaskRows.putString(o, "decision", r.getString("decision"));
      TaskRows.putInstant(o, "decidedAt", instant(r, "decided_at"));
      return Future.succeededFuture(o);
    });
  }

  /** Outbox rows due for (re)sending, with their next send time pushed back in the same transaction. */
  public Future<List<FailureEvent>> takeFailuresToResend(int limit, Function<Integer, Duration> backoffAfterSends,
                                                         int maxSends) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(LedgerSql.RETIRE_STALE_FAILURES).execute(Tuple.of(ts(now)))
        .compose(v -> conn.preparedQuery(LedgerSql.FAILURES_DUE_FOR_RESEND).execute(Tuple.of(ts(now), limit)))
        .compose(rows -> {
          List<FailureEvent> due = new ArrayList<>();
          List<Tuple> marks = new ArrayList<>();
          for (Row r : rows) {
            int sends = r.getInteger("sends") + 1;
            Object details = r.getValue("details");
            due.add(new FailureEvent(r.getUUID("id"), r.getUUID("task_id"), r.getInteger("attempt"), null,
                r.getString("source"), r.getString("stage"), r.getString("workflow_id"), r.getString("message"),
                r.getString("error_type"), r.getString("stack_trace"), r.getInteger("http_status"),
                r.getInteger("exit_code"), r.getString("sql_state"), details instanceof JsonObject j ? j : null,
                instant(r, "occurred_at")));
            marks.add(Tuple.tuple(java.util.Arrays.asList(r.getUUID("id"),
                sends >= maxSends ? null : ts(now.plus(backoffAfterSends.apply(sends))), ts(now))));
          }
          if (marks.isEmpty()) {
            return Future.succeededFuture(due);
          }
          return conn.preparedQuery(LedgerSql.MARK_FAILURE_SENT).executeBatch(marks).map(due);
        }));
  }

  public Future<Void> markDelivered(UUID failureId) {
    return pool.preparedQuery(LedgerSql.MARK_FREE_FAILURE_DELIVERED).execute(Tuple.of(ts(clock.instant()), failureId))
        .mapEmpty();
  }

  // ---------------------------------------------------------------- decisions

  public record Decided(boolean applied, boolean duplicate, String outcome, Changed changed) {
    public JsonObject toJson(Decision d) {
      return new JsonObject().put("taskId", d.taskId().toString()).put("attempt", d.attempt())
          .put("action", d.action().name()).put("applied", applied).put("duplicate", duplicate).put("outcome", outcome);
    }
  }

  /**
   * Applies a decision once per (task, attempt). A decision for an attempt that is not the current
   * one, or for a task that moved on, is recorded as not applied and says why.
   */
  public Future<Decided> applyDecision(Decision d, Origin origin) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(LedgerSql.TASK_BY_ID_FOR_UPDATE).execute(Tuple.of(d.taskId()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ReboundException.notFound("task", d.taskId()));
          }
          Row task = rows.iterator().next();
          int current = task.getInteger("attempt");
          if (d.attempt() == current && "RUNNING".equals(task.getString("state"))) {
            // the attempt has not failed (yet): recording a decision now would block the real one
            return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT, "attempt " + current + " of task "
                + d.taskId() + " is still running: there is nothing to decide yet",
                new JsonObject().put("taskId", d.taskId().toString()).put("currentAttempt", current)));
          }
          if (d.attempt() > current) {
            // recording it would block the real decision for that attempt later: refuse, keep nothing
            return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT, "attempt " + d.attempt() + " of task "
                + d.taskId() + " has not happened yet (the task is at attempt " + current + ")",
                new JsonObject().put("taskId", d.taskId().toString()).put("currentAttempt", current)));
          }
          return conn.preparedQuery(LedgerSql.INSERT_DECISION).execute(Tuple.tuple(java.util.Arrays.asList(d.taskId(),
                  d.attempt(), d.action().name(), ts(d.runAt()), d.reason(), d.decidedBy(), ts(now))))
              .compose(ins -> {
                if (ins.size() == 0) {
                  return conn.preparedQuery(LedgerSql.DECISION_OUTCOME).execute(Tuple.of(d.taskId(), d.attempt()))
                      .map(prev -> {
                        Row p = prev.iterator().next();
                        return new Decided(false, true, "already decided (" + p.getString("action") + "): "
                            + p.getString("outcome"), Changed.NOTHING);
                      });
                }
                return apply(conn, d, task, origin).compose(decided -> conn.preparedQuery(LedgerSql.UPDATE_DECISION_OUTCOME)
                    .execute(Tuple.of(d.taskId(), d.attempt(), decided.applied(), decided.outcome()))
                    .compose(v -> conn.preparedQuery(LedgerSql.MARK_FAILURE_DECIDED)
                        .execute(Tuple.of(ts(now), d.taskId(), d.attempt(), d.action().name())))
                    .map(decided));
              });
        }));
  }

  private Future<Decided> apply(SqlConnection conn, Decision d, Row task, Origin origin) {
    int current = task.getInteger("attempt");
    TaskState state = TaskState.valueOf(task.getString("state"));
    if (current != d.attempt()) {
      return Future.succeededFuture(new Decided(false, false,
          "ignored: stale attempt " + d.attempt() + ", the task is at attempt " + current, Changed.NOTHING));
    }
    String reason = reasonOr(d.reason(), "decision: " + d.action().name().toLowerCase());
    TaskOperation op;
    String sql;
    Tuple args;
    switch (d.action()) {
      case RETRY -> {
        op = TaskOperation.RETRY_AT;
        sql = LedgerSql.DECIDE_RETRY;
        args = Tuple.of(d.taskId(), d.attempt(), ts(d.runAt()));
      }
      case PARK -> {
        op = TaskOperation.PARK;
        sql = LedgerSql.DECIDE_PARK;
        args = Tuple.of(d.taskId(), d.attempt());
      }
      case DEAD_LETTER -> {
        op = TaskOperation.DEAD_LETTER;
        sql = LedgerSql.DECIDE_DEAD_LETTER;
        args = Tuple.of(d.taskId(), d.attempt());
      }
      case ABORT_WORKFLOW -> {
        String workflow = task.getString("workflow_id");
        if (workflow == null) {
          return transitionWith(conn, LedgerSql.CANCEL, versioned(d.taskId(), null), reason, null, origin)
              .map(c -> new Decided(!c.empty(), false, c.empty() ? "ignored: task is " + state
                  : "aborted: the task has no workflow, cancelled it alone", c));
        }
        return transitionWith(conn, LedgerSql.ABORT_WORKFLOW, Tuple.of(workflow), reason, null, origin)
            .map(c -> new Decided(true, false, "aborted workflow " + workflow + ": cancelled " + c.tasks().size()
                + " task(s)", c));
      }
      default -> throw new IllegalStateException();
    }
    if (!op.allowedFrom(state)) {
      return Future.succeededFuture(new Decided(false, false, "ignored: " + op.refusal(state), Changed.NOTHING));
    }
    return transitionWith(conn, sql, args, reason, null, origin)
        .map(c -> new Decided(!c.empty(), false, c.empty() ? "ignored: task moved on" : "applied", c));
  }

  // ---------------------------------------------------------------- sweeps

  public record ExpiredLease(UUID taskId, int attempt, UUID leaseToken, String owner, Instant expiredAt, String stage,
                             String workflowId) {
  }

  public Future<List<ExpiredLease>> expiredLeases(int limit) {
    return pool.preparedQuery(LedgerSql.EXPIRED_LEASES).execute(Tuple.of(ts(clock.instant()), limit)).map(rows -> {
      List<ExpiredLease> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new ExpiredLease(r.getUUID("id"), r.getInteger("attempt"), r.getUUID("lease_token"),
            r.getString("lease_owner"), instant(r, "lease_expires_at"), r.getString("stage"), r.getString("workflow_id")));
      }
      return out;
    });
  }

  /** Deletes finished tasks past their retention (history and checkpoints go with them). */
  public Future<Integer> prune(Duration doneRetention, Duration failedRetention, int limit) {
    Instant now = clock.instant();
    return pool.preparedQuery(LedgerSql.PRUNE_FINISHED)
        .execute(Tuple.of(ts(now.minus(doneRetention)), ts(now.minus(failedRetention)), limit))
        .compose(r -> pool.preparedQuery(LedgerSql.PRUNE_FREE_FAILURES)
            .execute(Tuple.of(ts(now.minus(failedRetention)), limit)).map(r2 -> r.rowCount() + r2.rowCount()));
  }

  // ---------------------------------------------------------------- checkpoints

  /** Saves a checkpoint for the lease holder and keeps the newest {@code keep}. */
  public Future<JsonObject> saveCheckpoint(UUID taskId, UUID leaseToken, long sequence, String stateJson, String checksum,
                                           int keep) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(LedgerSql.INSERT_CHECKPOINT)
        .execute(Tuple.of(taskId, sequence, stateJson, checksum, ts(now), leaseToken))
        .compose(rows -> {
          if (rows.size() == 0) {
            return conn.preparedQuery(LedgerSql.STATES_BY_IDS).execute(Tuple.of(new UUID[] {taskId})).compose(st -> {
              Row cur = st.size() == 0 ? null : st.iterator().next();
              if (cur != null && "RUNNING".equals(cur.getString("state")) && leaseToken.equals(cur.getUUID("lease_token"))) {
                return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT,
                    "checkpoint " + sequence + " of task " + taskId + " already exists",
                    new JsonObject().put("sequence", sequence)));
              }
              return Future.failedFuture(leaseRefusal(taskId, cur));
            });
          }
          return conn.preparedQuery(LedgerSql.TRIM_CHECKPOINTS).execute(Tuple.of(taskId, keep))
              .map(v -> new JsonObject().put("taskId", taskId.toString()).put("sequence", sequence).put("checksum", checksum));
        }));
  }

  /** The newest intact checkpoint of a task and the sequences found corrupt on the way. */
  public Future<CheckpointIntegrity.Selection> latestCheckpoint(UUID taskId) {
    return pool.preparedQuery(LedgerSql.CHECKPOINTS_OF_TASK).execute(Tuple.of(taskId)).map(rows -> {
      List<CheckpointIntegrity.Stored> all = new ArrayList<>();
      for (Row r : rows) {
        all.add(new CheckpointIntegrity.Stored(r.getLong("seq"), r.getString("state"), r.getString("checksum"),
            r.getInteger("attempt"), instant(r, "created_at").toString()));
      }
      return CheckpointIntegrity.select(all);
    });
  }

  // ---------------------------------------------------------------- queries

  public Future<JsonObject> task(UUID id) {
    return pool.preparedQuery(LedgerSql.TASK_BY_ID).execute(Tuple.of(id)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ReboundException.notFound("task", id))
        : Future.succeededFuture(TaskRows.toJson(rows.iterator().next())));
  }

  public Future<JsonArray> history(UUID id) {
    return task(id).compose(t -> pool.preparedQuery(LedgerSql.HISTORY).execute(Tuple.of(id))).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        JsonObject h = new JsonObject().put("to", r.getString("to_state")).put("attempt", r.getInteger("attempt"))
            .put("at", instant(r, "at").toString());
        TaskRows.putString(h, "from", r.getString("from_state"));
        TaskRows.putString(h, "reason", r.getString("reason"));
        TaskRows.putString(h, "error", r.getString("error"));
        TaskRows.putString(h, "actor", r.getString("actor"));
        TaskRows.putString(h, "correlationId", r.getString("correlation_id"));
        out.add(h);
      }
      return out;
    });
  }

  public record TaskQuery(String state, String stage, String workflowId, String agent, UUID after, int limit) {
  }

  /** Keyset page: {@code next} is the cursor for the following page, absent on the last one. */
  public Future<JsonObject> list(TaskQuery q) {
    return pool.preparedQuery(LedgerSql.LIST_TASKS).execute(Tuple.tuple(java.util.Arrays.asList(q.state(), q.stage(),
        q.workflowId(), q.agent(), q.after(), q.limit() + 1))).map(rows -> {
          JsonArray tasks = new JsonArray();
          String next = null;
          int i = 0;
          for (Row r : rows) {
            if (i++ == q.limit()) {
              next = tasks.getJsonObject(tasks.size() - 1).getString("id");
              break;
            }
            tasks.add(TaskRows.toJson(r));
          }
          JsonObject page = new JsonObject().put("tasks", tasks);
          if (next != null) {
            page.put("next", next);
          }
          return page;
        });
  }

  public Future<JsonObject> stats() {
    return pool.preparedQuery(LedgerSql.STATS).execute().map(rows -> {
      JsonObject byState = new JsonObject();
      for (TaskState s : TaskState.values()) {
        byState.put(s.name(), 0L);
      }
      JsonObject byStage = new JsonObject();
      long total = 0;
      for (Row r : rows) {
        long n = r.getLong("n");
        String state = r.getString("state");
        byState.put(state, byState.getLong(state) + n);
        JsonObject stage = byStage.getJsonObject(r.getString("stage"));
        if (stage == null) {
          stage = new JsonObject();
          byStage.put(r.getString("stage"), stage);
        }
        stage.put(state, n);
        total += n;
      }
      return new JsonObject().put("total", total).put("byState", byState).put("byStage", byStage);
    });
  }

  /** Wakes claimers on every ledger instance (delivered at commit of this autocommit statement). */
  public Future<Void> notifyClaimable(String payload) {
    return pool.preparedQuery(LedgerSql.NOTIFY).execute(Tuple.of(NOTIFY_CHANNEL, payload)).<Void>mapEmpty()
        .recover(t -> {
          LOG.warn("notify failed: {}", t.getMessage());
          return Future.succeededFuture();
        });
  }
}
