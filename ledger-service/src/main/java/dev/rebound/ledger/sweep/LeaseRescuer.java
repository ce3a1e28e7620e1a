package dev.rebound.ledger.sweep;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.ledger.store.TaskStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Turns expired leases into failed attempts ("lease expired") that take the normal failure path:
 * recorded, provisionally retried or dead-lettered, sent to the analyzer. Safe with several ledger
 * instances: the failure path locks the task and checks the lease token, so one instance wins.
 */
public final class LeaseRescuer {
  /** The normal failure path, for a rescuer's report: valid only while the lease is still expired. */
  @FunctionalInterface
  public interface FailurePath {
    Future<?> recordExpired(FailureEvent failure);
  }

  private final IntFunction<Future<List<TaskStore.ExpiredLease>>> expiredLeases;
  private final FailurePath failurePath;
  private final Runnable onRescued;
  private final int batch;

  /**
   * @param expiredLeases up to n leases that expired, oldest first
   * @param onRescued     called once per rescued lease (metrics)
   */
  public LeaseRescuer(IntFunction<Future<List<TaskStore.ExpiredLease>>> expiredLeases, FailurePath failurePath,
                      Runnable onRescued, int batch) {
    this.expiredLeases = expiredLeases;
    this.failurePath = failurePath;
    this.onRescued = onRescued;
    this.batch = batch;
  }

  public Future<Integer> sweep() {
    return expiredLeases.apply(batch).compose(expired -> {
      List<Future<Boolean>> rescued = new ArrayList<>();
      for (TaskStore.ExpiredLease lease : expired) {
        FailureEvent failure = FailureEvent.builder()
            .taskId(lease.taskId())
            .attempt(lease.attempt())
            .leaseToken(lease.leaseToken())
            .source("ledger")
            .stage(lease.stage())
            .workflowId(lease.workflowId())
            .message("lease expired: worker '" + lease.owner() + "' did not complete or heartbeat before " + lease.expiredAt())
            .errorType("LeaseExpired")
            .occurredAt(lease.expiredAt())
            .build();
        rescued.add(failurePath.recordExpired(failure).map(r -> {
          onRescued.run();
          return true;
        }).recover(t -> {
          ReboundException e = ReboundException.from(t);
          if (e.code() == ErrorCode.LEASE_LOST || e.code() == ErrorCode.ILLEGAL_TRANSITION
              || e.code() == ErrorCode.NOT_FOUND) {
            return Future.succeededFuture(false);  // another instance, or the worker, got there first
          }
          return Future.failedFuture(e);
        }));
      }
      return Future.join(rescued).map(cf -> (int) rescued.stream().filter(f -> f.succeeded() && f.result()).count());
    });
  }
}
