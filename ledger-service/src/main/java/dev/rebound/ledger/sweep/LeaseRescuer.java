package dev.rebound.ledger.sweep;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.ledger.LedgerOperations;
import dev.rebound.ledger.store.LedgerStore;
import dev.rebound.common.service.Origin;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns expired leases into failed attempts ("lease expired") that take the normal failure path:
 * recorded, provisionally retried or dead-lettered, sent to the analyzer. Safe with several ledger
 * instances: the failure path locks the task and checks the lease token, so one instance wins.
 */
public final class LeaseRescuer {
  private static final Origin RESCUER = new Origin("ledger:lease-rescuer", null);
  private final LedgerOperations operations;
  private final int batch;

  public LeaseRescuer(LedgerOperations operations, int batch) {
    this.operations = operations;
    this.batch = batch;
  }

  public Future<Integer> sweep() {
    return operations.store().expiredLeases(batch).compose(expired -> {
      List<Future<Boolean>> rescued = new ArrayList<>();
      for (LedgerStore.ExpiredLease lease : expired) {
        FailureEvent failure = new FailureEvent(null, lease.taskId(), lease.attempt(), lease.leaseToken(), "ledger",
            lease.stage(), lease.workflowId(),
            "lease expired: worker '" + lease.owner() + "' did not complete or heartbeat before " + lease.expiredAt(),
            "LeaseExpired", null, null, null, null, null, lease.expiredAt());
        rescued.add(operations.recordFailure(failure, RESCUER, true).map(r -> {
          operations.metrics().leaseRescued();
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
