package dev.rebound.ledger;

import dev.rebound.common.Addresses;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.service.Origin;
import dev.rebound.common.text.Redactor;
import dev.rebound.ledger.claim.ClaimWaiters;
import dev.rebound.ledger.claim.ClaimWakeups;
import dev.rebound.ledger.domain.CheckpointIntegrity;
import dev.rebound.ledger.domain.TaskIds;
import dev.rebound.ledger.store.Changed;
import dev.rebound.ledger.store.Completion;
import dev.rebound.ledger.outbox.AnalyzerOutbox;
import dev.rebound.ledger.store.CheckpointStore;
import dev.rebound.ledger.store.GroupCommit;
import dev.rebound.ledger.store.LedgerStores;
import dev.rebound.ledger.store.NewTask;
import dev.rebound.ledger.store.TaskQueries;
import dev.rebound.ledger.store.TaskStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's operations, shared by the HTTP routes and the event-bus API: validates untrusted JSON,
 * calls the stores, and after each commit publishes the transitions, wakes claimers and feeds the
 * analyzer outbox. Replies are built here, at the edge: tasks through {@link TaskView#toJson()}.
 * Confined to the verticle's context.
 */
public final class LedgerOperations {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerOperations.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");
  private static final Set<String> ENQUEUE_FIELDS = Set.of("idempotencyKey", "workflowId", "stage", "agent", "type",
      "payload", "priority", "maxAttempts", "runAfter", "delayMs", "actor");
  private static final Set<String> CLAIM_FIELDS = Set.of("worker", "stage", "type", "limit", "leaseMs", "waitMs");
  private static final Set<String> PERSON_FIELDS = Set.of("id", "reason", "expectedVersion");
  private static final Set<String> HEARTBEAT_FIELDS = Set.of("id", "leaseToken", "leaseMs", "checkpoint");
  private static final Set<String> COMPLETE_FIELDS = Set.of("id", "leaseToken", "result", "actor");
  private static final Set<String> CHECKPOINT_FIELDS = Set.of("id", "leaseToken", "sequence", "state", "checksum");
  private static final Set<String> FAILURE_FIELDS = Set.of("failureId", "taskId", "attempt", "leaseToken", "source",
      "stage", "workflowId", "message", "errorType", "stackTrace", "httpStatus", "exitCode", "sqlState", "details",
      "occurredAt");
  private static final Set<String> DECISION_FIELDS = Set.of("taskId", "attempt", "action", "runAt", "reason", "decidedBy");
  private static final Set<String> SELECTION_FIELDS = Set.of("ids", "filter", "limit", "reason");
  private static final int MAX_IDS = 10_000;
  private static final Origin LEASE_RESCUER = new Origin("ledger:lease-rescuer", null);

  private final Vertx vertx;
  private final LedgerConfig config;
  private final LedgerStores stores;
  private final TaskStore taskStore;
  private final ClaimWaiters waiters;
  private final ClaimWakeups wakeups;
  private final AnalyzerOutbox outbox;
  private final TaskIds ids;
  private final Clock clock;
  private final GroupCommit<NewTask, TaskStore.Enqueued> enqueues;
  private final GroupCommit<Completion, Transition> completions;
  private final LedgerMetrics metrics;
  private final Redactor redactor = new Redactor();

  public LedgerOperations(Vertx vertx, LedgerConfig config, LedgerStores stores, ClaimWaiters waiters,
                          ClaimWakeups wakeups, AnalyzerOutbox outbox, TaskIds ids, Clock clock, LedgerMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.config = config;
    this.stores = stores;
    this.taskStore = stores.tasks();
    this.waiters = waiters;
    this.wakeups = wakeups;
    this.outbox = outbox;
    this.ids = ids;
    this.clock = clock;
    int inFlight = Math.max(1, config.pgPoolSize() / 3);
    this.enqueues = new GroupCommit<>(config.writeBatchMax(), inFlight,
        batch -> {
          metrics.batch(batch.size());
          return taskStore.enqueue(batch).map(list -> list.stream().map(Outcome::ok).toList());
        }, GroupCommit::dataError);
    this.completions = new GroupCommit<>(config.writeBatchMax(), inFlight, batch -> {
      metrics.batch(batch.size());
      return taskStore.complete(batch);
    }, GroupCommit::dataError);
  }

  // ---------------------------------------------------------------- tasks

  /** {@code reply.created} tells a new task (HTTP 201) from a known idempotency key (200). */
  public Future<JsonObject> enqueue(JsonObject body, Origin origin) {
    NewTask task;
    try {
      task = newTask(body, origin);
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    return enqueues.submit(task).map(e -> {
      if (e.created()) {
        publish(List.of(e.transition()));
        wakeups.claimable(task.stage(), task.type(), task.runAfter(), 1);
      }
      return new JsonObject().put("created", e.created()).put("task", e.task().toJson());
    });
  }

  private NewTask newTask(JsonObject body, Origin origin) {
    rejectUnknown(body, ENQUEUE_FIELDS);
    String stage = name(body, "stage", true);
    Object payload = body.getValue("payload");
    if (payload != null && !(payload instanceof JsonObject) && !(payload instanceof JsonArray)) {
      throw ReboundException.invalidField("payload", "must be a JSON object or array");
    }
    String payloadJson = payload == null ? "{}" : JsonFields.storableJson("payload", payload);
    int bytes = JsonFields.utf8Bytes(payloadJson);
    if (bytes > config.payloadLimitBytes()) {
      throw ReboundException.tooLarge("payload", bytes, config.payloadLimitBytes());
    }
    Instant now = clock.instant();
    Instant runAfter = JsonFields.instant(body, "runAfter");
    Long delayMs = JsonFields.longValue(body, "delayMs", 0, 365L * 24 * 3600_000);
    if (runAfter != null && delayMs != null) {
      throw ReboundException.badRequest("give either 'runAfter' or 'delayMs', not both");
    }
    if (delayMs != null) {
      runAfter = now.plusMillis(delayMs);
    }
    String actor = JsonFields.string(body, "actor", 200);
    return new NewTask(ids.next(), JsonFields.string(body, "idempotencyKey", 256), name(body, "workflowId", false),
        stage, JsonFields.string(body, "agent", 200), name(body, "type", false), payloadJson,
        JsonFields.integer(body, "priority", 0, -1000, 1000),
        JsonFields.integer(body, "maxAttempts", config.defaultPolicy().maxAttempts(), 1, 1000),
        runAfter, actor == null ? origin : new Origin(actor, origin.correlationId()));
  }

  public Future<JsonObject> get(JsonObject body) {
    return withId(body, id -> stores.queries().task(id).map(TaskView::toJson));
  }

  public Future<JsonObject> history(JsonObject body) {
    return withId(body, id -> stores.queries().history(id).map(entries -> {
      JsonArray history = new JsonArray();
      for (TaskQueries.HistoryEntry e : entries) {
        JsonObject h = new JsonObject().put("to", e.to().name()).put("attempt", e.attempt()).put("at", e.at().toString());
        putIfPresent(h, "from", e.from() == null ? null : e.from().name());
        putIfPresent(h, "reason", e.reason());
        putIfPresent(h, "error", e.error());
        putIfPresent(h, "actor", e.actor());
        putIfPresent(h, "correlationId", e.correlationId());
        history.add(h);
      }
      return new JsonObject().put("taskId", id.toString()).put("history", history);
    }));
  }

  private static void putIfPresent(JsonObject o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  public Future<JsonObject> list(JsonObject q) {
    try {
      TaskState state = JsonFields.enumValue(q, "state", TaskState.class);
      return stores.queries().list(new TaskQueries.TaskQuery(state == null ? null : state.name(), name(q, "stage", false),
          name(q, "workflowId", false), JsonFields.string(q, "agent", 200), JsonFields.uuid(q, "after"),
          JsonFields.integer(q, "limit", 100, 1, 1000))).map(page -> {
            JsonObject out = new JsonObject().put("tasks", new JsonArray(new ArrayList<>(page.tasks().stream().map(TaskView::toJson).toList())));
            if (page.next() != null) {
              out.put("next", page.next().toString());
            }
            return out;
          });
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JsonObject> deadLetters(JsonObject q) {
    JsonObject query = q.copy().put("state", TaskState.FAILED.name());
    return list(query);
  }

  public Future<JsonObject> stats() {
    return stores.queries().stats().map(s -> {
      JsonObject byState = new JsonObject();
      s.byState().forEach((state, n) -> byState.put(state.name(), n));
      JsonObject byStage = new JsonObject();
      s.byStage().forEach((stage, counts) -> {
        JsonObject perState = new JsonObject();
        counts.forEach((state, n) -> perState.put(state.name(), n));
        byStage.put(stage, perState);
      });
      return new JsonObject().put("total", s.total()).put("byState", byState).put("byStage", byStage)
          .put("claimWaiters", waiters.waiting());
    });
  }

  // ---------------------------------------------------------------- leases

  public Future<JsonObject> claim(JsonObject body, Origin origin) {
    TaskStore.ClaimSpec spec;
    long waitMs;
    try {
      rejectUnknown(body, CLAIM_FIELDS);
      String worker = JsonFields.requiredString(body, "worker", 200);
      Long leaseMs = JsonFields.longValue(body, "leaseMs", 100, config.maxLeaseMs());
      spec = new TaskStore.ClaimSpec(worker, name(body, "stage", false), name(body, "type", false),
          JsonFields.integer(body, "limit", 1, 1, config.maxClaimBatch()),
          leaseMs == null ? config.defaultLeaseMs() : leaseMs,
          new Origin(worker, origin.correlationId()));
      Long w = JsonFields.longValue(body, "waitMs", 0, config.maxWaitMs());
      waitMs = w == null ? 0 : w;
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    ClaimWaiters.ClaimAttempt attempt = () -> taskStore.claim(spec).map(c -> {
      publish(c.transitions());
      c.corruptCheckpoints().forEach((task, seqs) ->
          LOG.warn("task {} has corrupt checkpoints {}: resuming from the newest intact one", task, seqs));
      return c.tasks().stream().map(TaskView::toJson).toList();
    });
    Future<List<JsonObject>> tasks = attempt.get().compose(found -> found.isEmpty() && waitMs > 0
        ? waiters.await(spec.stage(), spec.type(), waitMs, attempt)
        : Future.succeededFuture(found));
    return tasks.map(list -> new JsonObject().put("tasks", new JsonArray(new ArrayList<>(list))));
  }

  public Future<JsonObject> heartbeat(JsonObject body) {
    return known(body, HEARTBEAT_FIELDS, () -> heartbeatChecked(body));
  }

  private Future<JsonObject> heartbeatChecked(JsonObject body) {
    UUID id;
    UUID token;
    Long leaseMs;
    JsonObject checkpoint;
    try {
      id = JsonFields.requiredUuid(body, "id");
      token = JsonFields.requiredUuid(body, "leaseToken");
      leaseMs = JsonFields.longValue(body, "leaseMs", 100, config.maxLeaseMs());
      checkpoint = JsonFields.object(body, "checkpoint");
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    Future<JsonObject> saved = checkpoint == null ? Future.succeededFuture(null)
        : saveCheckpoint(checkpoint.copy().put("id", id.toString()).put("leaseToken", token.toString()));
    return saved.compose(cp -> taskStore.heartbeat(id, token, leaseMs).map(h -> {
      JsonObject reply = new JsonObject().put("id", h.taskId().toString()).put("attempt", h.attempt())
          .put("leaseExpiresAt", h.leaseExpiresAt().toString());
      return cp == null ? reply : reply.put("checkpoint", cp);
    }));
  }

  public Future<JsonObject> complete(JsonObject body, Origin origin) {
    Completion c;
    try {
      rejectUnknown(body, COMPLETE_FIELDS);
      UUID id = JsonFields.requiredUuid(body, "id");
      UUID token = JsonFields.requiredUuid(body, "leaseToken");
      Object result = body.getValue("result");
      String resultJson = result == null ? null : JsonFields.storableJson("result", result);
      if (resultJson != null && JsonFields.utf8Bytes(resultJson) > config.payloadLimitBytes()) {
        throw ReboundException.tooLarge("result", JsonFields.utf8Bytes(resultJson), config.payloadLimitBytes());
      }
      String actor = JsonFields.string(body, "actor", 200);
      c = new Completion(id, token, resultJson, actor == null ? origin : new Origin(actor, origin.correlationId()));
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    return completions.submit(c).map(t -> {
      publish(List.of(t));
      return new JsonObject().put("id", t.taskId().toString()).put("state", TaskState.DONE.name())
          .put("attempt", t.attempt());
    });
  }

  public Future<JsonObject> cancel(JsonObject body, Origin origin) {
    return known(body, PERSON_FIELDS, () -> withId(body, id -> changed(taskStore.cancel(id, expectedVersion(body), reason(body), origin))));
  }

  public Future<JsonObject> block(JsonObject body, Origin origin) {
    return known(body, PERSON_FIELDS, () -> withId(body, id -> changed(taskStore.block(id, expectedVersion(body), reason(body), origin))));
  }

  public Future<JsonObject> unblock(JsonObject body, Origin origin) {
    return known(body, PERSON_FIELDS, () -> withId(body, id -> changed(taskStore.unblock(id, expectedVersion(body), reason(body), origin))));
  }

  // ---------------------------------------------------------------- checkpoints

  /** {@code {id, leaseToken, sequence, state, checksum?}}; a given checksum must match the state. */
  public Future<JsonObject> saveCheckpoint(JsonObject body) {
    try {
      rejectUnknown(body, CHECKPOINT_FIELDS);
      UUID id = JsonFields.requiredUuid(body, "id");
      UUID token = JsonFields.requiredUuid(body, "leaseToken");
      Long seq = JsonFields.longValue(body, "sequence", 0, Long.MAX_VALUE);
      if (seq == null) {
        throw ReboundException.invalidField("sequence", "is required");
      }
      JsonObject state = JsonFields.object(body, "state");
      if (state == null) {
        throw ReboundException.invalidField("state", "is required (a JSON object)");
      }
      String text = JsonFields.storableJson("state", state);
      if (JsonFields.utf8Bytes(text) > config.payloadLimitBytes()) {
        throw ReboundException.tooLarge("checkpoint state", JsonFields.utf8Bytes(text), config.payloadLimitBytes());
      }
      String checksum = CheckpointIntegrity.sha256Hex(text);
      String given = JsonFields.string(body, "checksum", 64);
      if (given != null && !given.equalsIgnoreCase(checksum)) {
        // the client hashed other bytes than we received: refuse rather than store a checkpoint it can't verify
        throw ReboundException.invalidField("checksum", "does not match the SHA-256 of the state as received");
      }
      return stores.checkpoints().save(id, token, seq, text, checksum, config.checkpointsKept())
          .map(saved -> new JsonObject().put("taskId", saved.taskId().toString()).put("sequence", saved.sequence())
              .put("checksum", saved.checksum()));
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JsonObject> latestCheckpoint(JsonObject body) {
    return withId(body, id -> stores.queries().task(id).compose(t -> stores.checkpoints().latest(id)).map(sel -> {
      JsonObject out = new JsonObject().put("taskId", id.toString())
          .put("corruptSequences", new JsonArray(new ArrayList<>(sel.corruptSequences())));
      if (sel.latestValid() != null) {
        out.put("checkpoint", CheckpointStore.toJson(sel.latestValid()));
      }
      return out;
    }));
  }

  // ---------------------------------------------------------------- failures and decisions

  /** Records a failure; the reply comes after the commit. */
  public Future<JsonObject> reportFailure(JsonObject body, Origin origin) {
    FailureEvent event;
    try {
      rejectUnknown(body, FAILURE_FIELDS);
      event = FailureEvent.fromJson(body);
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    if (event.taskId() != null && event.attempt() == null && event.leaseToken() == null) {
      // without either, a stale worker's report would be charged to whoever holds the task now
      return Future.failedFuture(ReboundException.badRequest("a failure of a task needs its 'leaseToken' or 'attempt'"));
    }
    return recordFailure(event, origin, false);
  }

  /** The lease rescuer's report of an expired lease: refused (LEASE_LOST) if a heartbeat extended it meanwhile. */
  public Future<JsonObject> recordExpiredLease(FailureEvent failure) {
    return recordFailure(failure, LEASE_RESCUER, true);
  }

  /** @param onlyIfLeaseExpired see {@link dev.rebound.ledger.store.FailureStore#recordFailure} */
  private Future<JsonObject> recordFailure(FailureEvent reported, Origin origin, boolean onlyIfLeaseExpired) {
    // secrets never reach the database, the outbox or the logs: redact before anything else
    FailureEvent event = redacted(reported);
    return stores.failures().recordFailure(event, origin, onlyIfLeaseExpired).map(rec -> {
      if (!rec.duplicate()) {
        metrics.failureRecorded(event.taskId() != null);
        publish(rec.changed().transitions());
        for (Transition t : rec.changed().transitions()) {
          if (t.to() == TaskState.RETRY) {
            wakeups.claimable(t.stage(), rec.next().runAfter());
          }
        }
        outbox.send(rec.event(), origin.correlationId());
      }
      JsonObject reply = new JsonObject().put("failureId", rec.failureId().toString()).put("recorded", true)
          .put("duplicate", rec.duplicate());
      if (rec.next() != null) {
        reply.put("taskId", rec.taskId().toString()).put("attempt", rec.attempt())
            .put("provisional", new JsonObject().put("state", rec.next().state().name())
                .put("runAfter", rec.next().runAfter().toString()));
      }
      return reply;
    });
  }

  private FailureEvent redacted(FailureEvent f) {
    return f.toBuilder().message(redactor.redact(f.message()))
        .stackTrace(f.stackTrace() == null ? null : redactor.redact(f.stackTrace())).details(redacted(f.details())).build();
  }

  private JsonObject redacted(JsonObject details) {
    if (details == null) {
      return null;
    }
    JsonObject out = new JsonObject();
    details.forEach(e -> out.put(e.getKey(), redactedValue(e.getValue())));
    return out;
  }

  private Object redactedValue(Object v) {
    if (v instanceof String s) {
      return redactor.redact(s);
    }
    if (v instanceof JsonObject o) {
      return redacted(o);
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(x -> out.add(redactedValue(x)));
      return out;
    }
    return v;
  }

  public Future<JsonObject> decide(JsonObject body, Origin origin) {
    Decision d;
    try {
      rejectUnknown(body, DECISION_FIELDS);
      d = Decision.fromJson(body);
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    String actor = d.decidedBy() == null ? "retry-service" : d.decidedBy();
    return stores.decisions().applyDecision(d, new Origin(actor, origin.correlationId())).map(decided -> {
      publish(decided.changed().transitions());
      for (Transition t : decided.changed().transitions()) {
        if (t.to() == TaskState.RETRY && d.runAt() != null) {
          wakeups.claimable(t.stage(), d.runAt());
        }
      }
      return new JsonObject().put("taskId", d.taskId().toString()).put("attempt", d.attempt())
          .put("action", d.action().name()).put("applied", decided.applied()).put("duplicate", decided.duplicate())
          .put("outcome", decided.outcome());
    });
  }

  // ---------------------------------------------------------------- dead-letter queue

  /** {@code {ids:[…]}} or {@code {filter:{stage?, workflowId?}, limit?}}. */
  public Future<JsonObject> redrive(JsonObject body, Origin origin) {
    try {
      rejectUnknown(body, SELECTION_FIELDS);
      JsonArray idList = JsonFields.array(body, "ids", MAX_IDS);
      JsonObject filter = JsonFields.object(body, "filter");
      String reason = reason(body);
      Future<Changed> moved;
      if (idList != null && filter == null) {
        moved = taskStore.redrive(uuids(idList), reason, origin);
      } else if (filter != null && idList == null) {
        moved = taskStore.redriveMatching(name(filter, "stage", false), name(filter, "workflowId", false),
            JsonFields.integer(body, "limit", 1000, 1, MAX_IDS), reason, origin);
      } else {
        throw ReboundException.badRequest("give either 'ids' or 'filter'");
      }
      return moved.map(c -> {
        publish(c.transitions());
        Map<String, Integer> perStage = new LinkedHashMap<>();
        c.transitions().forEach(t -> perStage.merge(t.stage(), 1, Integer::sum));
        perStage.forEach((stage, n) -> wakeups.claimable(stage, null, null, n));
        return new JsonObject().put("redriven", c.tasks().size())
            .put("ids", new JsonArray(c.tasks().stream().map(t -> t.id().toString()).toList()));
      });
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JsonObject> purge(JsonObject body) {
    try {
      rejectUnknown(body, SELECTION_FIELDS);
      JsonArray idList = JsonFields.array(body, "ids", MAX_IDS);
      JsonObject filter = JsonFields.object(body, "filter");
      Future<List<UUID>> purged;
      if (idList != null && filter == null) {
        purged = taskStore.purge(uuids(idList));
      } else if (filter != null && idList == null) {
        purged = taskStore.purgeMatching(name(filter, "stage", false), name(filter, "workflowId", false),
            JsonFields.integer(body, "limit", 1000, 1, MAX_IDS));
      } else {
        throw ReboundException.badRequest("give either 'ids' or 'filter'");
      }
      return purged.map(list -> new JsonObject().put("purged", list.size())
          .put("ids", new JsonArray(list.stream().map(UUID::toString).toList())));
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
  }

  // ---------------------------------------------------------------- wake-ups and events

  private void publish(List<Transition> transitions) {
    metrics.transitions(transitions);
    for (Transition t : transitions) {
      DeliveryOptions options = t.correlationId() == null ? new DeliveryOptions() : Correlation.options(t.correlationId());
      vertx.eventBus().publish(Addresses.EVENTS_TASKS, t.toJson(), options);
    }
  }

  // ---------------------------------------------------------------- helpers

  private Future<JsonObject> changed(Future<Changed> change) {
    return change.map(c -> {
      publish(c.transitions());
      if (!c.transitions().isEmpty() && c.transitions().get(0).to() == TaskState.QUEUED) {
        wakeups.claimable(c.transitions().get(0).stage(), c.tasks().get(0).type(), null, 1);
      }
      return c.tasks().get(0).toJson();
    });
  }

  /** Refuses unknown fields (a typo like "expectedVerison" must not silently drop a guard), then runs {@code op}. */
  private static Future<JsonObject> known(JsonObject body, Set<String> fields, java.util.function.Supplier<Future<JsonObject>> op) {
    try {
      rejectUnknown(body, fields);
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    return op.get();
  }

  private static Future<JsonObject> withId(JsonObject body, java.util.function.Function<UUID, Future<JsonObject>> op) {
    try {
      return op.apply(JsonFields.requiredUuid(body, "id"));
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
  }

  /** Optional {@code expectedVersion}: the transition only happens if the task is still at it (else 409 CONFLICT). */
  private static Long expectedVersion(JsonObject body) {
    return JsonFields.longValue(body, "expectedVersion", 1, Long.MAX_VALUE);
  }

  private String reason(JsonObject body) {
    String reason = JsonFields.string(body, "reason", 2000);
    return reason == null ? null : redactor.redact(reason);
  }

  private static String name(JsonObject body, String field, boolean required) {
    String v = required ? JsonFields.requiredString(body, field, 200) : JsonFields.string(body, field, 200);
    if (v != null && !NAME.matcher(v).matches()) {
      throw ReboundException.invalidField(field, "may only contain letters, digits and . _ : / - (was '"
          + JsonFields.abbreviate(v, 40) + "')");
    }
    return v;
  }

  private static List<UUID> uuids(JsonArray list) {
    List<UUID> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object v = list.getValue(i);
      if (!(v instanceof String s)) {
        throw ReboundException.invalidField("ids[" + i + "]", "must be a UUID string");
      }
      out.add(JsonFields.parseUuid("ids[" + i + "]", s));
    }
    return out;
  }

  private static void rejectUnknown(JsonObject body, Set<String> known) {
    for (String f : body.fieldNames()) {
      if (!known.contains(f)) {
        throw new ReboundException(ErrorCode.BAD_REQUEST, "unknown field '" + JsonFields.abbreviate(f, 40)
            + "' (known: " + new java.util.TreeSet<>(known) + ")", new JsonObject().put("field", JsonFields.abbreviate(f, 40)));
      }
    }
  }
}
