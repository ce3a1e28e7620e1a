package dev.rebound.retry.domain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared state one decision reads and writes, as plain records: the circuits of the failure
 * ({@link DecisionEngine#circuitsOf}), the budgets of its stage and the global one
 * ({@link DecisionEngine#budgetsOf}), and its workflow's window. The service loads these from shared data
 * (a missing entry is a new circuit, an empty budget, an empty window), calls the engine, and writes back
 * what {@link #changedSince} returns, each entry by compare-and-set on its {@code version}.
 *
 * @param circuits by name ({@code stage:tests})
 * @param budgets  by key ({@code stage:tests}, {@code global})
 * @param workflow the workflow's window, or null (no workflow, or not loaded)
 */
public record RetryState(Map<String, CircuitSnapshot> circuits, Map<String, BudgetSnapshot> budgets,
    WorkflowWindow workflow) {

  public static final RetryState EMPTY = new RetryState(Map.of(), Map.of(), null);

  public RetryState {
    circuits = Map.copyOf(circuits);
    budgets = Map.copyOf(budgets);
  }

  /** The entries whose version differs from {@code before}'s (new ones included): what to write back. */
  public RetryState changedSince(RetryState before) {
    Map<String, CircuitSnapshot> c = new LinkedHashMap<>();
    circuits.forEach((k, v) -> {
      CircuitSnapshot old = before.circuits.get(k);
      if (old == null || old.version() != v.version()) {
        c.put(k, v);
      }
    });
    Map<String, BudgetSnapshot> b = new LinkedHashMap<>();
    budgets.forEach((k, v) -> {
      BudgetSnapshot old = before.budgets.get(k);
      if (old == null || old.version() != v.version()) {
        b.put(k, v);
      }
    });
    WorkflowWindow w = workflow != null && (before.workflow == null || before.workflow.version() != workflow.version())
        ? workflow : null;
    return new RetryState(c, b, w);
  }
}
