package dev.rebound.common.client;

import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.BatchItems;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.CompleteBatch;
import dev.rebound.common.request.EnqueueBatch;
import dev.rebound.common.request.HeartbeatBatch;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatRequest;
import dev.rebound.common.request.ListTasksRequest;
import dev.rebound.common.request.PersonActionRequest;
import dev.rebound.common.request.StageActionRequest;
import dev.rebound.common.request.StagesQuery;
import dev.rebound.common.request.TaskIdRequest;
import dev.rebound.common.request.FailureIdRequest;
import dev.rebound.common.request.FailuresQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * Typed access to the ledger over the (possibly clustered) event bus: one method per {@link LedgerApi}
 * entry, taking that operation's request record and sent to the entry's address and action. Every
 * call fails with a {@link ReboundException} carrying the ledger's error code.
 */
public final class LedgerClient {
  private final Vertx vertx;
  private final long timeoutMs;
  private final String actor;

  public LedgerClient(Vertx vertx) {
    this(vertx, 30_000);
  }

  public LedgerClient(Vertx vertx, long timeoutMs) {
    this(vertx, timeoutMs, null);
  }

  private LedgerClient(Vertx vertx, long timeoutMs, String actor) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.actor = actor;
  }

  /** This client acting for {@code actor}: the ledger records it in the history of the tasks it changes. */
  public LedgerClient as(String actor) {
    return new LedgerClient(vertx, timeoutMs, actor);
  }

  /** Enqueues a task; {@code reply.created} is false when the idempotency key already existed. */
  public Future<JsonObject> enqueue(EnqueueRequest task) {
    return call(LedgerApi.ENQUEUE, task.toJson());
  }

  /**
   * Enqueues many tasks in one request, answered after their commit: per task, in order, the reply
   * {@link #enqueue} would give plus its {@code status} (201 new, 200 known idempotency key), or the
   * error that refused that task alone.
   */
  public Future<List<Outcome<JsonObject>>> enqueueAll(List<EnqueueRequest> tasks) {
    return call(LedgerApi.ENQUEUE_ALL, EnqueueBatch.of(tasks).toJson()).map(BatchItems::outcomes);
  }

  public Future<TaskView> get(UUID id) {
    return call(LedgerApi.GET, new TaskIdRequest(id).toJson()).map(TaskView::fromJson);
  }

  public Future<JsonArray> history(UUID id) {
    return call(LedgerApi.HISTORY, new TaskIdRequest(id).toJson()).map(r -> r.getJsonArray("history"));
  }

  /** {@code {taskId, corruptSequences, checkpoint?}}: the newest checkpoint whose checksum still matches. */
  public Future<JsonObject> latestCheckpoint(UUID id) {
    return call(LedgerApi.LATEST_CHECKPOINT, new TaskIdRequest(id).toJson());
  }

  /** Waits up to the claim's {@code waitMs} on top of this client's timeout. */
  public Future<List<TaskView>> claim(ClaimRequest request) {
    return call(LedgerApi.CLAIM, request.toJson(), timeoutMs + request.waitMs()).map(r -> r.getJsonArray("tasks").stream()
        .map(t -> TaskView.fromJson((JsonObject) t)).toList());
  }

  public Future<JsonObject> heartbeat(HeartbeatRequest request) {
    return call(LedgerApi.HEARTBEAT, request.toJson());
  }

  public Future<JsonObject> complete(CompleteRequest request) {
    return call(LedgerApi.COMPLETE, request.toJson());
  }

  /**
   * Completes many leases in one request, answered after the commit: per completion, in order,
   * {@code {id, state: DONE, attempt, status}} or the error that refused it alone (LEASE_LOST…).
   */
  public Future<List<Outcome<JsonObject>>> completeAll(List<CompleteRequest> completions) {
    return call(LedgerApi.COMPLETE_ALL, CompleteBatch.of(completions).toJson()).map(BatchItems::outcomes);
  }

  /** Extends many leases in one request: per heartbeat, in order, its answer or its own refusal. */
  public Future<List<Outcome<JsonObject>>> heartbeatAll(List<HeartbeatRequest> heartbeats) {
    return call(LedgerApi.HEARTBEAT_ALL, HeartbeatBatch.of(heartbeats).toJson()).map(BatchItems::outcomes);
  }

  /** Reports a failure; the reply comes after the ledger committed it. */
  public Future<JsonObject> fail(FailureEvent failure) {
    return call(LedgerApi.REPORT_FAILURE, failure.toJson());
  }

  public Future<JsonObject> cancel(PersonActionRequest request) {
    return call(LedgerApi.CANCEL, request.toJson());
  }

  public Future<JsonObject> block(PersonActionRequest request) {
    return call(LedgerApi.BLOCK, request.toJson());
  }

  public Future<JsonObject> unblock(PersonActionRequest request) {
    return call(LedgerApi.UNBLOCK, request.toJson());
  }

  /** Forces a retry now (RETRY or BLOCKED → QUEUED); a FAILED task is redriven. */
  public Future<JsonObject> retryNow(PersonActionRequest request) {
    return call(LedgerApi.RETRY_NOW, request.toJson());
  }

  public Future<JsonObject> park(PersonActionRequest request) {
    return call(LedgerApi.PARK, request.toJson());
  }

  public Future<JsonObject> resume(PersonActionRequest request) {
    return call(LedgerApi.RESUME, request.toJson());
  }

  /** {@code {stages:[{stage, state, reason, pausedBy, since, ...}]}}. */
  public Future<JsonObject> stages() {
    return call(LedgerApi.STAGES, new StagesQuery().toJson());
  }

  public Future<JsonObject> pauseStage(StageActionRequest request) {
    return call(LedgerApi.PAUSE_STAGE, request.toJson());
  }

  public Future<JsonObject> resumeStage(StageActionRequest request) {
    return call(LedgerApi.RESUME_STAGE, request.toJson());
  }

  /** The lease token must be the current one. */
  public Future<JsonObject> saveCheckpoint(CheckpointRequest request) {
    return call(LedgerApi.SAVE_CHECKPOINT, request.toJson());
  }

  public Future<JsonObject> list(ListTasksRequest query) {
    return call(LedgerApi.LIST, query.toJson());
  }

  /** A page of recorded failures, newest first ({@code failures}, and {@code next} for the following page). */
  public Future<JsonObject> failures(FailuresQuery query) {
    return call(LedgerApi.FAILURES, query.toJson());
  }

  /** One recorded failure, with its stack trace and details. */
  public Future<JsonObject> failure(UUID id) {
    return call(LedgerApi.FAILURE, new FailureIdRequest(id).toJson());
  }

  public Future<JsonObject> deadLetters(DeadLetterQuery query) {
    return call(LedgerApi.DEAD_LETTERS, query.toJson());
  }

  public Future<JsonObject> redrive(DeadLetterSelection selection) {
    return call(LedgerApi.REDRIVE, selection.toJson());
  }

  public Future<JsonObject> purge(DeadLetterSelection selection) {
    return call(LedgerApi.PURGE, selection.toJson());
  }

  public Future<JsonObject> stats() {
    return call(LedgerApi.STATS, new JsonObject());
  }

  public Future<JsonObject> decide(Decision decision) {
    return call(LedgerApi.DECIDE, decision.toJson());
  }

  private Future<JsonObject> call(LedgerApi operation, JsonObject body) {
    return call(operation, body, timeoutMs);
  }

  private Future<JsonObject> call(LedgerApi operation, JsonObject body, long timeout) {
    return BusCall.request(vertx, operation, body, timeout, actor);
  }
}
