package dev.rebound.ledger;

import dev.rebound.common.Addresses;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.service.Origin;
import dev.rebound.common.text.Redactor;
import dev.rebound.ledger.claim.ClaimWaiters;
import dev.rebound.ledger.domain.CheckpointIntegrity;
import dev.rebound.ledger.domain.TaskIds;
import dev.rebound.ledger.store.Changed;
import dev.rebound.ledger.store.Completion;
import dev.rebound.ledger.store.GroupCommit;
import dev.rebound.ledger.store.LedgerStore;
import dev.rebound.ledger.store.NewTask;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
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
 * calls the store, and after each commit publishes the transitions, wakes claimers and feeds the
 * analyzer outbox. Confined to the verticle's context.
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

  private final Vertx vertx;
  private final LedgerConfig config;
  private final LedgerStore store;
  private final ClaimWaiters waiters;
  private final TaskIds ids;
  private final Clock clock;
  private final GroupCommit<NewTask, LedgerStore.Enqueued> enqueues;
  private final GroupCommit<Completion, Transition> completions;
  private final Set<String> pendingNotifications = new java.util.LinkedHashSet<>();
  /** Tells this instance's notifications from other instances'. */
  private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
  private final LedgerMetrics metrics;
  private final Redactor redactor = new Redactor();

  public LedgerOperations(Vertx vertx, LedgerConfig config, LedgerStore store, ClaimWaiters waiters, TaskIds ids,
                          Clock clock, LedgerMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.config = config;
    this.store = store;
    this.waiters = waiters;
    this.ids = ids;
    this.clock = clock;
    int inFlight = Math.max(1, config.pgPoolSize() / 3);
    this.enqueues = new GroupCommit<>(config.writeBatchMax(), inFlight,
        batch -> {
          metrics.batch(batch.size());
          return store.enqueue(batch).map(list -> new ArrayList<Object>(list));
        }, GroupCommit::dataError);
    this.completions = new GroupCommit<>(config.writeBatchMax(), inFlight, batch -> {
      metrics.batch(batch.size());
      return store.complete(batch);
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
        wakeClaimers(task.stage(), task.type(), task.runAfter(), 1);
      }
      return new JsonObject().put("created", e.created()).put("task", e.task());
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
    return withId(body, store::task);
  }

  public Future<JsonObject> history(JsonObject body) {
    return withId(body, id -> store.history(id).map(h -> new JsonObject().put("taskId", id.toString()).put("history", h)));
  }

  public Future<JsonObject> list(JsonObject q) {
    try {
      TaskState state = JsonFields.enumValue(q, "state", TaskState.class);
      return store.list(new LedgerStore.TaskQuery(state == null ? null : state.name(), name(q, "stage", false),
          name(q, "workflowId", false), JsonFields.string(q, "agent", 200), JsonFields.uuid(q, "after"),
          JsonFields.integer(q, "limit", 100, 1, 1000)));
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JsonObject> deadLetters(JsonObject q) {
    JsonObject query = q.copy().put("state", TaskState.FAILED.name());
    return list(query);
  }

  public Future<JsonObject> stats() {
    return store.stats().map(s -> s.put("claimWaiters", waiters.waiting()));
  }

  // ---------------------------------------------------------------- leases

  public Future<JsonObject> claim(JsonObject body, Origin origin) {
    LedgerStore.ClaimSpec spec;
    long waitMs;
    try {
      rejectUnknown(body, CLAIM_FIELDS);
      String worker = JsonFields.requiredString(body, "worker", 200);
      Long leaseMs = JsonFields.longValue(body, "leaseMs", 100, config.maxLeaseMs());
      spec = new LedgerStore.ClaimSpec(worker, name(body, "stage", false), name(body, "type", false),
          JsonFields.integer(body, "limit", 1, 1, config.maxClaimBatch()),
          leaseMs == null ? config.defaultLeaseMs() : leaseMs,
          new Origin(worker, origin.correlationId()));
      Long w = JsonFields.longValue(body, "waitMs", 0, config.maxWaitMs());
      waitMs = w == null ? 0 : w;
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
    ClaimWaiters.ClaimAttempt attempt = () -> store.claim(spec).map(c -> {
      publish(c.transitions());
      c.corruptCheckpoints().forEach((task, seqs) ->
          LOG.warn("task {} has corrupt checkpoints {}: resuming from the newest intact one", task, seqs));
      return c.tasks();
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
    return saved.compose(cp -> store.heartbeat(id, token, leaseMs).map(r -> cp == null ? r : r.put("checkpoint", cp)));
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
    return known(body, PERSON_FIELDS, () -> withId(body, id -> changed(store.cancel(id, expectedVersion(body), reason(body), origin))));
  }

  public Future<JsonObject> block(JsonObject body, Origin origin) {
    return known(body, PERSON_FIELDS, () -> withId(body, id -> changed(store.block(id, expectedVersion(body), reason(body), origin))));
  }

  public Future<JsonObject> unblock(JsonObject body, Origin origin) {
    return known(body, PERSON_FIELDS, () -> withId(body, id -> changed(store.unblock(id, expectedVersion(body), reason(body), origin))));
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
      return store.saveCheckpoint(id, token, seq, text, checksum, config.checkpointsKept());
    } catch (ReboundException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JsonObject> latestCheckpoint(JsonObject body) {
    return withId(body, id -> store.task(id).compose(t -> store.latestCheckpoint(id)).map(sel -> {
      JsonObject out = new JsonObject().put("taskId", id.toString())
          .put("corruptSequences", new JsonArray(new ArrayList<>(sel.corruptSequences())));
      if (sel.latestValid() != null) {
        CheckpointIntegrity.Stored c = sel.latestValid();
        out.put("checkpoint", new JsonObject().put("sequence", c.sequence()).put("state", new JsonObject(c.state()))
            .put("checksum", c.checksum()).put("attempt", c.attempt()).put("createdAt", c.createdAt()));
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

  /** @param onlyIfLeaseExpired see {@link LedgerStore#recordFailure(FailureEvent, Origin, Duration, boolean)} */
  public Future<JsonObject> recordFailure(FailureEvent reported, Origin origin, boolean onlyIfLeaseExpired) {
    // secrets never reach the database, the outbox or the logs: redact before anything else
    FailureEvent event = redacted(reported);
    return store.recordFailure(event, origin, config.decisionTimeout(), onlyIfLeaseExpired).map(rec -> {
      if (!rec.duplicate()) {
        metrics.failureRecorded(event.taskId() != null);
        publish(rec.changed().transitions());
        for (Transition t : rec.changed().transitions()) {
          if (t.to() == TaskState.RETRY) {
            JsonObject provisional = rec.reply().getJsonObject("provisional");
            Instant due = Instant.parse(provisional.getString("runAfter"));
            wakeClaimers(t.stage(), due);
          }
        }
        sendToAnalyzer(rec.event(), origin.correlationId());
      }
      return rec.reply();
    });
  }

  private FailureEvent redacted(FailureEvent f) {
    return new FailureEvent(f.failureId(), f.taskId(), f.attempt(), f.leaseToken(), f.source(), f.stage(), f.workflowId(),
        redactor.redact(f.message()), f.errorType(), f.stackTrace() == null ? null : redactor.redact(f.stackTrace()),
        f.httpStatus(), f.exitCode(), f.sqlState(), redacted(f.details()), f.occurredAt());
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

  /** Outbox: hand a failure to the analyzer; the resender repeats it until a decision arrives. */
  public void sendToAnalyzer(FailureEvent f, String correlationId) {
    DeliveryOptions options = (correlationId == null ? new DeliveryOptions() : Correlation.options(correlationId))
        .setSendTimeout(config.decisionTimeout().toMillis());
    vertx.eventBus().request(Addresses.ANALYZER_FAILURES, f.toJson(), options).onComplete(ar -> {
      if (ar.succeeded() && f.taskId() == null) {
        store.markDelivered(f.failureId())
            .onFailure(t -> LOG.warn("failure {} delivered but not marked: it will be sent again", f.failureId()));
      }
    });
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
    return store.applyDecision(d, new Origin(actor, origin.correlationId())).map(decided -> {
      publish(decided.changed().transitions());
      for (Transition t : decided.changed().transitions()) {
        if (t.to() == TaskState.RETRY && d.runAt() != null) {
          wakeClaimers(t.stage(), d.runAt());
        }
      }
      return decided.toJson(d);
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
        moved = store.redrive(uuids(idList), reason, origin);
      } else if (filter != null && idList == null) {
        moved = store.redriveMatching(name(filter, "stage", false), name(filter, "workflowId", false),
            JsonFields.integer(body, "limit", 1000, 1, MAX_IDS), reason, origin);
      } else {
        throw ReboundException.badRequest("give either 'ids' or 'filter'");
      }
      return moved.map(c -> {
        publish(c.transitions());
        Map<String, Integer> perStage = new LinkedHashMap<>();
        c.transitions().forEach(t -> perStage.merge(t.stage(), 1, Integer::sum));
        perStage.forEach((stage, n) -> wakeClaimers(stage, null, null, n));
        return new JsonObject().put("redriven", c.tasks().size())
            .put("ids", new JsonArray(c.tasks().stream().map(t -> t.getString("id")).toList()));
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
        purged = store.purge(uuids(idList));
      } else if (filter != null && idList == null) {
        purged = store.purgeMatching(name(filter, "stage", false), name(filter, "workflowId", false),
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

  /** Wakes local waiters now (or at {@code due}) and every other ledger instance through NOTIFY. */
  void wakeClaimers(String stage, Instant due) {
    wakeClaimers(stage, null, due, 0);
  }

  /**
   * @param tasks how many tasks became claimable (0: unknown). One task wakes one parked claim that
   *              can take it, so one enqueue does not send every idle worker to the database.
   */
  void wakeClaimers(String stage, String type, Instant due, int tasks) {
    long now = clock.millis();
    if (due == null || due.toEpochMilli() <= now) {
      // a bounded wake needs the new task's type: known for one task, not for a batch of redriven ones
      if (tasks == 1) {
        waiters.wake(stage, type, 1);
      } else {
        waiters.wake(stage);
      }
      // other instances learn only the stage: they wake all waiters of the stage
      notifyOthers(stage, 0);
    } else {
      waiters.wakeAt(stage, due.toEpochMilli());
      // round up to 100 ms so a burst of retries shares a handful of notifications
      notifyOthers(stage, (due.toEpochMilli() + 99) / 100 * 100);
    }
  }

  /**
   * NOTIFYs are coalesced: whatever is asked for during one event-loop turn goes out once at the
   * end of it, so a batch of 500 enqueues costs one notification per stage, not 500. The payload is
   * {@code instance|stage|dueEpochMs} (0: due now); an instance ignores its own.
   */
  private void notifyOthers(String stage, long dueMs) {
    boolean first = pendingNotifications.isEmpty();
    pendingNotifications.add(instanceId + "|" + stage + "|" + dueMs);
    if (first) {
      vertx.runOnContext(v -> {
        List<String> out = new ArrayList<>(pendingNotifications);
        pendingNotifications.clear();
        out.forEach(store::notifyClaimable);
      });
    }
  }

  /** A NOTIFY payload from any instance (see {@link #notifyOthers}); this instance's own are ignored. */
  public void onNotification(String payload) {
    String[] parts = payload.split("\\|", -1);
    if (parts.length != 3) {
      LOG.warn("ignoring a malformed ledger notification");
      return;
    }
    if (parts[0].equals(instanceId)) {
      return;  // already woken locally when it happened
    }
    try {
      String stage = parts[1];
      long due = Long.parseLong(parts[2]);
      if (due <= clock.millis()) {
        waiters.wake(stage);
      } else {
        waiters.wakeAt(stage, due);
      }
    } catch (NumberFormatException e) {
      LOG.warn("ignoring a malformed ledger notification");
    }
  }

  void publish(List<Transition> transitions) {
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
        wakeClaimers(c.transitions().get(0).stage(), c.tasks().get(0).getString("type"), null, 1);
      }
      return c.tasks().get(0);
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

  public Duration decisionTimeout() {
    return config.decisionTimeout();
  }

  public LedgerMetrics metrics() {
    return metrics;
  }

  public LedgerStore store() {
    return store;
  }
}
