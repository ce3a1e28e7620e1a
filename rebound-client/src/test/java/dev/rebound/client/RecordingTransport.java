package dev.rebound.client;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A real transport that also notes what the worker sent ("claim", "complete <id>", ...). */
final class RecordingTransport implements LedgerTransport {
  final List<String> sent = new CopyOnWriteArrayList<>();
  /** How many of the next outcomes (complete, completeAll, failure) to refuse as an overloaded ledger does. */
  final AtomicInteger refuseAsOverloaded = new AtomicInteger();
  private final LedgerTransport real;

  RecordingTransport(LedgerTransport real) {
    this.real = real;
  }

  long count(String prefix) {
    return sent.stream().filter(s -> s.startsWith(prefix)).count();
  }

  boolean sentCompletionOf(UUID task) {
    return sent.contains("complete " + task);
  }

  @Override
  public Future<JsonObject> circuits() {
    sent.add("circuits");
    return real.circuits();
  }

  @Override
  public Future<List<TaskView>> claim(ClaimRequest request) {
    sent.add("claim");
    return real.claim(request);
  }

  @Override
  public Future<JsonObject> heartbeat(HeartbeatRequest request) {
    sent.add("heartbeat " + request.id());
    return real.heartbeat(request);
  }

  @Override
  public Future<JsonObject> saveCheckpoint(CheckpointRequest request) {
    sent.add("checkpoint " + request.id());
    return real.saveCheckpoint(request);
  }

  @Override
  public Future<JsonObject> complete(CompleteRequest request) {
    sent.add("complete " + request.id());
    return refusedAsOverloaded() ? overloaded() : real.complete(request);
  }

  @Override
  public Future<List<Outcome<JsonObject>>> completeAll(List<CompleteRequest> requests) {
    sent.add("completeAll " + requests.size());
    requests.forEach(r -> sent.add("complete " + r.id()));
    return refusedAsOverloaded() ? overloaded() : real.completeAll(requests);
  }

  @Override
  public Future<JsonObject> reportFailure(FailureEvent failure) {
    sent.add("failure " + failure.taskId());
    return refusedAsOverloaded() ? overloaded() : real.reportFailure(failure);
  }

  private boolean refusedAsOverloaded() {
    return refuseAsOverloaded.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  /** The ledger's answer past its bounds (nothing written), as its clients receive it. */
  private static <T> Future<T> overloaded() {
    return Future.failedFuture(new ReboundException(ErrorCode.OVERLOADED, "5000 writes are already waiting; retry shortly",
        new JsonObject().put("retryAfterSeconds", 1)));
  }
}
