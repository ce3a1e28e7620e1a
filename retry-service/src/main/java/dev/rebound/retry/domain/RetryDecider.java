package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The {@link DecisionEngine} with its state kept in this JVM: for {@code rebound run}-style single
 * instances and for tests. Decides each (task, attempt) once — a repeat gets the remembered decision and
 * counts nothing again (the last {@value #REMEMBERED} decisions are remembered; the service's decision
 * table covers the rest). All state can be {@link #snapshot() snapshotted} and {@link #restore restored}.
 * Thread-safe (one lock: a decision is microseconds).
 */
public final class RetryDecider {

  /** Decisions remembered for idempotency. */
  public static final int REMEMBERED = 100_000;

  /** Everything the decider holds, as plain records. */
  public record Snapshot(Map<String, CircuitSnapshot> circuits, Map<String, BudgetSnapshot> budgets,
      Map<String, WorkflowWindow> workflows) {
    public Snapshot {
      circuits = Map.copyOf(circuits);
      budgets = Map.copyOf(budgets);
      workflows = Map.copyOf(workflows);
    }
  }

  private final DecisionEngine engine;
  private final Consumer<RetryEvent> events;
  private final Map<String, CircuitSnapshot> circuits = new TreeMap<>();
  private final Map<String, BudgetSnapshot> budgets = new TreeMap<>();
  private final Map<String, WorkflowWindow> workflows = new HashMap<>();
  private final Map<String, RetryDecision> decided = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, RetryDecision> eldest) {
      return size() > REMEMBERED;
    }
  };

  /** @param events receives every event, in order, under the decider's lock (keep it quick) */
  public RetryDecider(DecisionEngine engine, Consumer<RetryEvent> events) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.events = Objects.requireNonNull(events, "events");
  }

  public DecisionEngine engine() {
    return engine;
  }

  /** The decision for this (task, attempt): decided now, or the one decided before. */
  public synchronized RetryDecision decide(FailureFacts f) {
    String key = f.taskId() == null ? null : f.taskId() + "#" + f.attempt();
    if (key != null && decided.containsKey(key)) {
      return decided.get(key);
    }
    RetryState before = load(f.stage(), f.agent(), f.dependency(), f.workflowId());
    Decided d = engine.decide(f, before);
    store(d.state().changedSince(before));
    d.events().forEach(events);
    if (key != null) {
      decided.put(key, d.decision());
    }
    return d.decision();
  }

  public synchronized void onSuccess(TaskSuccess s) {
    RetryState before = load(s.stage(), s.agent(), s.dependency(), s.workflowId());
    DecisionEngine.Outcome o = engine.onSuccess(s, before);
    store(o.state().changedSince(before));
    o.events().forEach(events);
  }

  /** Half-opens every open circuit whose time has passed (call it from a timer); returns the transitions. */
  public synchronized List<CircuitTransition> refreshCircuits() {
    List<CircuitTransition> out = new ArrayList<>();
    Instant now = engine.clock().instant();
    for (Map.Entry<String, CircuitSnapshot> e : circuits.entrySet()) {
      CircuitBreaker.Step step = engine.breaker(CircuitName.parse(e.getKey())).refresh(e.getValue(), now);
      e.setValue(step.snapshot());
      out.addAll(step.transitions());
    }
    out.forEach(events);
    return out;
  }

  /** Lets one probe through a half-open circuit (the ledger then releases one parked task). */
  public synchronized boolean tryProbe(CircuitName name) {
    return apply(name, (b, s, now) -> b.tryProbe(s, now)).permitted();
  }

  /** The operator actions on a circuit. */
  public enum Operation { OPEN, CLOSE, DISABLE, RESET }

  public synchronized CircuitSnapshot operate(CircuitName name, Operation op, String actor, String why) {
    return apply(name, (b, s, now) -> switch (op) {
      case OPEN -> b.forceOpen(s, now, actor, why);
      case CLOSE -> b.close(s, now, actor, why);
      case DISABLE -> b.disable(s, now, actor, why);
      case RESET -> b.reset(s, now, actor, why);
    }).snapshot();
  }

  public synchronized Optional<CircuitSnapshot> circuit(CircuitName name) {
    return Optional.ofNullable(circuits.get(name.toString()));
  }

  public synchronized List<RetryBudget.Usage> budgets() {
    Instant now = engine.clock().instant();
    return budgets.values().stream().map(b -> engine.budget(b.key()).usage(b, now)).toList();
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(circuits, budgets, workflows);
  }

  /** Replaces all state (decisions remembered for idempotency are kept). */
  public synchronized void restore(Snapshot s) {
    circuits.clear();
    circuits.putAll(s.circuits());
    budgets.clear();
    budgets.putAll(s.budgets());
    workflows.clear();
    workflows.putAll(s.workflows());
  }

  private interface CircuitRule {
    CircuitBreaker.Step apply(CircuitBreaker breaker, CircuitSnapshot s, Instant now);
  }

  private CircuitBreaker.Step apply(CircuitName name, CircuitRule rule) {
    Instant now = engine.clock().instant();
    CircuitSnapshot s = circuits.getOrDefault(name.toString(), CircuitSnapshot.closed(name.toString(), now));
    CircuitBreaker.Step step = rule.apply(engine.breaker(name), s, now);
    circuits.put(name.toString(), step.snapshot());
    step.transitions().forEach(events);
    return step;
  }

  private RetryState load(String stage, String agent, String dependency, String workflowId) {
    Map<String, CircuitSnapshot> c = new HashMap<>();
    for (CircuitName n : engine.circuitsOf(stage, agent, dependency)) {
      CircuitSnapshot s = circuits.get(n.toString());
      if (s != null) {
        c.put(n.toString(), s);
      }
    }
    Map<String, BudgetSnapshot> b = new HashMap<>();
    for (String k : engine.budgetsOf(stage)) {
      BudgetSnapshot s = budgets.get(k);
      if (s != null) {
        b.put(k, s);
      }
    }
    return new RetryState(c, b, workflowId == null ? null : workflows.get(workflowId));
  }

  private void store(RetryState changed) {
    circuits.putAll(changed.circuits());
    budgets.putAll(changed.budgets());
    if (changed.workflow() != null) {
      workflows.put(changed.workflow().workflowId(), changed.workflow());
    }
  }
}
