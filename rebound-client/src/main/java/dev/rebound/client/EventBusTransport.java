package dev.rebound.client;

import dev.rebound.common.Outcome;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.client.RetryClient;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The ledger (and the retry service's circuits) over the (clustered) event bus: the contract's clients as they are. */
final class EventBusTransport implements LedgerTransport {
  private final LedgerClient ledger;
  private final RetryClient retry;

  EventBusTransport(LedgerClient ledger, RetryClient retry) {
    this.ledger = ledger;
    this.retry = retry;
  }

  @Override
  public Future<JsonObject> circuits() {
    return retry.circuits();
  }

  @Override
  public Future<List<TaskView>> claim(ClaimRequest request) {
    return ledger.claim(request);
  }

  @Override
  public Future<JsonObject> heartbeat(HeartbeatRequest request) {
    return ledger.heartbeat(request);
  }

  @Override
  public Future<JsonObject> saveCheckpoint(CheckpointRequest request) {
    return ledger.saveCheckpoint(request);
  }

  @Override
  public Future<JsonObject> complete(CompleteRequest request) {
    return ledger.complete(request);
  }

  @Override
  public Future<List<Outcome<JsonObject>>> completeAll(List<CompleteRequest> requests) {
    return ledger.completeAll(requests);
  }

  @Override
  public Future<JsonObject> reportFailure(FailureEvent failure) {
    return ledger.fail(failure);
  }

  @Override
  public String toString() {
    return "event bus";
  }
}
