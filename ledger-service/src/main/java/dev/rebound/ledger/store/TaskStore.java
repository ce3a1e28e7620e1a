package dev.rebound.ledger.store;

import dev.rebound.common.service.Origin;
import static dev.rebound.ledger.store.Timestamps.instant;
import static dev.rebound.ledger.store.Timestamps.leaseNow;
import static dev.rebound.ledger.store.Timestamps.ts;
import static dev.rebound.ledger.store.Transitions.reasonOr;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import dev.rebound.ledger.domain.CheckpointIntegrity;
import dev.rebound.ledger.domain.TaskOperation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks: enqueue, claim, lease-holder operations, people's transitions, the dead-letter queue's
 * redrive and purge, and retention. Every transition is one conditional statement guarded by the
 * allowed source states, writing the task and its history together; a future completes only after
 * the commit.
 */
public final class TaskStore {
  private static final Logger LOG = LoggerFactory.getLogger(TaskStore.class);

  private final Pool pool;
  private final Clock clock;

  public TaskStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  // ---------------------------------------------------------------- enqueue

  /** {@code transition} is null when the idempotency key existed ({@code created} false). */
  public record Enqueued(TaskView task, boolean created, Transition transition) {
  }

  /** Inserts many tasks in one statement; a known idempotency key returns the existing task. */
  public Future<List<Enqueued>> enqueue(List<NewTask> tasks) {
    return enqueue(tasks, null, List.of());
  }

  /**
   * Inserts many tasks in one statement and, in the same transaction when any task is new, sends
   * {@code notifications} on {@code channel} (delivered at the commit).
   */
  public Future<List<Enqueued>> enqueue(List<NewTask> tasks, String channel, List<String> notifications) {
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
    Integer[] ownMaxAttempts = new Integer[n];
    OffsetDateTime[] runAfter = new OffsetDateTime[n];
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
      ownMaxAttempts[i] = t.ownMaxAttempts();
      runAfter[i] = ts(t.runAfter() == null || t.runAfter().isBefore(now) ? now : t.runAfter());
      actors[i] = t.origin().actor();
      correlations[i] = t.origin().correlationId();
    }
    Tuple args = Tuple.tuple(List.of(ts(now), ids, keys, workflows, stages, agents, types, payloads, priorities,
        maxAttempts, runAfter, actors, correlations, ownMaxAttempts, notifications.toArray(new String[0]),
        channel == null ? "" : channel));
    return pool.preparedQuery(LedgerSql.ENQUEUE_BATCH).execute(args).compose(rows -> {
      Map<UUID, TaskView> inserted = new HashMap<>();
      for (Row r : rows) {
        inserted.put(r.getUUID("id"), TaskRows.view(r));
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
      Future<Map<String, TaskView>> existing = missingKeys.isEmpty()
          ? Future.succeededFuture(Map.of())
          : pool.preparedQuery(LedgerSql.TASKS_BY_IDEMPOTENCY_KEYS).execute(Tuple.of(missingKeys.toArray(new String[0])))
              .map(found -> {
                Map<String, TaskView> byKey = new HashMap<>();
                for (Row r : found) {
                  byKey.put(r.getString("idempotency_key"), TaskRows.view(r));
                }
                return byKey;
              });
      return existing.map(byKey -> {
        List<Enqueued> out = new ArrayList<>(n);
        for (NewTask t : tasks) {
          TaskView task = inserted.get(t.id());
          if (task != null) {
            out.add(new Enqueued(task, true, new Transition(t.id(), t.workflowId(), t.stage(), t.agent(), null, TaskState.QUEUED,
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

  public record Claimed(List<TaskView> tasks, List<Transition> transitions, Map<UUID, List<Long>> corruptCheckpoints) {
  }

  public Future<Claimed> claim(ClaimSpec spec) {
    Instant now = clock.instant();
    String sql = spec.stage() == null ? LedgerSql.CLAIM_ANY_STAGE : LedgerSql.CLAIM_STAGE;
    Tuple args = Tuple.tuple(Arrays.asList(ts(now), spec.stage(), spec.type(), spec.limit(), spec.worker(),
        spec.leaseMs(), spec.origin().correlationId(), leaseNow(clock)));
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      List<TaskView> tasks = new ArrayList<>();
      List<Transition> transitions = new ArrayList<>();
      Map<UUID, List<Long>> corrupt = new LinkedHashMap<>();
      for (Row r : rows) {
        JsonObject checkpoint = null;
        List<Long> corruptHere = List.of();
        JsonArray cps = (JsonArray) r.getValue("checkpoints");
        if (cps != null) {
          CheckpointIntegrity.Selection sel = CheckpointIntegrity.select(cps.stream()
              .map(o -> (JsonObject) o)
              .map(c -> new CheckpointIntegrity.Stored(c.getLong("seq"), c.getString("state"), c.getString("checksum"),
                  c.getInteger("attempt"), String.valueOf(c.getValue("createdAt"))))
              .toList());
          if (sel.latestValid() != null) {
            checkpoint = CheckpointStore.toJson(sel.latestValid());
          }
          if (!sel.corruptSequences().isEmpty()) {
            corruptHere = sel.corruptSequences();
            corrupt.put(r.getUUID("id"), corruptHere);
          }
        }
        tasks.add(TaskRows.view(r).claimed(r.getUUID("lease_token"), checkpoint, corruptHere));
        transitions.add(TaskRows.transition(r, "claimed", null, spec.worker(), spec.origin().correlationId(), now));
      }
      return new Claimed(tasks, transitions, corrupt);
    });
  }

  /** A task handed out by a claim: its id and the lease token the claim gave it. */
  public record Lease(UUID taskId, UUID leaseToken) {
  }

  /**
   * Hands back the leases of a claim whose requester was gone before the reply: each task still
   * under that lease returns to QUEUED with its attempt undone (no attempt burnt). A lease that moved
   * on meanwhile is left alone.
   */
  public Future<Changed> releaseAbandoned(List<Lease> leases, String reason, Origin origin) {
    UUID[] ids = leases.stream().map(Lease::taskId).toArray(UUID[]::new);
    UUID[] tokens = leases.stream().map(Lease::leaseToken).toArray(UUID[]::new);
    Instant now = clock.instant();
    return pool.preparedQuery(LedgerSql.RELEASE_ABANDONED)
        .execute(Tuple.tuple(Arrays.asList(ts(now), ids, tokens, reason, origin.actor(), origin.correlationId())))
        .map(rows -> {
          List<TaskView> tasks = new ArrayList<>();
          List<Transition> transitions = new ArrayList<>();
          for (Row r : rows) {
            tasks.add(TaskRows.view(r));
            transitions.add(TaskRows.transition(r, reason, null, origin.actor(), origin.correlationId(), now));
          }
          return new Changed(tasks, transitions);
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

  // ---------------------------------------------------------------- complete / heartbeat

  /** Completes many leases in one statement; each item fails alone when its lease is lost. */
  public Future<List<Outcome<Transition>>> complete(List<Completion> items) {
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
          Future<Map<UUID, Row>> states = refused.isEmpty() ? Future.succeededFuture(Map.of())
              : Transitions.statesOf(pool, refused);
          return states.map(current -> {
            List<Outcome<Transition>> out = new ArrayList<>(n);
            for (Completion c : items) {
              Row r = done.remove(c.taskId());  // a task completed twice in one batch: only the first wins
              if (r != null && r.getUUID("id") != null) {
                out.add(Outcome.ok(new Transition(c.taskId(), r.getString("workflow_id"), r.getString("stage"),
                    r.getString("agent"), TaskState.RUNNING, TaskState.DONE, r.getInteger("attempt"), "completed", null, c.origin().actor(),
                    c.origin().correlationId(), now)));
              } else {
                out.add(Outcome.failed(Transitions.leaseRefusal(c.taskId(), current.get(c.taskId()))));
              }
            }
            return out;
          });
        });
  }

  public record Heartbeat(UUID taskId, int attempt, Instant leaseExpiresAt) {
  }

  /** Extends the lease by {@code leaseMs}, or by the claim's lease length when null. */
  public Future<Heartbeat> heartbeat(UUID id, UUID leaseToken, Long leaseMs) {
    return pool.preparedQuery(LedgerSql.HEARTBEAT).execute(Tuple.tuple(Arrays.asList(leaseNow(clock), id, leaseToken,
            leaseMs)))
        .compose(rows -> {
          if (rows.size() == 1) {
            Row r = rows.iterator().next();
            return Future.succeededFuture(new Heartbeat(id, r.getInteger("attempt"), instant(r, "lease_expires_at")));
          }
          return Transitions.statesOf(pool, List.of(id))
              .compose(m -> Future.failedFuture(Transitions.leaseRefusal(id, m.get(id))));
        });
  }

  /** Extends many leases in one statement; each item fails alone when its lease is lost. */
  public Future<List<Outcome<Heartbeat>>> heartbeatAll(List<HeartbeatRequestItem> items) {
    int n = items.size();
    UUID[] ids = new UUID[n];
    UUID[] tokens = new UUID[n];
    Long[] leaseMs = new Long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = items.get(i).id();
      tokens[i] = items.get(i).leaseToken();
      leaseMs[i] = items.get(i).leaseMs();
    }
    return pool.preparedQuery(LedgerSql.HEARTBEAT_BATCH).execute(Tuple.of(leaseNow(clock), ids, tokens, leaseMs))
        .compose(rows -> {
          // keyed by task and token: a stale token for a task extended under its current one is still refused
          Map<List<UUID>, Heartbeat> extended = new HashMap<>();
          for (Row r : rows) {
            extended.put(List.of(r.getUUID("id"), r.getUUID("lease_token")), new Heartbeat(r.getUUID("id"),
                r.getInteger("attempt"), instant(r, "lease_expires_at")));
          }
          List<UUID> refused = items.stream().filter(h -> !extended.containsKey(List.of(h.id(), h.leaseToken())))
              .map(HeartbeatRequestItem::id).distinct().toList();
          Future<Map<UUID, Row>> states = refused.isEmpty() ? Future.succeededFuture(Map.of())
              : Transitions.statesOf(pool, refused);
          return states.map(current -> {
            List<Outcome<Heartbeat>> out = new ArrayList<>(n);
            for (HeartbeatRequestItem h : items) {
              Heartbeat done = extended.get(List.of(h.id(), h.leaseToken()));
              out.add(done != null ? Outcome.ok(done)
                  : Outcome.failed(Transitions.leaseRefusal(h.id(), current.get(h.id()))));
            }
            return out;
          });
        });
  }

  /** One lease to extend: {@code leaseMs} null extends by the claim's lease length. */
  public record HeartbeatRequestItem(UUID id, UUID leaseToken, Long leaseMs) {
  }

  // ---------------------------------------------------------------- people's transitions

  /** @param expectedVersion the version the caller saw, or null to skip the optimistic check */
  public Future<Changed> cancel(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.CANCEL, id, LedgerSql.CANCEL, expectedVersion, reasonOr(reason, "cancelled"), origin);
  }

  public Future<Changed> block(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.BLOCK, id, LedgerSql.BLOCK, expectedVersion, reasonOr(reason, "blocked"), origin);
  }

  public Future<Changed> unblock(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.UNBLOCK, id, LedgerSql.UNBLOCK, expectedVersion, reasonOr(reason, "unblocked"),
        origin);
  }

  /** Forces a retry now: RETRY or BLOCKED → QUEUED due now; a FAILED task is redriven (fresh attempt budget). */
  public Future<Changed> retryNow(UUID id, Long expectedVersion, String reason, Origin origin) {
    String why = reasonOr(reason, "retry forced by hand");
    return transitionOne(TaskOperation.MANUAL_RETRY, id, LedgerSql.MANUAL_RETRY, expectedVersion, why, origin)
        .recover(t -> t instanceof ReboundException re && re.code() == ErrorCode.ILLEGAL_TRANSITION
            && TaskState.FAILED.name().equals(re.details().getString("state"))
            ? transitionOne(TaskOperation.REDRIVE, id, LedgerSql.MANUAL_REDRIVE, expectedVersion, why, origin)
            : Future.failedFuture(t));
  }

  public Future<Changed> park(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.MANUAL_PARK, id, LedgerSql.MANUAL_PARK, expectedVersion,
        reasonOr(reason, "parked by hand"), origin);
  }

  public Future<Changed> resume(UUID id, Long expectedVersion, String reason, Origin origin) {
    return transitionOne(TaskOperation.MANUAL_RESUME, id, LedgerSql.MANUAL_RESUME, expectedVersion,
        reasonOr(reason, "resumed by hand"), origin);
  }

  /**
   * Runs a guarded transition of one task. When nothing moved, explains why: unknown task (404), a
   * version other than the expected one (409 CONFLICT), or a state the operation is not allowed from
   * (409 naming the current state).
   */
  private Future<Changed> transitionOne(TaskOperation op, UUID id, String sql, Long expectedVersion, String reason,
                                        Origin origin) {
    Tuple args = Tuple.tuple(Arrays.asList(id, expectedVersion));
    return Transitions.run(pool, clock.instant(), sql, args, reason, null, origin).compose(changed -> {
      if (!changed.empty()) {
        return Future.succeededFuture(changed);
      }
      return pool.preparedQuery(LedgerSql.TASK_BY_ID).execute(Tuple.of(id)).compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(ReboundException.notFound("task", id));
        }
        Row row = rows.iterator().next();
        TaskState current = TaskState.valueOf(row.getString("state"));
        if (expectedVersion != null && op.allowedFrom(current)) {
          // the state allowed it, so the caller's expected version did not match
          return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT, "task " + id + " changed meanwhile: it is at version "
              + row.getLong("version") + " (" + current + ")", new JsonObject().put("taskId", id.toString())
              .put("version", row.getLong("version")).put("state", current.name())));
        }
        return Future.failedFuture(Transitions.illegal(op, id, current));
      });
    });
  }

  // ---------------------------------------------------------------- dead-letter queue

  public Future<Changed> redrive(List<UUID> ids, String reason, Origin origin) {
    return Transitions.run(pool, clock.instant(), LedgerSql.REDRIVE_IDS, Tuple.of(TaskRows.uuids(ids)),
        reasonOr(reason, "redriven from the dead-letter queue"), null, origin);
  }

  public Future<Changed> redriveMatching(String stage, String workflowId, int limit, String reason, Origin origin) {
    return Transitions.run(pool, clock.instant(), LedgerSql.REDRIVE_FILTER, Tuple.tuple(Arrays.asList(stage, workflowId, limit)),
        reasonOr(reason, "redriven from the dead-letter queue"), null, origin);
  }

  /** Deletes these dead letters and records the purge ({@code details}, what was deleted, the actor) in the audit trail. */
  public Future<List<UUID>> purge(List<UUID> ids, JsonObject details, Origin origin) {
    return pool.preparedQuery(LedgerSql.PURGE_IDS).execute(Tuple.tuple(Arrays.asList(TaskRows.uuids(ids),
        ts(clock.instant()), origin.actor(), origin.correlationId(), details.encode()))).map(TaskStore::idsOf);
  }

  /** Deletes matching dead letters and records the purge in the audit trail. */
  public Future<List<UUID>> purgeMatching(String stage, String workflowId, int limit, JsonObject details, Origin origin) {
    return pool.preparedQuery(LedgerSql.PURGE_FILTER).execute(Tuple.tuple(Arrays.asList(stage, workflowId, limit,
        ts(clock.instant()), origin.actor(), origin.correlationId(), details.encode()))).map(TaskStore::idsOf);
  }

  /** The audit trail, newest first: at most {@code limit} records older than {@code before} (an id) when given. */
  public Future<JsonArray> audit(int limit, Long before) {
    return pool.preparedQuery(LedgerSql.AUDIT_LIST).execute(Tuple.of(limit, before)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        out.add(new JsonObject().put("id", r.getLong("id")).put("at", instant(r, "at").toString())
            .put("action", r.getString("action")).put("actor", r.getString("actor"))
            .put("correlationId", r.getString("correlation_id")).put("details", new JsonObject(r.getString("details"))));
      }
      return out;
    });
  }

  private static List<UUID> idsOf(RowSet<Row> rows) {
    List<UUID> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.getUUID("id"));
    }
    return out;
  }

  // ---------------------------------------------------------------- sweeps

  public record ExpiredLease(UUID taskId, int attempt, UUID leaseToken, String owner, Instant expiredAt, String stage,
                             String workflowId) {
  }

  public Future<List<ExpiredLease>> expiredLeases(int limit) {
    return pool.preparedQuery(LedgerSql.EXPIRED_LEASES).execute(Tuple.tuple(Arrays.asList(leaseNow(clock), limit)))
        .map(rows -> {
      List<ExpiredLease> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new ExpiredLease(r.getUUID("id"), r.getInteger("attempt"), r.getUUID("lease_token"),
            r.getString("lease_owner"), instant(r, "lease_expires_at"), r.getString("stage"), r.getString("workflow_id")));
      }
      return out;
    });
  }

  /** Deletes finished tasks past their retention (history and checkpoints go with them), and old free-standing failures. */
  public Future<Integer> prune(Duration doneRetention, Duration failedRetention, int limit) {
    Instant now = clock.instant();
    return pool.preparedQuery(LedgerSql.PRUNE_FINISHED)
        .execute(Tuple.of(ts(now.minus(doneRetention)), ts(now.minus(failedRetention)), limit))
        .compose(r -> pool.preparedQuery(LedgerSql.PRUNE_FREE_FAILURES)
            .execute(Tuple.of(ts(now.minus(failedRetention)), limit)).map(r2 -> r.rowCount() + r2.rowCount()));
  }

  /** NOTIFYs {@code channel} (delivered at the commit of this autocommit statement); a failure is only logged. */
  public Future<Void> notifyChannel(String channel, String payload) {
    return pool.preparedQuery(LedgerSql.NOTIFY).execute(Tuple.of(channel, payload)).<Void>mapEmpty()
        .recover(t -> {
          LOG.warn("notify failed: {}", t.getMessage());
          return Future.succeededFuture();
        });
  }
}
