package dev.rebound.ledger;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The ledger's own Prometheus series, next to Vert.x's: transitions by target state, recorded
 * failures, lease rescues, parked long-poll claims, group-commit batch sizes, and tasks by state
 * ({@code rebound_ledger_tasks{state}}: the whole table, counted every {@link #TASK_COUNT_INTERVAL}; FAILED is
 * the dead-letter queue; every instance reports the same table, so dashboards take the max).
 */
public final class LedgerMetrics {
  private final Map<TaskState, Counter> transitions = new EnumMap<>(TaskState.class);
  private final Counter taskFailures;
  private final Counter freeFailures;
  private final Counter leaseRescues;
  private final Counter claimsAbandoned;
  private final DistributionSummary batchSizes;
  private final MultiGauge tasks;

  /** How often the task counts behind {@code rebound_ledger_tasks} are read (one GROUP BY over the tasks). */
  public static final Duration TASK_COUNT_INTERVAL = java.time.Duration.ofSeconds(15);

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
    claimsAbandoned = Counter.builder("rebound.ledger.claims.abandoned")
        .description("tasks handed back because their claimer was gone before the reply").register(r);
    batchSizes = DistributionSummary.builder("rebound.ledger.group.commit.batch").description("writes per statement")
        .register(r);
    Gauge.builder("rebound.ledger.claim.waiters", claimWaiters).description("long-poll claims parked").register(r);
    tasks = MultiGauge.builder("rebound.ledger.tasks").description("tasks by state, counted periodically").register(r);
  }

  /** The latest task counts by state (every state, zero included). */
  public void tasks(Map<TaskState, Long> byState) {
    tasks.register(byState.entrySet().stream()
        .map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey().name()), e.getValue())).toList(), true);
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

  public void claimsAbandoned(int tasks) {
    claimsAbandoned.increment(tasks);
  }

  public void batch(int size) {
    batchSizes.record(size);
  }
}
