package dev.rebound.ledger;

import dev.rebound.common.Addresses;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.db.GroupCommit;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import dev.rebound.common.request.BatchItems;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.CompleteBatch;
import dev.rebound.common.request.EnqueueBatch;
import dev.rebound.common.request.HeartbeatBatch;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.AuditQuery;
import dev.rebound.common.request.FailureIdRequest;
import dev.rebound.common.request.FailuresQuery;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatRequest;
import dev.rebound.common.request.JsonOut;
import dev.rebound.common.request.LedgerLimits;
import dev.rebound.common.request.ListTasksRequest;
import dev.rebound.common.request.PersonActionRequest;
import dev.rebound.common.request.TaskIdRequest;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.service.Origin;
import dev.rebound.common.text.Redactor;
import dev.rebound.ledger.claim.ClaimWaiters;
import dev.rebound.ledger.claim.ClaimWakeups;
import dev.rebound.ledger.domain.CheckpointIntegrity;
import dev.rebound.ledger.domain.TaskIds;
import dev.rebound.ledger.outbox.AnalyzerOutbox;
import dev.rebound.ledger.store.Changed;
import dev.rebound.ledger.store.CheckpointStore;
import dev.rebound.ledger.store.Completion;
import dev.rebound.ledger.store.DecisionStore;
import dev.rebound.ledger.store.FailureStore;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's operations, shared by the HTTP routes and the event-bus API: takes the requests as
 * their records parsed them (with {@link #limits()}, see {@link LedgerEndpoints}), calls the stores,
 * and after each commit publishes the transitions, wakes claimers and feeds the analyzer outbox. Replies are built here, at the edge: tasks through {@link TaskView#toJson()}.
 * Confined to the verticle's context.
 */
public final class LedgerOperations {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerOperations.class);
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
  private final GroupCommit<FailureStore.FailureReport, FailureStore.FailureRecorded> failures;
  private final GroupCommit<DecisionStore.DecisionRequest, DecisionStore.Decided> decisions;
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
    this.enqueues = new GroupCommit<>(config.writeBatchMax(), inFlight, config.maxQueuedWrites(), config.maxQueueWait(),
        batch -> {
          metrics.batch(batch.size());
          return writeTasks(batch);
        }, GroupCommit::dataError);
    this.completions = new GroupCommit<>(config.writeBatchMax(), inFlight, config.maxQueuedWrites(), config.maxQueueWait(), batch -> {
      metrics.batch(batch.size());
      return taskStore.complete(batch);
    }, GroupCommit::dataError);
    this.failures = new GroupCommit<>(config.writeBatchMax(), inFlight, config.maxQueuedWrites(), config.maxQueueWait(), batch -> {
      metrics.batch(batch.size());
      return stores.failures().recordFailures(batch);
    }, LedgerOperations::retryAlone);
    this.decisions = new GroupCommit<>(config.writeBatchMax(), inFlight, config.maxQueuedWrites(), config.maxQueueWait(), batch -> {
      metrics.batch(batch.size());
      return stores.decisions().applyDecisions(batch);
    }, LedgerOperations::retryAlone);
  }

  /**
   * A group of failures or decisions is written again one by one after a data error (one request's
   * fault) or a deadlock: the group locks its tasks in id order, but an abort's cancels or another
   * writer's multi-row statement may lock some of them in another order, and alone each goes through.
   */
  private static boolean retryAlone(Throwable t) {
    return GroupCommit.dataErrorOrDeadlock(t);
  }

  /** The configured bounds the requests are parsed with. */
  public LedgerLimits limits() {
    return config.limits();
  }

  // ---------------------------------------------------------------- tasks

  /** {@code reply.created} tells a new task (HTTP 201) from a known idempotency key (200). */
  public Future<JsonObject> enqueue(EnqueueRequest request, Origin origin) {
    if (config.refuseCredentialPayloads() && request.payloadJson() != null) {
      var credential = redactor.firstCredential(io.vertx.core.json.Json.decodeValue(request.payloadJson()), "payload");
      if (credential.isPresent()) {
        return Future.failedFuture(ReboundException.invalidField(credential.get(), "looks like a credential, and this "
            + "ledger refuses credentials in payloads (ledger.refuse-credential-payloads): a payload is stored and "
            + "handed to workers as sent, so pass a reference to the secret (a secret manager's path or name) instead"));
      }
    }
    NewTask task = newTask(request, origin);
    return enqueues.submit(task).map(e -> {
      if (e.created()) {
        publish(List.of(e.transition()));
        wakeups.claimableNotified(task.stage(), task.type(), task.runAfter(), 1);
      }
      return new JsonObject().put("created", e.created()).put("task", e.task().toJson());
    });
  }

  /**
   * Many tasks in one request: the valid ones are written in one statement per
   * {@code ledger.write-batch-max} (with their history rows), each answered on its own after the
   * commit — 201 new, 200 known idempotency key (also a key repeated inside the batch) — and an
   * invalid item refused alone. Should a statement fail on one item's data, its items are written
   * again one by one through the group commit, so that item alone is refused.
   */
  public Future<JsonObject> enqueueAll(EnqueueBatch batch, Origin origin) {
    List<Outcome<EnqueueRequest>> items = batch.items();
    List<NewTask> tasks = new ArrayList<>(items.size());
    for (Outcome<EnqueueRequest> item : items) {
      if (item instanceof Outcome.Ok<EnqueueRequest> ok) {
        tasks.add(newTask(ok.value(), origin));
      }
    }
    return inChunks(tasks, this::writeTasks, enqueues::submit).map(written -> {
      JsonArray answers = new JsonArray(new ArrayList<>(items.size()));
      int next = 0;
      for (Outcome<EnqueueRequest> item : items) {
        if (item instanceof Outcome.Failed<EnqueueRequest> failed) {
          answers.add(BatchItems.refused(ErrorReplies.toReboundException(failed.error()), null));
          continue;
        }
        NewTask task = tasks.get(next);
        Outcome<TaskStore.Enqueued> out = written.get(next++);
        if (out instanceof Outcome.Ok<TaskStore.Enqueued> ok) {
          TaskStore.Enqueued e = ok.value();
          if (e.created()) {
            publish(List.of(e.transition()));
            wakeups.claimableNotified(task.stage(), task.type(), task.runAfter(), 1);
          }
          answers.add(BatchItems.answered(e.created() ? 201 : 200,
              new JsonObject().put("created", e.created()).put("task", e.task().toJson())));
        } else {
          answers.add(BatchItems.refused(ErrorReplies.toReboundException(((Outcome.Failed<?>) out).error()), null));
        }
      }
      return new JsonObject().put("items", answers);
    });
  }

  /**
   * Many completions in one request, written in one statement per {@code ledger.write-batch-max},
   * each answered on its own after the commit: DONE, or its refusal (LEASE_LOST, NOT_FOUND, 400).
   */
  public Future<JsonObject> completeAll(CompleteBatch batch, Origin origin) {
    List<Outcome<CompleteRequest>> items = batch.items();
    List<Completion> valid = new ArrayList<>(items.size());
    for (Outcome<CompleteRequest> item : items) {
      if (item instanceof Outcome.Ok<CompleteRequest> ok) {
        CompleteRequest r = ok.value();
        valid.add(new Completion(r.id(), r.leaseToken(), r.resultJson(), as(r.actor(), origin)));
      }
    }
    return inChunks(valid, taskStore::complete, completions::submit).map(written -> {
      JsonArray answers = new JsonArray(new ArrayList<>(items.size()));
      List<Transition> done = new ArrayList<>();
      int next = 0;
      for (Outcome<CompleteRequest> item : items) {
        if (item instanceof Outcome.Failed<CompleteRequest> failed) {
          answers.add(BatchItems.refused(ErrorReplies.toReboundException(failed.error()), null));
          continue;
        }
        Completion c = valid.get(next);
        Outcome<Transition> out = written.get(next++);
        if (out instanceof Outcome.Ok<Transition> ok) {
          done.add(ok.value());
          answers.add(BatchItems.answered(200, completed(ok.value())));
        } else {
          answers.add(BatchItems.refused(ErrorReplies.toReboundException(((Outcome.Failed<?>) out).error()),
              c.taskId().toString()));
        }
      }
      publish(done);
      return new JsonObject().put("items", answers);
    });
  }

  /** Many lease extensions in one statement, each answered on its own: the new expiry or LEASE_LOST / NOT_FOUND. */
  public Future<JsonObject> heartbeatAll(HeartbeatBatch batch) {
    List<Outcome<HeartbeatRequest>> items = batch.items();
    List<TaskStore.HeartbeatRequestItem> valid = new ArrayList<>(items.size());
    for (Outcome<HeartbeatRequest> item : items) {
      if (item instanceof Outcome.Ok<HeartbeatRequest> ok) {
        valid.add(new TaskStore.HeartbeatRequestItem(ok.value().id(), ok.value().leaseToken(), ok.value().leaseMs()));
      }
    }
    Future<List<Outcome<TaskStore.Heartbeat>>> written = valid.isEmpty() ? Future.succeededFuture(List.of())
        : taskStore.heartbeatAll(valid);
    return written.map(outs -> {
      JsonArray answers = new JsonArray(new ArrayList<>(items.size()));
      int next = 0;
      for (Outcome<HeartbeatRequest> item : items) {
        if (item instanceof Outcome.Failed<HeartbeatRequest> failed) {
          answers.add(BatchItems.refused(ErrorReplies.toReboundException(failed.error()), null));
          continue;
        }
        TaskStore.HeartbeatRequestItem h = valid.get(next);
        Outcome<TaskStore.Heartbeat> out = outs.get(next++);
        if (out instanceof Outcome.Ok<TaskStore.Heartbeat> ok) {
          answers.add(BatchItems.answered(200, heartbeatReply(ok.value())));
        } else {
          answers.add(BatchItems.refused(ErrorReplies.toReboundException(((Outcome.Failed<?>) out).error()),
              h.id().toString()));
        }
      }
      return new JsonObject().put("items", answers);
    });
  }

  /**
   * Writes {@code inputs} with {@code write}, one statement per {@code ledger.write-batch-max} of
   * them; a statement that fails on one item's data (a data or constraint error) has its items
   * written again alone through {@code alone} (the group commit), so only that item is refused.
   */
  private <I, O> Future<List<Outcome<O>>> inChunks(List<I> inputs, Function<List<I>, Future<List<Outcome<O>>>> write,
                                                   Function<I, Future<O>> alone) {
    List<Future<List<Outcome<O>>>> chunks = new ArrayList<>();
    for (int from = 0; from < inputs.size(); from += config.writeBatchMax()) {
      List<I> chunk = inputs.subList(from, Math.min(inputs.size(), from + config.writeBatchMax()));
      metrics.batch(chunk.size());
      chunks.add(write.apply(chunk).recover(t -> {
        if (!GroupCommit.dataError(t)) {
          return Future.failedFuture(t);
        }
        List<Future<Outcome<O>>> each = new ArrayList<>(chunk.size());
        for (I input : chunk) {
          each.add(alone.apply(input).map(Outcome::ok).otherwise(Outcome::failed));
        }
        return Future.all(each).map(all -> each.stream().map(Future::result).toList());
      }));
    }
    return Future.all(chunks).map(all -> {
      List<Outcome<O>> out = new ArrayList<>(inputs.size());
      chunks.forEach(c -> out.addAll(c.result()));
      return out;
    });
  }

  /**
   * One statement for the tasks, their history rows and the wake-up notifications of the other
   * instances (one per stage and due time): no NOTIFY transaction of its own per enqueue.
   */
  private Future<List<Outcome<TaskStore.Enqueued>>> writeTasks(List<NewTask> tasks) {
    Set<String> notifications = new LinkedHashSet<>();
    for (NewTask t : tasks) {
      notifications.add(wakeups.notification(t.stage(), t.runAfter()));
    }
    return taskStore.enqueue(tasks, ClaimWakeups.CHANNEL, List.copyOf(notifications))
        .map(list -> list.stream().<Outcome<TaskStore.Enqueued>>map(Outcome::ok).toList());
  }

  private NewTask newTask(EnqueueRequest r, Origin origin) {
    int maxAttempts = r.maxAttempts() == null ? config.defaultPolicy().maxAttempts() : r.maxAttempts();
    return new NewTask(ids.next(), r.idempotencyKey(), r.workflowId(), r.stage(), r.agent(), r.type(), r.payloadJson(),
        r.priority(), maxAttempts, r.maxAttempts(), r.runAfter(clock.instant()), as(r.actor(), origin));
  }

  public Future<JsonObject> get(TaskIdRequest request) {
    return stores.queries().task(request.id()).map(TaskView::toJson);
  }

  public Future<JsonObject> history(TaskIdRequest request) {
    UUID id = request.id();
    return stores.queries().history(id).map(entries -> {
      JsonArray history = new JsonArray();
      for (TaskQueries.HistoryEntry e : entries) {
        JsonObject h = new JsonObject().put("to", e.to().name()).put("attempt", e.attempt()).put("at", e.at().toString());
        JsonOut.putIfPresent(h, "from", e.from() == null ? null : e.from().name());
        JsonOut.putIfPresent(h, "reason", e.reason());
        JsonOut.putIfPresent(h, "error", e.error());
        JsonOut.putIfPresent(h, "actor", e.actor());
        JsonOut.putIfPresent(h, "correlationId", e.correlationId());
        history.add(h);
      }
      return new JsonObject().put("taskId", id.toString()).put("history", history);
    });
  }

  public Future<JsonObject> list(ListTasksRequest q) {
    return stores.queries().list(new TaskQueries.TaskQuery(q.state() == null ? null : q.state().name(), q.stage(),
        q.workflowId(), q.agent(), q.after(), q.limit())).map(page -> {
          JsonObject out = new JsonObject().put("tasks", new JsonArray(new ArrayList<>(page.tasks().stream().map(TaskView::toJson).toList())));
          if (page.next() != null) {
            out.put("next", page.next().toString());
          }
          return out;
        });
  }

  /** A page of recorded failures, newest first; {@code next} names the {@code before} of the following page. */
  public Future<JsonObject> failures(FailuresQuery q) {
    return stores.failures().page(q.stage(), q.workflowId(), q.taskId(), q.freeStanding(), q.before(), q.limit())
        .map(page -> new JsonObject().put("failures", new JsonArray(page))
            .put("next", page.size() < q.limit() ? null : page.get(page.size() - 1).getString("failureId")));
  }

  public Future<JsonObject> failure(FailureIdRequest request) {
    return stores.failures().get(request.id()).compose(f -> f == null
        ? Future.failedFuture(ReboundException.notFound("failure", request.id())) : Future.succeededFuture(f));
  }

  public Future<JsonObject> deadLetters(DeadLetterQuery q) {
    return list(q.toTaskQuery());
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

  public Future<JsonObject> claim(ClaimRequest request, Origin origin) {
    TaskStore.ClaimSpec spec = new TaskStore.ClaimSpec(request.worker(), request.stage(), request.type(), request.limit(),
        request.leaseMs() == null ? config.defaultLeaseMs() : request.leaseMs(),
        new Origin(request.worker(), origin.correlationId()));
    if (origin.requesterGone()) {
      return Future.succeededFuture(new JsonObject().put("tasks", new JsonArray()));
    }
    ClaimWaiters.ClaimAttempt attempt = () -> taskStore.claim(spec).compose(c -> {
      publish(c.transitions());
      if (origin.requesterGone() && !c.tasks().isEmpty()) {
        // claimed for nobody: hand them back at once, the attempt undone
        return handBack(c.tasks(), spec).map(List.<JsonObject>of());
      }
      c.corruptCheckpoints().forEach((task, seqs) ->
          LOG.warn("task {} has corrupt checkpoints {}: resuming from the newest intact one", task, seqs));
      return Future.succeededFuture(c.tasks().stream().map(TaskView::toJson).toList());
    });
    Future<List<JsonObject>> tasks = attempt.get().compose(found -> found.isEmpty() && request.waitMs() > 0
        && !origin.requesterGone()
        ? waiters.await(spec.stage(), spec.type(), request.waitMs(), attempt, origin.gone())
        : Future.succeededFuture(found));
    return tasks.map(list -> {
      if (origin.gone() != null && !list.isEmpty()) {
        // the reply may still miss its requester (it left while the reply was on its way): hand back then
        origin.gone().onSuccess(v -> handBack(list.stream().map(TaskView::fromJson).toList(), spec));
      }
      return new JsonObject().put("tasks", new JsonArray(new ArrayList<>(list)));
    });
  }

  /**
   * Gives back the leases of tasks claimed for a requester that is gone: QUEUED again, the attempt
   * undone, waiters woken; a lease that moved on meanwhile (completed, rescued) is left alone.
   */
  private Future<Void> handBack(List<TaskView> claimed, TaskStore.ClaimSpec spec) {
    List<TaskStore.Lease> leases = claimed.stream().map(t -> new TaskStore.Lease(t.id(), t.leaseToken())).toList();
    return taskStore.releaseAbandoned(leases, "released: the claimer was gone before the reply", spec.origin())
        .map(c -> {
          publish(c.transitions());
          metrics.claimsAbandoned(c.tasks().size());
          Map<String, Integer> perStage = new LinkedHashMap<>();
          c.transitions().forEach(t -> perStage.merge(t.stage(), 1, Integer::sum));
          perStage.forEach((stage, n) -> wakeups.claimable(stage, null, null, n));
          if (!c.tasks().isEmpty()) {
            LOG.info("{} task(s) claimed by {} handed back: the claimer was gone before the reply", c.tasks().size(),
                spec.worker());
          }
          return (Void) null;
        })
        .onFailure(t -> LOG.warn("handing back {} task(s) of a gone claimer failed ({}): their leases will expire",
            leases.size(), t.getMessage()));
  }

  /** Saves the heartbeat's checkpoint first, if it carries one, then extends the lease. */
  public Future<JsonObject> heartbeat(HeartbeatRequest request) {
    Future<JsonObject> saved = request.checkpoint() == null ? Future.succeededFuture(null)
        : saveCheckpoint(request.checkpoint());
    return saved.compose(cp -> taskStore.heartbeat(request.id(), request.leaseToken(), request.leaseMs()).map(h -> {
      JsonObject reply = heartbeatReply(h);
      return cp == null ? reply : reply.put("checkpoint", cp);
    }));
  }

  private static JsonObject heartbeatReply(TaskStore.Heartbeat h) {
    return new JsonObject().put("id", h.taskId().toString()).put("attempt", h.attempt())
        .put("leaseExpiresAt", h.leaseExpiresAt().toString());
  }

  private static JsonObject completed(Transition t) {
    return new JsonObject().put("id", t.taskId().toString()).put("state", TaskState.DONE.name())
        .put("attempt", t.attempt());
  }

  public Future<JsonObject> complete(CompleteRequest request, Origin origin) {
    Completion c = new Completion(request.id(), request.leaseToken(), request.resultJson(), as(request.actor(), origin));
    return completions.submitAdmitted(c).map(t -> {
      publish(List.of(t));
      return completed(t);
    });
  }

  public Future<JsonObject> cancel(PersonActionRequest request, Origin origin) {
    return changed(taskStore.cancel(request.id(), request.expectedVersion(), redactedReason(request.reason()), origin));
  }

  public Future<JsonObject> block(PersonActionRequest request, Origin origin) {
    return changed(taskStore.block(request.id(), request.expectedVersion(), redactedReason(request.reason()), origin));
  }

  public Future<JsonObject> unblock(PersonActionRequest request, Origin origin) {
    return changed(taskStore.unblock(request.id(), request.expectedVersion(), redactedReason(request.reason()), origin));
  }

  /** Forces a retry now; a FAILED task is redriven. */
  public Future<JsonObject> retryNow(PersonActionRequest request, Origin origin) {
    return changed(taskStore.retryNow(request.id(), request.expectedVersion(), redactedReason(request.reason()), origin));
  }

  public Future<JsonObject> park(PersonActionRequest request, Origin origin) {
    return changed(taskStore.park(request.id(), request.expectedVersion(), redactedReason(request.reason()), origin));
  }

  public Future<JsonObject> resume(PersonActionRequest request, Origin origin) {
    return changed(taskStore.resume(request.id(), request.expectedVersion(), redactedReason(request.reason()), origin));
  }

  // ---------------------------------------------------------------- checkpoints

  /** A given checksum must match the state as received. */
  public Future<JsonObject> saveCheckpoint(CheckpointRequest request) {
    String checksum = CheckpointIntegrity.sha256Hex(request.stateJson());
    if (request.checksum() != null && !request.checksum().equalsIgnoreCase(checksum)) {
      // the client hashed other bytes than we received: refuse rather than store a checkpoint it can't verify
      return Future.failedFuture(
          ReboundException.invalidField("checksum", "does not match the SHA-256 of the state as received"));
    }
    return stores.checkpoints().save(request.id(), request.leaseToken(), request.sequence(), request.stateJson(), checksum,
            config.checkpointsKept())
        .map(saved -> new JsonObject().put("taskId", saved.taskId().toString()).put("sequence", saved.sequence())
            .put("checksum", saved.checksum()));
  }

  public Future<JsonObject> latestCheckpoint(TaskIdRequest request) {
    UUID id = request.id();
    return stores.queries().task(id).compose(t -> stores.checkpoints().latest(id)).map(sel -> {
      JsonObject out = new JsonObject().put("taskId", id.toString())
          .put("corruptSequences", new JsonArray(new ArrayList<>(sel.corruptSequences())));
      if (sel.latestValid() != null) {
        out.put("checkpoint", CheckpointStore.toJson(sel.latestValid()));
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- failures and decisions

  /** Records a failure; the reply comes after the commit. */
  public Future<JsonObject> reportFailure(FailureEvent event, Origin origin) {
    return recordFailure(event, origin, false);
  }

  /** The lease rescuer's report of an expired lease: refused (LEASE_LOST) if a heartbeat extended it meanwhile. */
  public Future<JsonObject> recordExpiredLease(FailureEvent failure) {
    return recordFailure(failure, LEASE_RESCUER, true);
  }

  /**
   * Failures that arrive while others are being written are recorded together (group commit); each
   * is answered on its own, after the commit.
   *
   * @param onlyIfLeaseExpired see {@link FailureStore.FailureReport}
   */
  private Future<JsonObject> recordFailure(FailureEvent reported, Origin origin, boolean onlyIfLeaseExpired) {
    // secrets never reach the database, the outbox or the logs: redact before anything else
    FailureEvent event = redacted(reported);
    FailureStore.FailureReport report = new FailureStore.FailureReport(event, origin, onlyIfLeaseExpired);
    // a task's failure finishes an attempt already admitted; a free-standing one is new work (see GroupCommit)
    Future<FailureStore.FailureRecorded> recorded = event.taskId() != null ? failures.submitAdmitted(report) : failures.submit(report);
    return recorded.map(rec -> {
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

  /**
   * The redacted copy also gets its failure id here, so that a report written again alone keeps it,
   * and loses any {@code task} the reporter put in: the ledger sets its own from the task row.
   */
  private FailureEvent redacted(FailureEvent f) {
    return f.toBuilder().failureId(f.failureId() != null ? f.failureId() : UUID.randomUUID()).task(null)
        .message(redactor.redact(f.message())).stackTrace(redactor.redactOrNull(f.stackTrace()))
        .errorType(redactor.redactOrNull(f.errorType())).source(redactor.redactOrNull(f.source()))
        .details(redactor.redact(f.details())).build();
  }

  /**
   * Decisions that arrive while others are being applied are applied together (group commit); each
   * keeps its own checks and is answered on its own, after the commit.
   */
  public Future<JsonObject> decide(Decision decision, Origin origin) {
    Decision d = decision.reason() == null ? decision : new Decision(decision.taskId(), decision.attempt(),
        decision.action(), decision.runAt(), redactor.redact(decision.reason()), decision.decidedBy());
    String actor = d.decidedBy() == null ? "retry-service" : d.decidedBy();
    DecisionStore.DecisionRequest request = new DecisionStore.DecisionRequest(d, new Origin(actor, origin.correlationId()));
    return decisions.submitAdmitted(request).map(decided -> {
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

  public Future<JsonObject> redrive(DeadLetterSelection selection, Origin origin) {
    String reason = redactedReason(selection.reason());
    Future<Changed> moved = selection.ids() != null
        ? taskStore.redrive(selection.ids(), reason, origin)
        : taskStore.redriveMatching(selection.filter().stage(), selection.filter().workflowId(), selection.limit(),
            reason, origin);
    return moved.map(c -> {
      publish(c.transitions());
      Map<String, Integer> perStage = new LinkedHashMap<>();
      c.transitions().forEach(t -> perStage.merge(t.stage(), 1, Integer::sum));
      perStage.forEach((stage, n) -> wakeups.claimable(stage, null, null, n));
      return new JsonObject().put("redriven", c.tasks().size())
          .put("ids", new JsonArray(c.tasks().stream().map(t -> t.id().toString()).toList()));
    });
  }

  /** Deletes dead letters for good; the purge (who, the selection, the ids deleted) stays in the audit trail. */
  public Future<JsonObject> purge(DeadLetterSelection selection, Origin origin) {
    JsonObject details = new JsonObject();
    if (selection.filter() != null) {
      details.put("filter", new JsonObject().put("stage", selection.filter().stage())
          .put("workflowId", selection.filter().workflowId())).put("limit", selection.limit());
    }
    if (selection.reason() != null) {
      details.put("reason", redactedReason(selection.reason()));
    }
    Future<List<UUID>> purged = selection.ids() != null
        ? taskStore.purge(selection.ids(), details, origin)
        : taskStore.purgeMatching(selection.filter().stage(), selection.filter().workflowId(), selection.limit(),
            details, origin);
    return purged.map(list -> new JsonObject().put("purged", list.size())
        .put("ids", new JsonArray(list.stream().map(UUID::toString).toList())));
  }

  /** The audit trail of actions that leave no task behind (purges), newest first. */
  public Future<JsonObject> audit(AuditQuery q) {
    return taskStore.audit(q.limit(), q.before()).map(records -> new JsonObject().put("records", records));
  }

  // ---------------------------------------------------------------- wake-ups and events

  /**
   * Publishes committed transitions on {@code rebound.events.tasks} (and counts them); sends the outcomes the retry
   * service counts (see {@link Addresses#RETRY_OUTCOMES}) to one of its instances.
   */
  public void publish(List<Transition> transitions) {
    metrics.transitions(transitions);
    for (Transition t : transitions) {
      DeliveryOptions options = t.correlationId() == null ? new DeliveryOptions() : Correlation.options(t.correlationId());
      JsonObject event = t.toJson();
      vertx.eventBus().publish(Addresses.EVENTS_TASKS, event, options);
      if (forRetryService(t)) {
        vertx.eventBus().send(Addresses.RETRY_OUTCOMES, event, options);
      }
    }
  }

  private static boolean forRetryService(Transition t) {
    return t.to() == TaskState.DONE || (t.to() == TaskState.QUEUED || t.to() == TaskState.RETRY)
        && (t.from() == TaskState.FAILED || t.from() == TaskState.BLOCKED || t.from() == TaskState.RETRY);
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

  /** The request's own actor (a worker or person acting through a service), or whoever sent it. */
  private static Origin as(String actor, Origin origin) {
    return actor == null ? origin : new Origin(actor, origin.correlationId());
  }

  /** People's reasons go into the audit trail: without secrets. */
  private String redactedReason(String reason) {
    return reason == null ? null : redactor.redact(reason);
  }
}
