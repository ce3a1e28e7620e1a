package dev.rebound.ledger;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The ledger's own Prometheus series, next to Vert.x's: transitions by target state, recorded
 * failures, lease rescues, parked long-poll claims and group-commit batch sizes.
 */
public final class LedgerMetrics {
  private final Map<TaskState, Counter> transitions = new EnumMap<>(TaskState.class);
  private final Counter taskFailures;
  private final Counter freeFailures;
  private final Counter leaseRescues;
  private final DistributionSummary batchSizes;

  public LedgerMetrics(MeterRegistry registry, Supplier<Number> claimWaiters) {
    MeterRegistry r = registry == null ? new SimpleMeterRegistry() : registry;
    for (TaskState s : TaskState.values()) {
      transitions.put(s, Counter.builder("rebound.ledger.transitions").tag("to", s.name())
          .description("task transitions by target state").register(r));
    }
    taskFailures = Counter.builder("rebound.ledger.failures.recorded").tag("kind", "task").register(r);
    freeFailures = Counter.builder("rebound.ledger.failures.recorded").tag("kind", "free").register(r);
    leaseRescues = Counter.builder("rebound.ledger.lease.rescues").description("expired leases turned into failed attempts")
        .register(r);
    batchSizes = DistributionSummary.builder("rebound.ledger.group.commit.batch").description("writes per statement")
        .register(r);
    Gauge.builder("rebound.ledger.claim.waiters", claimWaiters).description("long-poll claims parked").register(r);
  }

  public void transitions(List<Transition> ts) {
    for (Transition t : ts) {
      transitions.get(t.to()).increment();
    }
  }

  public void failureRecorded(boolean withTask) {
    (withTask ? taskFailures : freeFailures).increment();
  }

  public void leaseRescued() {
    leaseRescues.increment();
  }

  public void batch(int size) {
    batchSizes.record(size);
  }
}
