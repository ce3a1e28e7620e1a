package dev.rebound.retry.state;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.retry.domain.BudgetSnapshot;
import dev.rebound.retry.domain.CircuitSnapshot;
import dev.rebound.retry.domain.RetryDecider;
import dev.rebound.retry.domain.RetryState;
import dev.rebound.retry.domain.WorkflowWindow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The retry state every retry-service instance shares: circuits, budgets and workflow windows in Vert.x
 * shared data ({@code sharedData().getAsyncMap}: Hazelcast-backed when clustered, local in {@code rebound
 * run}), values as JSON text ({@link StateJson}). A change runs under one cluster-wide lock ({@link #locked})
 * and is written back entry by entry with compare-and-set against the text it was loaded as (which carries
 * the entry's {@code version}): a lost race is a CONFLICT, never a silent overwrite.
 */
public final class SharedRetryState {
  public static final String CIRCUITS = "rebound.retry.circuits";
  public static final String BUDGETS = "rebound.retry.budgets";
  public static final String WORKFLOWS = "rebound.retry.workflows";
  public static final String LOCK = "rebound.retry.state";
  /** A workflow's window is forgotten a day after its last change. */
  static final long WORKFLOW_TTL_MS = Duration.ofDays(1).toMillis();

  private final Vertx vertx;
  private final long lockTimeoutMs;
  private final AsyncMap<String, String> circuits;
  private final AsyncMap<String, String> budgets;
  private final AsyncMap<String, String> workflows;

  private SharedRetryState(Vertx vertx, long lockTimeoutMs, AsyncMap<String, String> circuits,
      AsyncMap<String, String> budgets, AsyncMap<String, String> workflows) {
    this.vertx = vertx;
    this.lockTimeoutMs = lockTimeoutMs;
    this.circuits = circuits;
    this.budgets = budgets;
    this.workflows = workflows;
  }

  public static Future<SharedRetryState> open(Vertx vertx, Duration lockTimeout) {
    Future<AsyncMap<String, String>> c = vertx.sharedData().getAsyncMap(CIRCUITS);
    Future<AsyncMap<String, String>> b = vertx.sharedData().getAsyncMap(BUDGETS);
    Future<AsyncMap<String, String>> w = vertx.sharedData().getAsyncMap(WORKFLOWS);
    return Future.all(c, b, w).map(all -> new SharedRetryState(vertx, lockTimeout.toMillis(), c.result(), b.result(),
        w.result()));
  }

  /** Runs {@code work} holding the cluster-wide lock of the retry state; no lock in time is UNAVAILABLE. */
  public <T> Future<T> locked(Supplier<Future<T>> work) {
    return vertx.sharedData().getLockWithTimeout(LOCK, lockTimeoutMs)
        .recover(t -> Future.failedFuture(new ReboundException(ErrorCode.UNAVAILABLE,
            "the shared retry state is busy (no lock within " + lockTimeoutMs + " ms)")))
        .compose(lock -> {
          Future<T> done;
          try {
            done = work.get();
          } catch (RuntimeException e) {
            done = Future.failedFuture(e);
          }
          return done.andThen(ar -> lock.release());
        });
  }

  /** What one change read: the state, and each entry's text as loaded (null when absent) for the compare-and-set. */
  public record Loaded(RetryState state, Map<String, String> loadedText) {
  }

  /** What a batch read: the state of every entry it named, and each entry's text as loaded (null when absent). */
  public record LoadedAll(RetryDecider.Snapshot state, Map<String, String> loadedText) {
  }

  /** Loads the named circuits, budgets and workflow (absent entries stay absent: new ones start empty). */
  public Future<Loaded> load(Collection<String> circuitNames, Collection<String> budgetKeys, String workflowId) {
    return loadAll(circuitNames, budgetKeys, workflowId == null ? List.of() : List.of(workflowId)).map(all ->
        new Loaded(new RetryState(all.state().circuits(), all.state().budgets(),
            workflowId == null ? null : all.state().workflows().get(workflowId)), all.loadedText()));
  }

  /** Loads the named circuits, budgets and workflows (absent entries stay absent: new ones start empty). */
  public Future<LoadedAll> loadAll(Collection<String> circuitNames, Collection<String> budgetKeys,
      Collection<String> workflowIds) {
    Map<String, Future<String>> reads = new HashMap<>();
    circuitNames.forEach(n -> reads.put(circuitKey(n), circuits.get(n)));
    budgetKeys.forEach(k -> reads.put(budgetKey(k), budgets.get(k)));
    workflowIds.forEach(w -> reads.put(workflowKey(w), workflows.get(w)));
    return Future.all(new ArrayList<>(reads.values())).map(all -> {
      Map<String, String> text = new HashMap<>();
      Map<String, CircuitSnapshot> c = new HashMap<>();
      Map<String, BudgetSnapshot> b = new HashMap<>();
      Map<String, WorkflowWindow> w = new HashMap<>();
      for (Map.Entry<String, Future<String>> e : reads.entrySet()) {
        String value = e.getValue().result();
        text.put(e.getKey(), value);
        if (value == null) {
          continue;
        }
        String id = e.getKey().substring(2);
        switch (e.getKey().charAt(0)) {
          case 'c' -> c.put(id, StateJson.circuit(new JsonObject(value)));
          case 'b' -> b.put(id, StateJson.budget(new JsonObject(value)));
          default -> w.put(id, StateJson.workflow(new JsonObject(value)));
        }
      }
      return new LoadedAll(new RetryDecider.Snapshot(c, b, w), text);
    });
  }

  /** Writes back every entry of {@code after} that differs from what {@code before} loaded, by compare-and-set. */
  public Future<Void> writeAll(LoadedAll before, RetryDecider.Snapshot after) {
    Map<String, CircuitSnapshot> c = new HashMap<>();
    after.circuits().forEach((k, v) -> {
      if (!v.equals(before.state().circuits().get(k))) {
        c.put(k, v);
      }
    });
    Map<String, BudgetSnapshot> b = new HashMap<>();
    after.budgets().forEach((k, v) -> {
      if (!v.equals(before.state().budgets().get(k))) {
        b.put(k, v);
      }
    });
    List<WorkflowWindow> w = new ArrayList<>();
    after.workflows().forEach((k, v) -> {
      if (!v.equals(before.state().workflows().get(k))) {
        w.add(v);
      }
    });
    return write(before.loadedText(), c, b, w);
  }

  /** Writes back {@code changed} (see {@link RetryState#changedSince}) by compare-and-set against {@code before}. */
  public Future<Void> write(Loaded before, RetryState changed) {
    return write(before.loadedText(), changed.circuits(), changed.budgets(),
        changed.workflow() == null ? List.of() : List.of(changed.workflow()));
  }

  private Future<Void> write(Map<String, String> loadedText, Map<String, CircuitSnapshot> changedCircuits,
      Map<String, BudgetSnapshot> changedBudgets, List<WorkflowWindow> changedWorkflows) {
    List<Future<Boolean>> writes = new ArrayList<>();
    changedCircuits.forEach((name, s) -> writes.add(cas(circuits, name,
        loadedText.get(circuitKey(name)), StateJson.circuit(s).encode(), 0)));
    changedBudgets.forEach((key, s) -> writes.add(cas(budgets, key,
        loadedText.get(budgetKey(key)), StateJson.budget(s).encode(), 0)));
    for (WorkflowWindow w : changedWorkflows) {
      writes.add(cas(workflows, w.workflowId(), loadedText.get(workflowKey(w.workflowId())),
          StateJson.workflow(w).encode(), WORKFLOW_TTL_MS));
    }
    return Future.all(writes).compose(all -> {
      for (Future<Boolean> f : writes) {
        if (!f.result()) {
          return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT,
              "the shared retry state changed while it was being updated; try again"));
        }
      }
      return Future.succeededFuture();
    });
  }

  private static Future<Boolean> cas(AsyncMap<String, String> map, String key, String expected, String next, long ttl) {
    if (expected == null) {
      return (ttl > 0 ? map.putIfAbsent(key, next, ttl) : map.putIfAbsent(key, next)).map(previous -> previous == null);
    }
    if (ttl > 0) {
      // Hazelcast's AsyncMap has no replaceIfPresent with a TTL (UnsupportedOperationException); every writer
      // holds the lock of #locked, so compare, then put with the TTL, is still a compare-and-set
      return map.get(key).compose(current -> expected.equals(current)
          ? map.put(key, next, ttl).map(true) : Future.succeededFuture(false));
    }
    return map.replaceIfPresent(key, expected, next);
  }

  /** One circuit with the text it was loaded as, for a compare-and-set by {@link #write}. */
  public Future<Optional<CircuitSnapshot>> circuit(String name) {
    return circuits.get(name).map(v -> Optional.ofNullable(v).map(t -> StateJson.circuit(new JsonObject(t))));
  }

  public Future<List<CircuitSnapshot>> circuits() {
    return circuits.values().map(values -> values.stream().map(v -> StateJson.circuit(new JsonObject(v)))
        .sorted((a, b) -> a.name().compareTo(b.name())).toList());
  }

  public Future<List<BudgetSnapshot>> budgets() {
    return budgets.values().map(values -> values.stream().map(v -> StateJson.budget(new JsonObject(v)))
        .sorted((a, b) -> a.key().compareTo(b.key())).toList());
  }

  /** Puts persisted circuits the shared map does not hold yet (a restart of the whole cluster); returns how many. */
  public Future<Integer> restore(List<CircuitSnapshot> persisted) {
    List<Future<Boolean>> puts = new ArrayList<>();
    persisted.forEach(c -> puts.add(circuits.putIfAbsent(c.name(), StateJson.circuit(c).encode()).map(p -> p == null)));
    return Future.all(puts).map(all -> (int) puts.stream().filter(Future::result).count());
  }

  private static String circuitKey(String name) {
    return "c:" + name;
  }

  private static String budgetKey(String key) {
    return "b:" + key;
  }

  private static String workflowKey(String id) {
    return "w:" + id;
  }
}
