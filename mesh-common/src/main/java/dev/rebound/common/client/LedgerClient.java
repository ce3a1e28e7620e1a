package dev.rebound.common.client;

import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatRequest;
import dev.rebound.common.request.ListTasksRequest;
import dev.rebound.common.request.PersonActionRequest;
import dev.rebound.common.request.TaskIdRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * Typed access to the ledger over the (possibly clustered) event bus: one request record per
 * operation. Every call fails with a {@link ReboundException} carrying the ledger's error code.
 */
public final class LedgerClient {
  private final Vertx vertx;
  private final long timeoutMs;

  public LedgerClient(Vertx vertx) {
    this(vertx, 30_000);
  }

  public LedgerClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** Enqueues a task; {@code reply.created} is false when the idempotency key already existed. */
  public Future<JsonObject> enqueue(EnqueueRequest task) {
    return call("enqueue", task.toJson());
  }

  public Future<TaskView> get(UUID id) {
    return call("get", new TaskIdRequest(id).toJson()).map(TaskView::fromJson);
  }

  public Future<JsonArray> history(UUID id) {
    return call("history", new TaskIdRequest(id).toJson()).map(r -> r.getJsonArray("history"));
  }

  /** {@code {taskId, corruptSequences, checkpoint?}}: the newest checkpoint whose checksum still matches. */
  public Future<JsonObject> latestCheckpoint(UUID id) {
    return call("checkpoint.latest", new TaskIdRequest(id).toJson());
  }

  /** Waits up to the claim's {@code waitMs} on top of this client's timeout. */
  public Future<List<TaskView>> claim(ClaimRequest request) {
    return call("claim", request.toJson(), timeoutMs + request.waitMs()).map(r -> r.getJsonArray("tasks").stream()
        .map(t -> TaskView.fromJson((JsonObject) t)).toList());
  }

  public Future<JsonObject> heartbeat(HeartbeatRequest request) {
    return call("heartbeat", request.toJson());
  }

  public Future<JsonObject> complete(CompleteRequest request) {
    return call("complete", request.toJson());
  }

  /** Reports a failure; the reply comes after the ledger committed it. */
  public Future<JsonObject> fail(FailureEvent failure) {
    return vertx.eventBus().<JsonObject>request(Addresses.FAILURES, failure.toJson(), options())
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(ReboundException.from(t)));
  }

  public Future<JsonObject> cancel(PersonActionRequest request) {
    return call("cancel", request.toJson());
  }

  public Future<JsonObject> block(PersonActionRequest request) {
    return call("block", request.toJson());
  }

  public Future<JsonObject> unblock(PersonActionRequest request) {
    return call("unblock", request.toJson());
  }

  /** The lease token must be the current one. */
  public Future<JsonObject> saveCheckpoint(CheckpointRequest request) {
    return call("checkpoint", request.toJson());
  }

  public Future<JsonObject> list(ListTasksRequest query) {
    return call("list", query.toJson());
  }

  public Future<JsonObject> deadLetters(DeadLetterQuery query) {
    return call("dlq.list", query.toJson());
  }

  public Future<JsonObject> redrive(DeadLetterSelection selection) {
    return call("dlq.redrive", selection.toJson());
  }

  public Future<JsonObject> purge(DeadLetterSelection selection) {
    return call("dlq.purge", selection.toJson());
  }

  public Future<JsonObject> stats() {
    return call("stats", new JsonObject());
  }

  public Future<JsonObject> decide(Decision decision) {
    return vertx.eventBus().<JsonObject>request(Addresses.LEDGER_DECIDE, decision.toJson(), options())
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(ReboundException.from(t)));
  }

  private Future<JsonObject> call(String action, JsonObject body) {
    return call(action, body, timeoutMs);
  }

  private Future<JsonObject> call(String action, JsonObject body, long timeout) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout).addHeader(Addresses.ACTION_HEADER, action);
    return vertx.eventBus().<JsonObject>request(Addresses.LEDGER, body, options)
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(ReboundException.from(t)));
  }

  private DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(timeoutMs);
  }
}
