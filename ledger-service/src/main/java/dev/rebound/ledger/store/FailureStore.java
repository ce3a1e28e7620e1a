package dev.rebound.ledger.store;

import static dev.rebound.ledger.store.Timestamps.instant;
import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskContext;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.request.JsonOut;
import dev.rebound.common.service.Origin;
import dev.rebound.ledger.domain.FailureAdmission;
import dev.rebound.ledger.domain.FailureCipher;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Failure reports, recorded in groups (group commit): the failure rows (which are also the analyzer
 * outbox's entries) and, for tasks, the failed attempts with their provisional next steps, in one
 * transaction of a few multi-row statements. Whether a report is admitted is {@link FailureAdmission}'s
 * call, made under the row locks of the group's tasks, report by report in arrival order; a report
 * that is refused fails alone.
 */
public final class FailureStore {
  private final Pool pool;
  private final Clock clock;
  private final ProvisionalRetry provisional;
  private final FailureAdmission admission;
  private final Duration firstResend;

  /** @param firstResend when the outbox re-sends a failure that has no decision by then */
  /** The one key of a details column written encrypted. */
  static final String ENCRYPTED_DETAILS = "rbenc";

  private final FailureCipher cipher;
  public FailureStore(Pool pool, Clock clock, ProvisionalRetry provisional, Duration firstResend,
      FailureCipher cipher) {
    this.cipher = cipher;
    this.pool = pool;
    this.clock = clock;
    this.provisional = provisional;
    this.admission = new FailureAdmission(clock);
    this.firstResend = firstResend;
  }

  /** The JSON stored in the details column: the details themselves, or {"rbenc": ciphertext}. */
  static JsonObject encryptDetails(FailureCipher cipher, JsonObject details) {
    return cipher.enabled() ? new JsonObject().put(ENCRYPTED_DETAILS, cipher.encrypt("details", details.encode())) : details;
  }

  /** The details of a stored details column, decrypted when they were written encrypted. */
  public static JsonObject decryptDetails(FailureCipher cipher, JsonObject stored) {
    Object sealed = stored.getValue(ENCRYPTED_DETAILS);
    if (stored.size() == 1 && sealed instanceof String s && FailureCipher.isEncrypted(s)) {
      return new JsonObject(cipher.decrypt("details", s));
    }
    return stored;
  }

  /**
   * One failure report.
   *
   * @param event              the failure, with its failure id set (so that a report written again alone keeps it)
   * @param onlyIfLeaseExpired the lease rescuer's report: refused (LEASE_LOST) when, under the row
   *                           lock, the lease turns out to have been extended meanwhile
   */
  public record FailureReport(FailureEvent event, Origin origin, boolean onlyIfLeaseExpired) {
    public FailureReport {
      Objects.requireNonNull(event.failureId(), "a report to record needs its failure id");
    }
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

  /** A report on its way through a group: what the checks found, and what is written for it. */
  private static final class Item {
    final FailureReport report;
    final FailureEvent f;
    Row task;
    int attempt;
    ReboundException refusal;
    UUID duplicateOf;
    FailureEvent full;
    ProvisionalRetry.Outcome next;
    Changed changed = Changed.NOTHING;

    Item(FailureReport report) {
      this.report = report;
      this.f = report.event();
    }

    boolean admitted() {
      return full != null;
    }

    TaskAttempt key() {
      return new TaskAttempt(f.taskId(), attempt);
    }
  }

  private record TaskAttempt(UUID taskId, int attempt) {
  }

  /**
   * Records a group of failures in one transaction; per report, in order, its outcome or the error
   * that fails it alone (unknown task, lost lease, illegal transition). A repeat of a failure id or of
   * a (task, attempt), before or within the group, changes nothing and answers the recorded failure.
   */
  /** A page of recorded failures, newest first, as JSON (messages decrypted; they were redacted before storing). */
  public Future<List<JsonObject>> page(String stage, String workflowId, UUID taskId, boolean freeStanding, UUID before,
      int limit) {
    return pool.preparedQuery(LedgerSql.FAILURES_PAGE)
        .execute(Tuple.tuple(Arrays.asList(stage, workflowId, taskId, freeStanding, limit, before)))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          rows.forEach(r -> out.add(failureJson(r)));
          return out;
        });
  }

  /** One recorded failure with its stack trace and details, or null. */
  public Future<JsonObject> get(UUID id) {
    return pool.preparedQuery(LedgerSql.FAILURE_BY_ID).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      JsonObject out = failureJson(r);
      JsonOut.putIfPresent(out, "stackTrace", cipher.decrypt("stack_trace", r.getString("stack_trace")));
      Object details = r.getValue("details");
      JsonOut.putIfPresent(out, "details", details instanceof JsonObject j ? decryptDetails(cipher, j) : null);
      return out;
    });
  }

  private JsonObject failureJson(Row r) {
    JsonObject o = new JsonObject().put("failureId", r.getUUID("id").toString());
    JsonOut.putIfPresent(o, "taskId", r.getUUID("task_id"));
    JsonOut.putIfPresent(o, "attempt", r.getInteger("attempt"));
    JsonOut.putIfPresent(o, "source", r.getString("source"));
    JsonOut.putIfPresent(o, "stage", r.getString("stage"));
    JsonOut.putIfPresent(o, "workflowId", r.getString("workflow_id"));
    o.put("message", cipher.decrypt("message", r.getString("message")));
    JsonOut.putIfPresent(o, "errorType", r.getString("error_type"));
    JsonOut.putIfPresent(o, "httpStatus", r.getInteger("http_status"));
    JsonOut.putIfPresent(o, "exitCode", r.getInteger("exit_code"));
    JsonOut.putIfPresent(o, "sqlState", r.getString("sql_state"));
    o.put("occurredAt", instant(r, "occurred_at").toString()).put("recordedAt", instant(r, "recorded_at").toString());
    JsonOut.putIfPresent(o, "provisional", r.getString("provisional"));
    JsonOut.putIfPresent(o, "decision", r.getString("decision"));
    JsonOut.putIfPresent(o, "decidedAt", r.getValue("decided_at") == null ? null : instant(r, "decided_at"));
    return o;
  }


  public Future<List<Outcome<FailureRecorded>>> recordFailures(List<FailureReport> reports) {
    Instant now = clock.instant();
    List<Item> items = reports.stream().map(Item::new).toList();
    return pool.withTransaction(conn -> {
      // pipelined: the look-up of failures recorded before runs right behind the task locks, on the server, in order
      Future<Void> locked = lockTasks(conn, items);
      Future<Recorded> recorded = alreadyRecorded(conn, items);
      return Future.all(locked, recorded)
          .compose(v -> {
            judge(items, recorded.result());
            return insertFailures(conn, items, now);
          })
          .compose(v -> failAttempts(conn, items, now))
          .map(v -> items.stream().map(FailureStore::outcome).toList());
    });
  }

  private static Future<Void> lockTasks(SqlConnection conn, List<Item> items) {
    Set<UUID> ids = new LinkedHashSet<>();
    items.forEach(i -> {
      if (i.f.taskId() != null) {
        ids.add(i.f.taskId());
      }
    });
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(LedgerSql.TASKS_BY_IDS_FOR_UPDATE).execute(Tuple.of(TaskRows.uuids(ids))).map(rows -> {
      Map<UUID, Row> byId = new HashMap<>();
      rows.forEach(r -> byId.put(r.getUUID("id"), r));
      for (Item i : items) {
        if (i.f.taskId() == null) {
          continue;
        }
        i.task = byId.get(i.f.taskId());
        if (i.task == null) {
          i.refusal = ReboundException.notFound("task", i.f.taskId());
        } else {
          i.attempt = FailureAdmission.attemptOf(locked(i.task), report(i));
        }
      }
      return null;
    });
  }

  /** Failure ids recorded before, by failure id and by (task, attempt). */
  private record Recorded(Set<UUID> ids, Map<TaskAttempt, UUID> byAttempt, Map<UUID, UUID> ownerOf) {
  }

  /** The owner recorded for a free-standing failure's id (no task). */
  private static final UUID NO_TASK = new UUID(0, 0);

  /** Sent before the task locks' answer is known: by each report's failure id and its task's attempt. */
  private static Future<Recorded> alreadyRecorded(SqlConnection conn, List<Item> items) {
    List<UUID> ids = new ArrayList<>();
    List<UUID> tasks = new ArrayList<>();
    List<Integer> attempts = new ArrayList<>();
    for (Item i : items) {
      ids.add(i.f.failureId());
      if (i.f.taskId() != null) {
        tasks.add(i.f.taskId());
        // the report's own attempt, or (null) the task's current one, as FailureAdmission.attemptOf takes it
        attempts.add(i.f.attempt());
      }
    }
    return conn.preparedQuery(LedgerSql.FAILURES_RECORDED).execute(Tuple.tuple(List.of(ids.toArray(new UUID[0]),
        tasks.toArray(new UUID[0]), attempts.toArray(new Integer[0])))).map(rows -> {
          Set<UUID> known = new HashSet<>();
          Map<TaskAttempt, UUID> byAttempt = new HashMap<>();
          Map<UUID, UUID> ownerOf = new HashMap<>();
          for (Row r : rows) {
            known.add(r.getUUID("id"));
            ownerOf.put(r.getUUID("id"), r.getUUID("task_id") == null ? NO_TASK : r.getUUID("task_id"));
            if (r.getUUID("task_id") != null) {
              byAttempt.put(new TaskAttempt(r.getUUID("task_id"), r.getInteger("attempt")), r.getUUID("id"));
            }
          }
          return new Recorded(known, byAttempt, ownerOf);
        });
  }

  /**
   * Admission of each report in arrival order, as if they came one by one: a report admitted earlier
   * in the group has moved its task on and counts as recorded for the reports after it.
   */
  private void judge(List<Item> items, Recorded before) {
    Map<UUID, FailureAdmission.LockedTask> current = new HashMap<>();
    Set<UUID> recordedIds = new HashSet<>(before.ids());
    Map<TaskAttempt, UUID> recordedAttempts = new HashMap<>(before.byAttempt());
    Map<UUID, UUID> ownerOf = new HashMap<>(before.ownerOf());
    for (Item i : items) {
      if (i.refusal != null) {
        continue;
      }
      UUID id = i.f.failureId();
      UUID owner = i.f.taskId() == null ? NO_TASK : i.f.taskId();
      UUID recordedOwner = ownerOf.get(id);
      if (recordedOwner != null && !recordedOwner.equals(owner)) {
        // an id names one failure: the same id about another task is a client's bug, not a repeat
        i.refusal = new ReboundException(ErrorCode.CONFLICT, "failure " + id + " is already recorded "
            + (recordedOwner.equals(NO_TASK) ? "without a task" : "for task " + recordedOwner)
            + ": a failureId cannot be reused for another task", new JsonObject().put("failureId", id.toString())
            .put("taskId", recordedOwner.equals(NO_TASK) ? null : recordedOwner.toString()));
        continue;
      }
      ownerOf.put(id, owner);
      if (i.task == null) {
        if (recordedIds.contains(id)) {
          i.duplicateOf = id;
        } else {
          i.full = i.f.toBuilder().leaseToken(null).task(null).build();
          recordedIds.add(id);
        }
        continue;
      }
      FailureAdmission.LockedTask task = current.computeIfAbsent(i.f.taskId(), k -> locked(i.task));
      UUID recorded = recordedIds.contains(id) ? id : recordedAttempts.get(i.key());
      FailureAdmission.Verdict verdict = admission.judge(task, report(i), recorded, leaseNow(i.task));
      if (verdict instanceof FailureAdmission.Duplicate d) {
        i.duplicateOf = d.recordedFailureId();
      } else if (verdict instanceof FailureAdmission.Refused refused) {
        i.refusal = refusal(refused, task);
      } else {
        i.next = provisional.afterFailure(i.attempt, i.task.getInteger("attempt_base"), i.task.getInteger("max_attempts"));
        i.full = i.f.toBuilder().attempt(i.attempt).leaseToken(null)
            .stage(i.f.stage() != null ? i.f.stage() : i.task.getString("stage"))
            .workflowId(i.f.workflowId() != null ? i.f.workflowId() : i.task.getString("workflow_id"))
            .task(contextOf(i.task)).build();
        current.put(i.f.taskId(), new FailureAdmission.LockedTask(task.id(), i.next.state(), i.attempt, null, null));
        recordedIds.add(id);
        recordedAttempts.put(i.key(), id);
      }
    }
  }

  private Future<Void> insertFailures(SqlConnection conn, List<Item> items, Instant now) {
    List<Item> admitted = items.stream().filter(Item::admitted).toList();
    if (admitted.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = admitted.size();
    UUID[] ids = new UUID[n];
    UUID[] tasks = new UUID[n];
    Integer[] attempts = new Integer[n];
    String[] sources = new String[n];
    String[] stages = new String[n];
    String[] workflows = new String[n];
    String[] messages = new String[n];
    String[] errorTypes = new String[n];
    String[] stacks = new String[n];
    Integer[] httpStatuses = new Integer[n];
    Integer[] exitCodes = new Integer[n];
    String[] sqlStates = new String[n];
    String[] details = new String[n];
    OffsetDateTime[] occurred = new OffsetDateTime[n];
    String[] provisionalStates = new String[n];
    Integer[] attemptBases = new Integer[n];
    for (int k = 0; k < n; k++) {
      Item i = admitted.get(k);
      FailureEvent f = i.full;
      ids[k] = f.failureId();
      tasks[k] = f.taskId();
      attempts[k] = f.taskId() == null ? null : i.attempt;
      sources[k] = f.source();
      stages[k] = f.stage();
      workflows[k] = f.workflowId();
      messages[k] = cipher.encrypt("message", f.message());
      errorTypes[k] = f.errorType();
      stacks[k] = cipher.encrypt("stack_trace", f.stackTrace());
      httpStatuses[k] = f.httpStatus();
      exitCodes[k] = f.exitCode();
      sqlStates[k] = f.sqlState();
      details[k] = f.details() == null ? null : encryptDetails(cipher, f.details()).encode();
      occurred[k] = ts(f.occurredAt() != null ? f.occurredAt() : now);
      provisionalStates[k] = i.next == null ? null : i.next.state().name();
      attemptBases[k] = f.task() == null ? null : f.task().attemptBase();
    }
    Tuple args = Tuple.tuple(List.of(ts(now), ts(now.plus(firstResend)), ids, tasks, attempts, sources, stages,
        workflows, messages, errorTypes, stacks, httpStatuses, exitCodes, sqlStates, details, occurred, provisionalStates,
        attemptBases));
    return conn.preparedQuery(LedgerSql.INSERT_FAILURES).execute(args).map(rows -> {
      Set<UUID> inserted = new HashSet<>();
      rows.forEach(r -> inserted.add(r.getUUID("id")));
      for (Item i : admitted) {
        if (!inserted.contains(i.f.failureId())) {
          // the id was recorded concurrently (only a free-standing failure can race: a task's is checked under its lock)
          i.full = null;
          i.next = null;
          i.duplicateOf = i.f.failureId();
        }
      }
      return null;
    });
  }

  private static Future<Void> failAttempts(SqlConnection conn, List<Item> items, Instant now) {
    List<Item> failing = items.stream().filter(i -> i.admitted() && i.next != null).toList();
    if (failing.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = failing.size();
    UUID[] ids = new UUID[n];
    Integer[] attempts = new Integer[n];
    String[] states = new String[n];
    OffsetDateTime[] runAfter = new OffsetDateTime[n];
    String[] reasons = new String[n];
    String[] errors = new String[n];
    String[] actors = new String[n];
    String[] correlations = new String[n];
    for (int k = 0; k < n; k++) {
      Item i = failing.get(k);
      ids[k] = i.f.taskId();
      attempts[k] = i.attempt;
      states[k] = i.next.state().name();
      runAfter[k] = ts(i.next.runAfter());
      reasons[k] = reason(i.next);
      errors[k] = abbreviate(i.f.message());
      actors[k] = i.report.origin().actor();
      correlations[k] = i.report.origin().correlationId();
    }
    Tuple args = Tuple.tuple(List.of(ts(now), ids, attempts, states, runAfter, reasons, errors, actors, correlations));
    return conn.preparedQuery(LedgerSql.FAIL_ATTEMPTS).execute(args).compose(rows -> {
      Map<UUID, Row> moved = new HashMap<>();
      rows.forEach(r -> moved.put(r.getUUID("id"), r));
      for (Item i : failing) {
        Row r = moved.get(i.f.taskId());
        if (r == null) {
          // admitted under the lock, so it must have moved: roll the group back rather than answer half of it
          return Future.failedFuture(new ReboundException(ErrorCode.INTERNAL,
              "task " + i.f.taskId() + " did not move although its failure was admitted"));
        }
        Origin o = i.report.origin();
        i.changed = new Changed(List.of(TaskRows.view(r)), List.of(TaskRows.transition(r, reason(i.next),
            abbreviate(i.f.message()), o.actor(), o.correlationId(), now)));
      }
      return Future.succeededFuture();
    });
  }

  private static Outcome<FailureRecorded> outcome(Item i) {
    if (i.refusal != null) {
      return Outcome.failed(i.refusal);
    }
    if (i.duplicateOf != null) {
      return Outcome.ok(new FailureRecorded(i.duplicateOf, true, null, null, null, Changed.NOTHING, i.f));
    }
    if (i.next == null) {
      return Outcome.ok(new FailureRecorded(i.full.failureId(), false, null, null, null, Changed.NOTHING, i.full));
    }
    return Outcome.ok(new FailureRecorded(i.full.failureId(), false, i.f.taskId(), i.attempt,
        new NextStep(i.next.state(), i.next.runAfter()), i.changed, i.full));
  }

  /** What the ledger tells the analyzer and the retry service about the task, as of this failure. */
  private static TaskContext contextOf(Row task) {
    return new TaskContext(task.getString("agent"), task.getString("workflow_id"), task.getInteger("attempt_base"),
        instant(task, "created_at"), task.getInteger("own_max_attempts"));
  }

  /** The instant the rescuer's "lease expired" is checked against: the database's clock unless a test pinned one. */
  private Instant leaseNow(Row task) {
    return Timestamps.databaseJudgesLeases(clock) ? instant(task, "db_now") : clock.instant();
  }

  private static FailureAdmission.LockedTask locked(Row row) {
    return new FailureAdmission.LockedTask(row.getUUID("id"), TaskState.valueOf(row.getString("state")),
        row.getInteger("attempt"), row.getUUID("lease_token"), instant(row, "lease_expires_at"));
  }

  private static FailureAdmission.Report report(Item i) {
    return new FailureAdmission.Report(i.f.attempt(), i.f.leaseToken(), i.report.onlyIfLeaseExpired());
  }

  private static String reason(ProvisionalRetry.Outcome next) {
    return next.state() == TaskState.FAILED ? "failed: attempt budget spent" : "failed: provisional retry";
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

  private static String abbreviate(String s) {
    return s == null || s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
  }
}
