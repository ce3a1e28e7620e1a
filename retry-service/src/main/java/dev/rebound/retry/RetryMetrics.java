package dev.rebound.retry;

import dev.rebound.common.classification.DecisionAction;
import dev.rebound.retry.domain.CircuitSnapshot;
import dev.rebound.retry.domain.CircuitTransition;
import dev.rebound.retry.domain.RetryBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The retry service's meters (Prometheus names): {@code rebound_retry_decisions_total{action,stage,degraded}},
 * {@code rebound_retry_degraded_decisions_total{stage}}, {@code rebound_retry_circuit_state{circuit}} (0 closed,
 * 1 half-open, 2 open, 3 forced open, 4 disabled, as this instance last saw it),
 * {@code rebound_retry_circuit_transitions_total{circuit,to}} and {@code rebound_retry_budget_use{budget}}
 * (retries over allowance in the window), {@code rebound_retry_tasks_healed_total{by}} (tasks that ended DONE after
 * failed attempts: {@code by="retry"} on retries alone, {@code by="person"} after an operator's action),
 * {@code rebound_retry_time_to_heal_seconds} (a histogram: first failure's decision → DONE),
 * {@code rebound_retry_tasks_dead_lettered_total} and {@code rebound_retry_healed_without_person_ratio} (of the
 * tasks that failed and ended, DONE or dead-lettered, since this instance started: the share healed by retries
 * alone). One set per registry, so a redeployed verticle keeps feeding the
 * same gauges; without a registry nothing is counted.
 */
final class RetryMetrics {
  private static final Map<MeterRegistry, RetryMetrics> BY_REGISTRY = Collections.synchronizedMap(new WeakHashMap<>());
  private static final RetryMetrics NONE = new RetryMetrics(null);

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> circuitStates = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> budgetUse = new ConcurrentHashMap<>();

  private final AtomicLong healedByRetry = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();

  private RetryMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry != null) {
      Gauge.builder("rebound.retry.healed.without.person.ratio", this, m -> m.ended.get() == 0 ? 0.0
              : (double) m.healedByRetry.get() / m.ended.get())
          .description("of the failed tasks that ended since start, the share healed by retries alone").register(registry);
    }
  }

  /** A task ended DONE after failed attempts; {@code sinceFirstFailure} is null when unknown. */
  void healed(boolean byPerson, Duration sinceFirstFailure) {
    if (registry == null) {
      return;
    }
    ended.incrementAndGet();
    if (!byPerson) {
      healedByRetry.incrementAndGet();
    }
    Counter.builder("rebound.retry.tasks.healed").description("tasks that ended DONE after failed attempts")
        .tag("by", byPerson ? "person" : "retry").register(registry).increment();
    if (sinceFirstFailure != null && !sinceFirstFailure.isNegative()) {
      Timer.builder("rebound.retry.time.to.heal").description("from a task's first failure to DONE")
          .publishPercentileHistogram().register(registry).record(sinceFirstFailure);
    }
  }

  static RetryMetrics of(MeterRegistry registry) {
    return registry == null ? NONE : BY_REGISTRY.computeIfAbsent(registry, RetryMetrics::new);
  }

  void decision(String stage, boolean degraded, DecisionAction action) {
    if (registry == null) {
      return;
    }
    Counter.builder("rebound.retry.decisions").description("decisions by action and stage")
        .tag("action", action.name()).tag("stage", stage).tag("degraded", String.valueOf(degraded))
        .register(registry).increment();
    if (action == DecisionAction.DEAD_LETTER) {
      ended.incrementAndGet();
      Counter.builder("rebound.retry.tasks.dead.lettered").description("tasks the retry service dead-lettered")
          .register(registry).increment();
    }
    if (degraded) {
      Counter.builder("rebound.retry.degraded.decisions").description("decisions made without the analyzer's verdict")
          .tag("stage", stage).register(registry).increment();
    }
  }

  void transition(CircuitTransition t) {
    if (registry == null) {
      return;
    }
    Counter.builder("rebound.retry.circuit.transitions").tag("circuit", t.name()).tag("to", t.to().name())
        .register(registry).increment();
    state(t.name()).set(RetryEvents.code(t.to()));
  }

  void circuit(CircuitSnapshot c) {
    if (registry != null) {
      state(c.name()).set(RetryEvents.code(c.state()));
    }
  }

  void budget(RetryBudget.Usage u) {
    if (registry == null) {
      return;
    }
    budgetUse.computeIfAbsent(u.key(), k -> {
      AtomicReference<Double> v = new AtomicReference<>(0.0);
      Gauge.builder("rebound.retry.budget.use", v, AtomicReference::get)
          .description("retries over the allowance of the budget's window").tag("budget", k).register(registry);
      return v;
    }).set(u.allowance() == 0 ? (u.retries() > 0 ? 1.0 : 0.0) : (double) u.retries() / u.allowance());
  }

  private AtomicInteger state(String name) {
    return circuitStates.computeIfAbsent(name, n -> {
      AtomicInteger v = new AtomicInteger();
      Gauge.builder("rebound.retry.circuit.state", v, AtomicInteger::get)
          .description("0 closed, 1 half-open, 2 open, 3 forced open, 4 disabled").tag("circuit", n).register(registry);
      return v;
    });
  }
}
