package dev.rebound.common.client;

import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * Typed access to the ledger over the (possibly clustered) event bus: one method per {@link LedgerApi}
 * entry, sent to that entry's address and action. Every call fails with a {@link ReboundException}
 * carrying the ledger's error code.
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
  public Future<JsonObject> enqueue(JsonObject task) {
    return call(LedgerApi.ENQUEUE, task);
  }

  public Future<TaskView> get(UUID id) {
    return call(LedgerApi.GET, new JsonObject().put("id", id.toString())).map(TaskView::fromJson);
  }

  public Future<JsonArray> history(UUID id) {
    return call(LedgerApi.HISTORY, new JsonObject().put("id", id.toString())).map(r -> r.getJsonArray("history"));
  }

  /** {@code {worker, stage?, type?, limit?, leaseMs?, waitMs?}}. */
  public Future<List<TaskView>> claim(JsonObject request) {
    long wait = request.getLong("waitMs", 0L);
    return call(LedgerApi.CLAIM, request, timeoutMs + wait).map(r -> r.getJsonArray("tasks").stream()
        .map(t -> TaskView.fromJson((JsonObject) t)).toList());
  }

  public Future<JsonObject> heartbeat(UUID id, UUID leaseToken, JsonObject checkpointOrNull) {
    JsonObject body = new JsonObject().put("id", id.toString()).put("leaseToken", leaseToken.toString());
    if (checkpointOrNull != null) {
      body.put("checkpoint", checkpointOrNull);
    }
    return call(LedgerApi.HEARTBEAT, body);
  }

  public Future<JsonObject> complete(UUID id, UUID leaseToken, JsonObject result) {
    return call(LedgerApi.COMPLETE, new JsonObject().put("id", id.toString()).put("leaseToken", leaseToken.toString())
        .put("result", result));
  }

  /** Reports a failure; the reply comes after the ledger committed it. */
  public Future<JsonObject> fail(FailureEvent failure) {
    return call(LedgerApi.REPORT_FAILURE, failure.toJson());
  }

  public Future<JsonObject> cancel(UUID id, String reason) {
    return cancel(id, reason, null);
  }

  /** @param expectedVersion act only if the task is still at this version (CONFLICT otherwise); null: no check */
  public Future<JsonObject> cancel(UUID id, String reason, Long expectedVersion) {
    return call(LedgerApi.CANCEL, personal(id, reason, expectedVersion));
  }

  public Future<JsonObject> block(UUID id, String reason) {
    return block(id, reason, null);
  }

  public Future<JsonObject> block(UUID id, String reason, Long expectedVersion) {
    return call(LedgerApi.BLOCK, personal(id, reason, expectedVersion));
  }

  public Future<JsonObject> unblock(UUID id, String reason) {
    return unblock(id, reason, null);
  }

  public Future<JsonObject> unblock(UUID id, String reason, Long expectedVersion) {
    return call(LedgerApi.UNBLOCK, personal(id, reason, expectedVersion));
  }

  private static JsonObject personal(UUID id, String reason, Long expectedVersion) {
    JsonObject body = new JsonObject().put("id", id.toString()).put("reason", reason);
    if (expectedVersion != null) {
      body.put("expectedVersion", expectedVersion);
    }
    return body;
  }

  /** {@code {sequence, state, checksum?}}; the lease token must be the current one. */
  public Future<JsonObject> saveCheckpoint(UUID id, UUID leaseToken, JsonObject checkpoint) {
    return call(LedgerApi.SAVE_CHECKPOINT, checkpoint.copy().put("id", id.toString()).put("leaseToken", leaseToken.toString()));
  }

  /** {@code {state?, stage?, workflowId?, agent?, limit?, after?}}. */
  public Future<JsonObject> list(JsonObject query) {
    return call(LedgerApi.LIST, query);
  }

  public Future<JsonObject> deadLetters(JsonObject query) {
    return call(LedgerApi.DEAD_LETTERS, query);
  }

  /** {@code {ids:[…]}} or {@code {filter:{stage?, workflowId?}}}. */
  public Future<JsonObject> redrive(JsonObject request) {
    return call(LedgerApi.REDRIVE, request);
  }

  public Future<JsonObject> purge(JsonObject request) {
    return call(LedgerApi.PURGE, request);
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
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout);
    if (operation.action() != null) {
      options.addHeader(Addresses.ACTION_HEADER, operation.action());
    }
    return vertx.eventBus().<JsonObject>request(operation.address(), body, options)
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(ReboundException.from(t)));
  }
}
