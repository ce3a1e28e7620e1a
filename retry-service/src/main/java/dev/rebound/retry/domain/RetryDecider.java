package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Between the two the state is a working copy that the rules change in place (the circuits' windows and the
 * budgets' buckets are rings, a workflow's window is arrays), so a decision allocates little beyond its
 * {@link RetryDecision}; a snapshot builds again only the records whose version changed, and returns the
 * others as they were restored or last snapshotted. A decision that throws changes nothing: the rules change
 * the circuits and budgets only once nothing can fail, and the workflow's window is put back.
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
  // the working state, changed in place by the rules and exported as records only by snapshot(): hashed for
  // the decisions' look-ups; the few readers that need an order sort the keys
  private final Map<String, WorkingCircuit> circuits = new HashMap<>();
  private final Map<String, WorkingBudget> budgets = new HashMap<>();
  private final Map<String, WorkingWorkflow> workflows = new HashMap<>();
  private final Slots slots = new Slots();
  // the workflow window a decision in progress changed, to undo if it fails (see DecisionEngine.Slots)
  private WorkingWorkflow deciding;
  private boolean decidingCreated;
  private final DecisionMemory<RetryDecision> decided = new DecisionMemory<>(REMEMBERED);
  // reused by every decision (under the lock); a decision made from an event consumer gets its own
  private final List<RetryEvent> pending = new ArrayList<>();
  private boolean busy;

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
    String task = f.taskId();
    if (task != null) {
      RetryDecision seen = decided.get(task, f.attempt());
      if (seen != null) {
        return seen;
      }
    }
    boolean nested = busy;
    List<RetryEvent> out = nested ? new ArrayList<>() : pending;
    busy = true;
    try {
      RetryDecision d;
      deciding = null;
      try {
        d = engine.decide(f, slots, out);
      } catch (RuntimeException | Error e) {
        undo();
        throw e;
      } finally {
        deciding = null;
      }
      out.forEach(events);
      if (task != null) {
        decided.put(task, f.attempt(), d);
      }
      return d;
    } finally {
      out.clear();
      busy = nested;
    }
  }

  public synchronized void onSuccess(TaskSuccess s) {
    boolean nested = busy;
    List<RetryEvent> out = nested ? new ArrayList<>() : pending;
    busy = true;
    try {
      try {
        engine.onSuccess(s, slots, out);
      } finally {
        deciding = null;
      }
      out.forEach(events);
    } finally {
      out.clear();
      busy = nested;
    }
  }

  /** Half-opens every open circuit whose time has passed (call it from a timer); returns the transitions. */
  public synchronized List<CircuitTransition> refreshCircuits() {
    List<CircuitTransition> out = new ArrayList<>();
    Instant now = engine.clock().instant();
    for (Map.Entry<String, WorkingCircuit> e : new TreeMap<>(circuits).entrySet()) {
      engine.breaker(CircuitName.parse(e.getKey())).refresh(e.getValue(), now, out);
    }
    out.forEach(events);
    return out;
  }

  /** Lets one probe through a half-open circuit (the ledger then releases one parked task). */
  public synchronized boolean tryProbe(CircuitName name) {
    Instant now = engine.clock().instant();
    List<CircuitTransition> out = new ArrayList<>(1);
    boolean permitted = engine.breaker(name).tryProbe(slots.circuit(name.toString(), now), now, out);
    out.forEach(events);
    return permitted;
  }

  /** The operator actions on a circuit. */
  public enum Operation { OPEN, CLOSE, DISABLE, RESET }

  public synchronized CircuitSnapshot operate(CircuitName name, Operation op, String actor, String why) {
    Objects.requireNonNull(actor, "actor");
    Instant now = engine.clock().instant();
    WorkingCircuit c = slots.circuit(name.toString(), now);
    List<CircuitTransition> out = new ArrayList<>(1);
    engine.breaker(name).operate(c, op, now, actor, why, out);
    out.forEach(events);
    return c.snapshot();
  }

  public synchronized Optional<CircuitSnapshot> circuit(CircuitName name) {
    WorkingCircuit c = circuits.get(name.toString());
    return c == null ? Optional.empty() : Optional.of(c.snapshot());
  }

  public synchronized List<RetryBudget.Usage> budgets() {
    Instant now = engine.clock().instant();
    List<RetryBudget.Usage> out = new ArrayList<>(budgets.size());
    for (WorkingBudget b : new TreeMap<>(budgets).values()) {
      out.add(engine.budget(b.key).usage(b, now));
    }
    return List.copyOf(out);
  }

  /** The state as records (each built again only when it changed since the last snapshot or restore). */
  public synchronized Snapshot snapshot() {
    Map<String, CircuitSnapshot> c = new HashMap<>();
    circuits.forEach((k, v) -> c.put(k, v.snapshot()));
    Map<String, BudgetSnapshot> b = new HashMap<>();
    budgets.forEach((k, v) -> b.put(k, v.snapshot()));
    Map<String, WorkflowWindow> w = new HashMap<>();
    workflows.forEach((k, v) -> w.put(k, v.snapshot()));
    return new Snapshot(c, b, w);
  }

  /** Replaces all state (decisions remembered for idempotency are kept). */
  public synchronized void restore(Snapshot s) {
    circuits.clear();
    s.circuits().forEach((k, v) -> circuits.put(k, WorkingCircuit.of(v)));
    budgets.clear();
    s.budgets().forEach((k, v) -> budgets.put(k, WorkingBudget.of(v)));
    workflows.clear();
    s.workflows().forEach((k, v) -> workflows.put(k, WorkingWorkflow.of(v)));
  }

  /**
   * A decision failed: only its workflow's window may have changed by then (see {@link DecisionEngine.Slots}),
   * and goes back to what it was.
   */
  private void undo() {
    if (deciding == null) {
      return;
    }
    if (decidingCreated) {
      workflows.remove(deciding.workflowId);
    } else {
      deciding.undo();
    }
  }

  /** The working state as the engine's rules see it: a missing entry is created where it is asked for. */
  private final class Slots implements DecisionEngine.Slots {
    @Override
    public WorkingCircuit circuit(String key, Instant now) {
      WorkingCircuit c = circuits.get(key);
      if (c == null) {
        c = WorkingCircuit.closed(key, now);
        circuits.put(key, c);
      }
      return c;
    }

    @Override
    public WorkingBudget budget(String key) {
      WorkingBudget b = budgets.get(key);
      if (b == null) {
        b = WorkingBudget.empty(key);
        budgets.put(key, b);
      }
      return b;
    }

    @Override
    public WorkingWorkflow workflow(String workflowId) {
      WorkingWorkflow w = workflows.get(workflowId);
      boolean created = w == null;
      if (created) {
        w = WorkingWorkflow.empty(workflowId);
        workflows.put(workflowId, w);
      } else {
        w.mark();
      }
      deciding = w;
      decidingCreated = created;
      return w;
    }
  }
}
