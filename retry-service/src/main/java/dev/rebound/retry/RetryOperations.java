package dev.rebound.retry;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.FailureClassified;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import dev.rebound.common.policy.PolicyException;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.policy.StagePolicies;
import dev.rebound.common.request.CircuitAction;
import dev.rebound.common.request.CircuitQuery;
import dev.rebound.common.request.ListQuery;
import dev.rebound.common.request.PolicyQuery;
import dev.rebound.common.request.PolicyValidation;
import dev.rebound.common.request.ScheduleQuery;
import dev.rebound.common.service.Origin;
import dev.rebound.retry.domain.CircuitBreaker;
import dev.rebound.retry.domain.CircuitName;
import dev.rebound.retry.domain.CircuitSnapshot;
import dev.rebound.retry.domain.CircuitTransition;
import dev.rebound.retry.domain.Decided;
import dev.rebound.retry.domain.DecisionEngine;
import dev.rebound.retry.domain.FailureFacts;
import dev.rebound.retry.domain.RetryDecider;
import dev.rebound.retry.domain.RetryEvent;
import dev.rebound.retry.domain.RetryState;
import dev.rebound.retry.domain.TaskSuccess;
import dev.rebound.retry.state.SharedRetryState;
import dev.rebound.retry.store.DecisionRow;
import dev.rebound.retry.store.RetryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry service's operations, shared by the event bus and HTTP: validation of untrusted input, the
 * {@link DecisionEngine} over the cluster-wide {@link SharedRetryState}, the {@link RetryStore}, and what
 * follows a commit (the decision to the ledger, events and alerts, metrics).
 *
 * <p>A classified failure is decided once per (task, attempt): under the shared state's lock the engine
 * decides, the decision (unique per (task, attempt)) and the circuits that changed state are committed,
 * then the shared state is written back. A repeat answers the stored decision (and sends it to the ledger
 * again, which ignores a duplicate), counting nothing twice.
 */
final class RetryOperations {
  private static final int CONFLICT_ATTEMPTS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(RetryOperations.class);
  private static final int TRANSITIONS_SHOWN = 10;

  private final DecisionEngine engine;
  private final SharedRetryState shared;
  private final RetryStore store;
  private final LedgerClient ledger;
  private final RetryEvents events;
  private final RetryMetrics metrics;

  RetryOperations(DecisionEngine engine, SharedRetryState shared, RetryStore store, LedgerClient ledger,
      RetryEvents events, RetryMetrics metrics) {
    this.engine = engine;
    this.shared = shared;
    this.store = store;
    this.ledger = ledger;
    this.events = events;
    this.metrics = metrics;
  }

  // ------------------------------------------------------------------ decisions

  /** A {@code FailureClassified} from the analyzer (its verdict may be missing: degraded). */
  Future<JsonObject> classified(JsonObject body, Origin origin) {
    FailureClassified c = FailureClassified.fromJson(body);
    if (c.taskId() == null) {
      return Future.succeededFuture(new JsonObject().put("failureId", c.failureId().toString()).put("decided", false)
          .put("reason", "not a task's failure: there is nothing to retry"));
    }
    if (c.attempt() == null || c.attempt() < 1) {
      throw ReboundException.invalidField("attempt", "is required for a task's failure and must be at least 1");
    }
    return store.decision(c.taskId(), c.attempt()).compose(found -> {
      if (found.isPresent()) {
        return applied(found.get(), true);
      }
      return ledger.get(c.taskId())
          .recover(t -> Future.failedFuture(ReboundException.from(t).code() == ErrorCode.NOT_FOUND
              ? ReboundException.notFound("task", c.taskId()) : ReboundException.from(t)))
          .compose(task -> decide(c, facts(c, task)));
    });
  }

  private static FailureFacts facts(FailureClassified c, TaskView task) {
    try {
      return FailureFactsMapper.map(c, task);
    } catch (IllegalArgumentException e) {
      throw ReboundException.badRequest("cannot decide about task " + c.taskId() + " attempt " + c.attempt() + ": "
          + e.getMessage());
    }
  }

  /** What one decision produced: the row (new or found), its events and the facts behind it. */
  private record Outcome(DecisionRow row, List<RetryEvent> events, FailureFacts facts, RetryState state,
                         boolean duplicate) {
  }

  private Future<JsonObject> decide(FailureClassified c, FailureFacts f) {
    List<String> circuits = engine.circuitsOf(f).stream().map(CircuitName::toString).toList();
    List<String> budgets = engine.budgetsOf(f.stage());
    // no separate look-up of the decision table first: recording is the check (a repeat inserts nothing,
    // commits no circuit change and writes no shared state), which saves a round trip per decision
    return againOnConflict(() -> shared.locked(() -> shared.load(circuits, budgets, f.workflowId()).compose(loaded -> {
      Decided d = engine.decide(f, loaded.state());
      RetryState changed = d.state().changedSince(loaded.state());
      DecisionRow row = row(c, f, d);
      return store.record(row, transitioned(changed, d.events()), d.events()).compose(recorded -> recorded
          ? shared.write(loaded, changed).map(v -> new Outcome(row, d.events(), f, d.state(), false))
          : store.decision(c.taskId(), c.attempt()).map(existing -> new Outcome(existing.orElseThrow(), List.of(),
              f, null, true)));
    }))).compose(o -> {
      if (!o.duplicate()) {
        metrics.decision(f.stage(), o.row().degraded(), o.row().action());
        observe(o.state());
        events.emit(o.events(), o.facts());
      }
      return applied(o.row(), o.duplicate());
    });
  }

  private static DecisionRow row(FailureClassified c, FailureFacts f, Decided d) {
    var r = d.decision();
    return new DecisionRow(c.taskId(), c.attempt(), f.stage(), r.action(), r.runAt(),
        r.delay() == null ? null : r.delay().toMillis(), r.cause().name(), r.degraded(), r.free(), r.blockedBy(),
        r.reason(), c.failureId(), r.decidedAt());
  }

  /** The decision sent to the ledger (again, for a repeat: the ledger applies each attempt's decision once). */
  private Future<JsonObject> applied(DecisionRow row, boolean duplicate) {
    JsonObject reply = decisionJson(row).put("duplicate", duplicate);
    return ledger.decide(row.toDecision())
        .map(ledgerReply -> reply.put("ledger", ledgerReply))
        .recover(t -> {
          // the ledger re-sends an undecided failure later; the stored decision answers it then
          LOG.warn("decision for task {} attempt {} not delivered to the ledger: {}", row.taskId(), row.attempt(),
              ReboundException.from(t).getMessage());
          return Future.succeededFuture(reply.put("ledger", ReboundException.from(t).toJson()));
        });
  }

  static JsonObject decisionJson(DecisionRow row) {
    JsonObject o = new JsonObject().put("taskId", row.taskId().toString()).put("attempt", row.attempt())
        .put("stage", row.stage()).put("action", row.action().name()).put("cause", row.cause())
        .put("degraded", row.degraded()).put("free", row.free()).put("reason", row.reason())
        .put("decidedAt", row.decidedAt().toString());
    if (row.runAt() != null) {
      o.put("runAt", row.runAt().toString()).put("delayMs", row.delayMs());
    }
    return row.blockedBy() == null ? o : o.put("blockedBy", row.blockedBy());
  }

  /** The circuits of {@code changed} that moved state (persisted so a restart restores them). */
  private static List<CircuitSnapshot> transitioned(RetryState changed, List<? extends RetryEvent> events) {
    Set<String> moved = events.stream().filter(e -> e instanceof CircuitTransition)
        .map(e -> ((CircuitTransition) e).name()).collect(Collectors.toSet());
    return changed.circuits().values().stream().filter(c -> moved.contains(c.name())).toList();
  }

  private void observe(RetryState state) {
    if (state == null) {
      return;
    }
    Instant now = engine.clock().instant();
    state.circuits().values().forEach(metrics::circuit);
    state.budgets().forEach((key, b) -> metrics.budget(engine.budget(key).usage(b, now)));
  }

  // ------------------------------------------------------------------ successes and the sweep

  /**
   * Runs {@code work} again when the shared state's compare-and-set lost a race (CONFLICT): it reloads
   * the state and decides on what is there now. Bounded, so a persistent conflict still fails loudly
   * (and the ledger's outbox re-sends the failure later).
   */
  private static <T> Future<T> againOnConflict(Supplier<Future<T>> work) {
    return againOnConflict(work, CONFLICT_ATTEMPTS);
  }

  private static <T> Future<T> againOnConflict(Supplier<Future<T>> work, int attempts) {
    return work.get().recover(t -> attempts > 1 && t instanceof ReboundException e && e.code() == ErrorCode.CONFLICT
        ? againOnConflict(work, attempts - 1) : Future.failedFuture(t));
  }

  /** A task finished: its stage's circuit counts a success (closing a half-open one), its workflow's window too. */
  Future<Integer> onTaskEvent(JsonObject event) {
    Transition t;
    try {
      t = Transition.fromJson(event);
    } catch (RuntimeException e) {
      return Future.succeededFuture(0);
    }
    if (t.to() != TaskState.DONE || t.stage() == null) {
      return Future.succeededFuture(0);
    }
    TaskSuccess s = new TaskSuccess(t.taskId().toString(), Math.max(1, t.attempt()), t.stage(), null, t.workflowId(),
        null);
    List<String> circuits = engine.circuitsOf(s.stage(), null, null).stream().map(CircuitName::toString).toList();
    return againOnConflict(() -> shared.locked(() -> shared.load(circuits, List.of(), s.workflowId()).compose(loaded -> {
      DecisionEngine.Outcome o = engine.onSuccess(s, loaded.state());
      RetryState changed = o.state().changedSince(loaded.state());
      return store.saveCircuits(transitioned(changed, o.events()), o.events())
          .compose(v -> shared.write(loaded, changed)).map(v -> o);
    }))).map(o -> {
      observe(o.state());
      events.emit(o.events(), null);
      return o.events().size();
    });
  }

  /** Half-opens the open circuits whose time has passed; returns how many moved. */
  Future<Integer> refreshCircuits() {
    return shared.circuits().compose(all -> {
      Instant now = engine.clock().instant();
      List<String> due = all.stream().filter(c -> c.openUntil() != null && !now.isBefore(c.openUntil()))
          .map(CircuitSnapshot::name).toList();
      if (due.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return shared.locked(() -> shared.load(due, List.of(), null).compose(loaded -> {
        Map<String, CircuitSnapshot> after = new HashMap<>(loaded.state().circuits());
        List<CircuitTransition> moved = new ArrayList<>();
        loaded.state().circuits().forEach((name, c) -> {
          CircuitBreaker.Step step = engine.breaker(CircuitName.parse(name)).refresh(c, engine.clock().instant());
          after.put(name, step.snapshot());
          moved.addAll(step.transitions());
        });
        RetryState changed = new RetryState(after, Map.of(), null).changedSince(loaded.state());
        return store.saveCircuits(List.copyOf(changed.circuits().values()), moved)
            .compose(v -> shared.write(loaded, changed)).map(v -> moved);
      })).map(moved -> {
        events.emit(moved, null);
        return moved.size();
      });
    });
  }

  // ------------------------------------------------------------------ circuits

  Future<JsonObject> circuits(ListQuery q, Origin origin) {
    return shared.circuits().map(all -> {
      JsonArray out = new JsonArray();
      all.forEach(c -> out.add(circuitJson(c)));
      return new JsonObject().put("circuits", out);
    });
  }

  /** A circuit that never saw a failure is CLOSED. */
  Future<JsonObject> circuit(CircuitQuery q, Origin origin) {
    CircuitName name = circuitName(q.name());
    return shared.circuit(name.toString()).compose(found -> {
      CircuitSnapshot c = found.orElse(CircuitSnapshot.closed(name.toString(), engine.clock().instant()));
      return store.transitions(name.toString(), TRANSITIONS_SHOWN)
          .map(history -> circuitJson(c).put("transitions", new JsonArray(history)));
    });
  }

  Future<JsonObject> operate(CircuitAction a, Origin origin, RetryDecider.Operation op) {
    CircuitName name = circuitName(a.name());
    String actor = a.actor() != null && !a.actor().isBlank() ? a.actor() : origin.actor();
    return shared.locked(() -> shared.load(List.of(name.toString()), List.of(), null).compose(loaded -> {
      Instant now = engine.clock().instant();
      CircuitSnapshot s = loaded.state().circuits().getOrDefault(name.toString(), CircuitSnapshot.closed(name.toString(), now));
      CircuitBreaker b = engine.breaker(name);
      CircuitBreaker.Step step = switch (op) {
        case OPEN -> b.forceOpen(s, now, actor, a.reason());
        case CLOSE -> b.close(s, now, actor, a.reason());
        case DISABLE -> b.disable(s, now, actor, a.reason());
        case RESET -> b.reset(s, now, actor, a.reason());
      };
      RetryState changed = new RetryState(Map.of(name.toString(), step.snapshot()), Map.of(), null)
          .changedSince(loaded.state());
      return store.saveCircuits(List.of(step.snapshot()), step.transitions())
          .compose(v -> shared.write(loaded, changed)).map(v -> step);
    })).map(step -> {
      metrics.circuit(step.snapshot());
      events.emit(step.transitions(), null);
      LOG.info("circuit {} {} by {}: now {}", name, op.name().toLowerCase(), actor, step.snapshot().state());
      return circuitJson(step.snapshot()).put("actor", actor);
    });
  }

  private static CircuitName circuitName(String text) {
    try {
      return CircuitName.parse(text);
    } catch (IllegalArgumentException e) {
      throw ReboundException.invalidField("name", "is not a circuit name: " + e.getMessage());
    }
  }

  static JsonObject circuitJson(CircuitSnapshot c) {
    JsonObject o = new JsonObject().put("name", c.name()).put("state", c.state().name())
        .put("since", c.since().toString());
    if (c.openUntil() != null) {
      o.put("openUntil", c.openUntil().toString());
    }
    return o.put("reason", c.reason()).put("consecutiveFailures", c.consecutiveFailures())
        .put("calls", c.window().calls()).put("failureRate", c.window().failureRate()).put("opens", c.opens())
        .put("version", c.version());
  }

  // ------------------------------------------------------------------ budgets

  Future<JsonObject> budgets(ListQuery q, Origin origin) {
    return shared.budgets().map(all -> {
      Instant now = engine.clock().instant();
      JsonArray out = new JsonArray();
      all.forEach(b -> {
        var u = engine.budget(b.key()).usage(b, now);
        metrics.budget(u);
        out.add(new JsonObject().put("key", u.key()).put("firstAttempts", u.firstAttempts()).put("retries", u.retries())
            .put("allowance", u.allowance()).put("permitted", u.permitted()).put("exhausted", u.exhausted())
            .put("window", engine.budget(b.key()).config().toMap().get("window")));
      });
      return new JsonObject().put("budgets", out);
    });
  }

  // ------------------------------------------------------------------ policies

  Future<JsonObject> policies(ListQuery q, Origin origin) {
    StagePolicies p = engine.rules().policies();
    JsonArray out = new JsonArray();
    p.named().keySet().stream().sorted().forEach(stage -> out.add(p.named().get(stage).toJson().put("stage", stage)));
    return Future.succeededFuture(new JsonObject().put("timeScale", engine.rules().timeScale()).put("policies", out)
        .put("fallback", p.fallback().toJson()));
  }

  Future<JsonObject> policy(PolicyQuery q, Origin origin) {
    RetryPolicy p = engine.rules().policy(q.stage());
    return Future.succeededFuture(switch (q.format()) {
      case REBOUND -> p.toJson().put("stage", q.stage());
      case ARGO -> PolicyExport.argo(q.stage(), p);
      case STEPFUNCTIONS -> PolicyExport.stepFunctions(q.stage(), p);
    });
  }

  Future<JsonObject> schedule(ScheduleQuery q, Origin origin) {
    RetryPolicy p = engine.rules().policy(q.stage());
    int n = q.attempts() == null ? p.maxRetries() : q.attempts();
    JsonArray delays = new JsonArray();
    p.nominalSchedule(n).forEach(d -> delays.add(d.toMillis()));
    return Future.succeededFuture(new JsonObject().put("stage", q.stage()).put("delaysMs", delays));
  }

  /** Normalizes a policy; an invalid one is a BAD_REQUEST naming the field ({@code policy.maxRetries}). */
  Future<JsonObject> validate(PolicyValidation v, Origin origin) {
    RetryPolicy base = v.stage() == null ? RetryPolicy.DEFAULT : StagePolicies.builtIn().forStage(v.stage());
    RetryPolicy p;
    try {
      p = RetryPolicy.fromMap("policy", new JsonObject(v.policy().encode()).getMap(), base);
    } catch (PolicyException e) {
      throw ReboundException.invalidField(e.field(), e.problem());
    }
    JsonArray delays = new JsonArray();
    p.nominalSchedule(p.maxRetries()).forEach(d -> delays.add(d.toMillis()));
    JsonObject out = new JsonObject().put("valid", true).put("policy", p.toJson()).put("delaysMs", delays);
    return Future.succeededFuture(v.stage() == null ? out : out.put("stage", v.stage()));
  }
}
