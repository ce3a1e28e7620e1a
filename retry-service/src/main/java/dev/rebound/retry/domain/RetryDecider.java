package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
  // hashed for the decisions' look-ups; the few readers that need an order sort the keys
  private final Map<String, CircuitSnapshot> circuits = new HashMap<>();
  private final Map<String, BudgetSnapshot> budgets = new HashMap<>();
  private final Map<String, WorkflowWindow> workflows = new HashMap<>();
  private final DecisionMemory<RetryDecision> decided = new DecisionMemory<>(REMEMBERED);
  // reused by every decision (under the lock); a decision made from an event consumer gets its own
  private final Changes changes = new Changes();
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
    Changes c = nested ? new Changes() : changes;
    List<RetryEvent> out = nested ? new ArrayList<>() : pending;
    busy = true;
    try {
      c.load(f.workflowId());
      RetryDecision d = engine.decide(f, c, out);
      c.store();
      out.forEach(events);
      if (task != null) {
        decided.put(task, f.attempt(), d);
      }
      return d;
    } finally {
      c.clear();
      out.clear();
      busy = nested;
    }
  }

  public synchronized void onSuccess(TaskSuccess s) {
    boolean nested = busy;
    Changes c = nested ? new Changes() : changes;
    List<RetryEvent> out = nested ? new ArrayList<>() : pending;
    busy = true;
    try {
      c.load(s.workflowId());
      engine.onSuccess(s, c, out);
      c.store();
      out.forEach(events);
    } finally {
      c.clear();
      out.clear();
      busy = nested;
    }
  }

  /** Half-opens every open circuit whose time has passed (call it from a timer); returns the transitions. */
  public synchronized List<CircuitTransition> refreshCircuits() {
    List<CircuitTransition> out = new ArrayList<>();
    Instant now = engine.clock().instant();
    for (Map.Entry<String, CircuitSnapshot> e : new TreeMap<>(circuits).entrySet()) {
      CircuitBreaker.Step step = engine.breaker(CircuitName.parse(e.getKey())).refresh(e.getValue(), now);
      circuits.put(e.getKey(), step.snapshot());
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
    return new TreeMap<>(budgets).values().stream().map(b -> engine.budget(b.key()).usage(b, now)).toList();
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

  /**
   * What one decision changes, written to the maps only when it is done (as the service writes back a
   * {@link RetryState#changedSince} its load): a failed decision changes nothing. Holds the few entries
   * of one decision (its circuits, its two budgets, its workflow) in small arrays, reused.
   */
  private final class Changes implements DecisionEngine.Slots {
    private String[] circuitKeys = new String[4];
    private CircuitSnapshot[] circuitValues = new CircuitSnapshot[4];
    private int circuitCount;
    private String[] budgetKeys = new String[4];
    private BudgetSnapshot[] budgetValues = new BudgetSnapshot[4];
    private int budgetCount;
    private WorkflowWindow loadedWorkflow;
    private WorkflowWindow workflow;
    private boolean workflowWritten;

    void load(String workflowId) {
      loadedWorkflow = workflowId == null ? null : workflows.get(workflowId);
    }

    @Override
    public CircuitSnapshot circuit(String key) {
      for (int i = 0; i < circuitCount; i++) {
        if (circuitKeys[i].equals(key)) {
          return circuitValues[i];
        }
      }
      return circuits.get(key);
    }

    @Override
    public void circuit(String key, CircuitSnapshot s) {
      for (int i = 0; i < circuitCount; i++) {
        if (circuitKeys[i].equals(key)) {
          circuitValues[i] = s;
          return;
        }
      }
      if (circuitCount == circuitKeys.length) {
        circuitKeys = Arrays.copyOf(circuitKeys, circuitCount * 2);
        circuitValues = Arrays.copyOf(circuitValues, circuitCount * 2);
      }
      circuitKeys[circuitCount] = key;
      circuitValues[circuitCount++] = s;
    }

    @Override
    public BudgetSnapshot budget(String key) {
      for (int i = 0; i < budgetCount; i++) {
        if (budgetKeys[i].equals(key)) {
          return budgetValues[i];
        }
      }
      return budgets.get(key);
    }

    @Override
    public void budget(String key, BudgetSnapshot s) {
      for (int i = 0; i < budgetCount; i++) {
        if (budgetKeys[i].equals(key)) {
          budgetValues[i] = s;
          return;
        }
      }
      if (budgetCount == budgetKeys.length) {
        budgetKeys = Arrays.copyOf(budgetKeys, budgetCount * 2);
        budgetValues = Arrays.copyOf(budgetValues, budgetCount * 2);
      }
      budgetKeys[budgetCount] = key;
      budgetValues[budgetCount++] = s;
    }

    @Override
    public WorkflowWindow workflow() {
      return workflowWritten ? workflow : loadedWorkflow;
    }

    @Override
    public void workflow(WorkflowWindow w) {
      workflow = w;
      workflowWritten = true;
    }

    /** Writes what is new or has another version than what was there, as {@link RetryState#changedSince} does. */
    void store() {
      for (int i = 0; i < circuitCount; i++) {
        CircuitSnapshot old = circuits.get(circuitKeys[i]);
        if (old == null || old.version() != circuitValues[i].version()) {
          circuits.put(circuitKeys[i], circuitValues[i]);
        }
      }
      for (int i = 0; i < budgetCount; i++) {
        BudgetSnapshot old = budgets.get(budgetKeys[i]);
        if (old == null || old.version() != budgetValues[i].version()) {
          budgets.put(budgetKeys[i], budgetValues[i]);
        }
      }
      WorkflowWindow w = workflow();
      if (w != null && (loadedWorkflow == null || loadedWorkflow.version() != w.version())) {
        workflows.put(w.workflowId(), w);
      }
    }

    void clear() {
      for (int i = 0; i < circuitCount; i++) {
        circuitKeys[i] = null;
        circuitValues[i] = null;
      }
      circuitCount = 0;
      for (int i = 0; i < budgetCount; i++) {
        budgetKeys[i] = null;
        budgetValues[i] = null;
      }
      budgetCount = 0;
      loadedWorkflow = null;
      workflow = null;
      workflowWritten = false;
    }
  }
}
