package dev.rebound.client;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.CheckpointRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.function.Supplier;

/** What a {@link TaskHandler} gets: the claimed task, where it left off, and the ways to report progress. */
public final class TaskContext {
  private final ReboundWorker worker;
  private final ReboundWorker.RunningTask running;
  private final Checkpoint claimedCheckpoint;

  TaskContext(ReboundWorker worker, ReboundWorker.RunningTask running) {
    this.worker = worker;
    this.running = running;
    this.claimedCheckpoint = Checkpoint.fromClaim(running.task.checkpoint());
  }

  /** The task as the claim returned it (id, stage, payload, attempt, lease token...). */
  public TaskView task() {
    return running.task;
  }

  /** The payload when it is a JSON object, otherwise an empty object. */
  public JsonObject payload() {
    return running.task.payload() instanceof JsonObject o ? o : new JsonObject();
  }

  public Vertx vertx() {
    return worker.vertx();
  }

  /** The newest valid checkpoint the ledger held when this attempt claimed the task: resume after it. */
  public Optional<Checkpoint> lastCheckpoint() {
    return Optional.ofNullable(claimedCheckpoint);
  }

  /**
   * Saves progress under the lease; {@code sequence} must grow. Fails with {@code LEASE_LOST} once the
   * lease is gone (then this attempt's outcome will not be sent), or when the attempt is over.
   */
  public Future<Void> checkpoint(long sequence, JsonObject state) {
    if (running.finished) {
      return Future.failedFuture(new IllegalStateException("the attempt of task " + running.task.id() + " is over"));
    }
    if (running.leaseLost) {
      return Future.failedFuture(leaseLostError());
    }
    return worker.transport().saveCheckpoint(
            CheckpointRequest.of(running.task.id(), running.task.leaseToken(), sequence, state, null))
        .onFailure(e -> running.markLeaseLostIf(e))
        .mapEmpty();
  }

  /**
   * Calls a dependency through the worker's local breaker for {@code dependency}: fails fast with a
   * {@link CircuitOpenException} while it is open. When this task then fails, its report names the
   * dependency ({@code details.dependency}).
   */
  public <T> Future<T> call(String dependency, Supplier<Future<T>> call) {
    return worker.breakers().call(dependency, call).onFailure(e -> running.failedDependency = dependency);
  }

  /** True once a heartbeat or checkpoint learned that the lease is gone: stop early, nothing will be sent. */
  public boolean leaseLost() {
    return running.leaseLost;
  }

  private ReboundException leaseLostError() {
    return new ReboundException(ErrorCode.LEASE_LOST, "the lease on task " + running.task.id() + " was lost");
  }
}
