package dev.rebound.retry;

import dev.rebound.common.Outcome;
import dev.rebound.common.db.GroupCommit;
import dev.rebound.common.message.FailureClassified;
import dev.rebound.retry.domain.CircuitName;
import dev.rebound.retry.domain.CircuitSnapshot;
import dev.rebound.retry.domain.CircuitTransition;
import dev.rebound.retry.domain.DecisionEngine;
import dev.rebound.retry.domain.FailureFacts;
import dev.rebound.retry.domain.RetryDecider;
import dev.rebound.retry.domain.RetryDecision;
import dev.rebound.retry.domain.RetryEvent;
import dev.rebound.retry.domain.TaskSuccess;
import dev.rebound.retry.state.SharedRetryState;
import dev.rebound.retry.store.DecisionRow;
import dev.rebound.retry.store.RetryStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Decides failures and counts successes in batches: what arrives while a batch is being written waits
 * and goes in the next one ({@link GroupCommit}: alone at low load, up to {@value #MAX_BATCH} under load).
 * One batch is one hold of the cluster-wide lock of the {@link SharedRetryState}:
 * <ol>
 *   <li>the decisions already taken among the batch's (task, attempt) pairs are read (a repeat is answered
 *       with the stored decision and counts nothing again; every decider holds the lock while it records,
 *       so this check is exact);</li>
 *   <li>the shared state of every circuit, budget and workflow the batch touches is loaded once;</li>
 *   <li>the {@link DecisionEngine}, through a {@link RetryDecider} holding that state, takes the items in
 *       arrival order, each seeing the state the previous one left;</li>
 *   <li>the decisions, the circuits that changed state, their transitions and budget episodes are committed
 *       in one transaction, then the changed shared entries are written back by compare-and-set.</li>
 * </ol>
 * A lost compare-and-set fails the batch (CONFLICT): {@link RetryOperations} runs its items again. An item
 * the engine refuses fails alone.
 */
final class DecisionBatches {
  static final int MAX_BATCH = 500;

  /** One item of a batch: a classified failure to decide, or a success to count. */
  sealed interface Item permits Failure, Success {
  }

  record Failure(FailureClassified classified, FailureFacts facts) implements Item {
    DecisionRow.Key key() {
      return new DecisionRow.Key(classified.taskId(), classified.attempt());
    }
  }

  record Success(TaskSuccess success) implements Item {
  }

  /**
   * What one item came to: for a failure its decision row (new, or the stored one when {@code duplicate}),
   * for a success none; and the events it raised.
   */
  record Result(DecisionRow row, boolean duplicate, List<RetryEvent> events) {
  }

  private final DecisionEngine engine;
  private final SharedRetryState shared;
  private final RetryStore store;
  private final Consumer<RetryDecider.Snapshot> committed;
  private final GroupCommit<Item, Result> batches;

  /** @param committed receives, after each committed batch, the state of what the batch touched */
  DecisionBatches(DecisionEngine engine, SharedRetryState shared, RetryStore store,
      Consumer<RetryDecider.Snapshot> committed) {
    this.engine = engine;
    this.shared = shared;
    this.store = store;
    this.committed = committed;
    // a batch that fails on one item's data (a constraint) is written again item by item; the shared state is
    // written back only after the commit, so nothing was counted
    this.batches = new GroupCommit<>(MAX_BATCH, 1, this::decideBatch, GroupCommit::dataError);
  }

  /** Decides (or counts) the item in the next batch; call from the verticle's context. */
  Future<Result> submit(Item item) {
    return batches.submit(item);
  }

  private Future<List<Outcome<Result>>> decideBatch(List<Item> items) {
    Set<String> circuits = new LinkedHashSet<>();
    Set<String> budgets = new LinkedHashSet<>();
    Set<String> workflows = new LinkedHashSet<>();
    List<DecisionRow.Key> keys = new ArrayList<>();
    for (Item item : items) {
      if (item instanceof Failure f) {
        engine.circuitsOf(f.facts()).forEach(n -> circuits.add(n.toString()));
        budgets.addAll(engine.budgetsOf(f.facts().stage()));
        if (f.facts().workflowId() != null) {
          workflows.add(f.facts().workflowId());
        }
        keys.add(f.key());
      } else if (item instanceof Success s) {
        TaskSuccess t = s.success();
        engine.circuitsOf(t.stage(), t.agent(), t.dependency()).forEach(n -> circuits.add(n.toString()));
        if (t.workflowId() != null) {
          workflows.add(t.workflowId());
        }
      }
    }
    return shared.locked(() -> store.decisions(keys).compose(stored ->
        shared.loadAll(circuits, budgets, workflows).compose(loaded -> {
          Batch batch = new Batch(loaded.state(), stored);
          items.forEach(batch::take);
          List<CircuitSnapshot> moved = batch.movedCircuits();
          RetryDecider.Snapshot after = batch.decider.snapshot();
          return store.recordAll(batch.newRows(), moved, batch.events)
              .compose(inserted -> shared.writeAll(loaded, after).map(v -> {
                committed.accept(after);
                return batch.outcomes(inserted);
              }));
        })));
  }

  /** The working state of one batch. */
  private final class Batch {
    final List<RetryEvent> events = new ArrayList<>();
    final RetryDecider decider;
    final Map<String, DecisionRow> stored;
    final List<Taken> taken = new ArrayList<>();
    final Map<String, DecisionRow> decidedHere = new HashMap<>();
    private List<RetryEvent> current;

    Batch(RetryDecider.Snapshot state, Map<String, DecisionRow> stored) {
      this.stored = stored;
      this.decider = new RetryDecider(engine, e -> {
        events.add(e);
        current.add(e);
      });
      decider.restore(state);
    }

    /** Takes one item: its result, or the error that fails it alone. */
    void take(Item item) {
      current = new ArrayList<>();
      try {
        if (item instanceof Failure f) {
          String key = f.key().toString();
          DecisionRow before = stored.containsKey(key) ? stored.get(key) : decidedHere.get(key);
          if (before != null) {
            taken.add(new Repeat(before));
            return;
          }
          RetryDecision d = decider.decide(f.facts());
          DecisionRow row = RetryOperations.row(f.classified(), f.facts(), d);
          decidedHere.put(key, row);
          taken.add(new Decided(row, current));
        } else if (item instanceof Success s) {
          decider.onSuccess(s.success());
          taken.add(new Decided(null, current));
        }
      } catch (RuntimeException e) {
        taken.add(new Refused(e));
      }
    }

    List<DecisionRow> newRows() {
      List<DecisionRow> rows = new ArrayList<>();
      taken.forEach(t -> {
        if (t instanceof Decided p && p.row() != null) {
          rows.add(p.row());
        }
      });
      return rows;
    }

    /** The circuits that moved state in this batch, as they are at its end (persisted for a restart). */
    List<CircuitSnapshot> movedCircuits() {
      Set<String> moved = new HashSet<>();
      events.forEach(e -> {
        if (e instanceof CircuitTransition t) {
          moved.add(t.name());
        }
      });
      List<CircuitSnapshot> out = new ArrayList<>();
      moved.forEach(name -> decider.circuit(CircuitName.parse(name)).ifPresent(out::add));
      return out;
    }

    List<Outcome<Result>> outcomes(Set<String> inserted) {
      List<Outcome<Result>> out = new ArrayList<>(taken.size());
      for (Taken t : taken) {
        if (t instanceof Refused r) {
          out.add(Outcome.failed(r.error()));
        } else if (t instanceof Repeat r) {
          out.add(Outcome.ok(new Result(r.stored(), true, List.of())));
        } else if (t instanceof Decided d) {
          // a decision the table held already (only when a decider ignored the lock) is answered as a repeat
          boolean duplicate = d.row() != null && !inserted.contains(d.row().key().toString());
          out.add(Outcome.ok(new Result(d.row(), duplicate, duplicate ? List.of() : d.events())));
        }
      }
      return out;
    }
  }

  /** An item as a batch took it, before the commit. */
  private sealed interface Taken permits Decided, Repeat, Refused {
  }

  /** Decided (a failure: its row) or counted (a success: no row) in this batch. */
  private record Decided(DecisionRow row, List<RetryEvent> events) implements Taken {
  }

  /** A (task, attempt) decided before: the stored decision. */
  private record Repeat(DecisionRow stored) implements Taken {
  }

  /** An item the engine refused: it fails alone. */
  private record Refused(RuntimeException error) implements Taken {
  }
}
