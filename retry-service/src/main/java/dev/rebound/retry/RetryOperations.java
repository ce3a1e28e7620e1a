package dev.rebound.retry;

import dev.rebound.common.text.Redactor;
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
import dev.rebound.retry.domain.DecisionEngine;
import dev.rebound.retry.domain.FailureFacts;
import dev.rebound.retry.domain.RetryDecider;
import dev.rebound.retry.domain.RetryDecision;
import dev.rebound.retry.domain.RetryEvent;
import dev.rebound.retry.domain.RetryState;
import dev.rebound.retry.domain.TaskSuccess;
import dev.rebound.retry.state.SharedRetryState;
import dev.rebound.retry.store.DecisionRow;
import dev.rebound.retry.store.RetryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry service's operations, shared by the event bus and HTTP: validation of untrusted input, the
 * {@link DecisionEngine} over the cluster-wide {@link SharedRetryState}, the {@link RetryStore}, and what
 * follows a commit (the decision to the ledger, events and alerts, metrics).
 *
 * <p>A classified failure is decided once per (task, attempt), in a {@link DecisionBatches batch} with the
 * failures and successes that arrived meanwhile: one hold of the shared state's lock, one transaction. A
 * repeat answers the stored decision (and sends it to the ledger again, which ignores a duplicate),
 * counting nothing twice.
 */
final class RetryOperations {
  /** Operators' reasons go into the circuit history and alerts: without secrets. */
  private static final Redactor REDACTOR = new Redactor();

  private static final int CONFLICT_ATTEMPTS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(RetryOperations.class);
  private static final int TRANSITIONS_SHOWN = 10;

  private final DecisionEngine engine;
  private final SharedRetryState shared;
  private final RetryStore store;
  private final LedgerClient ledger;
  private final RetryEvents events;
  private final RetryMetrics metrics;
  private final DecisionBatches batches;

  RetryOperations(DecisionEngine engine, SharedRetryState shared, RetryStore store, LedgerClient ledger,
      RetryEvents events, RetryMetrics metrics) {
    this.engine = engine;
    this.shared = shared;
    this.store = store;
    this.ledger = ledger;
    this.events = events;
    this.metrics = metrics;
    this.batches = new DecisionBatches(engine, shared, store, this::observe);
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
    // what the ledger knew of the task travels with the failure; only a sender that did not give it (or a
    // failure without a verdict, whose message is the task's last error) costs a read of the task
    Future<FailureFacts> facts = FailureFactsMapper.complete(c)
        ? Future.succeededFuture(facts(c, null))
        : ledger.get(c.taskId())
            .recover(t -> Future.failedFuture(ReboundException.from(t).code() == ErrorCode.NOT_FOUND
                ? ReboundException.notFound("task", c.taskId()) : ReboundException.from(t)))
            .map(task -> facts(c, task));
    return facts.compose(f -> againOnConflict(() -> batches.submit(new DecisionBatches.Failure(c, f))).compose(r -> {
      if (!r.duplicate()) {
        metrics.decision(f.stage(), r.row().degraded(), r.row().action());
        events.emit(r.events(), f);
      }
      return applied(r.row(), r.duplicate());
    }));
  }

  private static FailureFacts facts(FailureClassified c, TaskView task) {
    try {
      return FailureFactsMapper.map(c, task);
    } catch (IllegalArgumentException e) {
      throw ReboundException.badRequest("cannot decide about task " + c.taskId() + " attempt " + c.attempt() + ": "
          + e.getMessage());
    }
  }

  static DecisionRow row(FailureClassified c, FailureFacts f, RetryDecision r) {
    return new DecisionRow(c.taskId(), c.attempt(), f.stage(), r.action(), r.runAt(),
        r.delay() == null ? null : r.delay().toMillis(), r.cause().name(), r.degraded(), r.free(), r.blockedBy(),
        REDACTOR.redactOrNull(r.reason()), c.failureId(), r.decidedAt());
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

  /** Circuit and budget gauges from the state a batch left. */
  private void observe(RetryDecider.Snapshot state) {
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

  /**
   * A task's outcome from the ledger ({@code rebound.retry.outcomes}, one instance each): a task DONE counts a
   * success on its circuits (closing a half-open one) and its workflow's window, and when it had failed before,
   * it counts as healed (by retries alone, or by a person when an operator stepped in); an operator's return of
   * a task to the queue is noted as such.
   */
  Future<Integer> onTaskOutcome(JsonObject event) {
    Transition t;
    try {
      t = Transition.fromJson(event);
    } catch (RuntimeException e) {
      return Future.succeededFuture(0);
    }
    if (t.to() != TaskState.DONE) {
      return byPerson(t.actor()) ? store.noteIntervention(t.taskId(), t.actor(), t.at()).map(1)
          : Future.succeededFuture(0);
    }
    if (t.stage() == null) {
      return Future.succeededFuture(0);
    }
    TaskSuccess s = new TaskSuccess(t.taskId().toString(), Math.max(1, t.attempt()), t.stage(), t.agent(),
        t.workflowId(), null);
    Future<Integer> counted = againOnConflict(() -> batches.submit(new DecisionBatches.Success(s))).map(r -> {
      events.emit(r.events(), null);
      return r.events().size();
    });
    if (t.attempt() <= 1) {
      return counted;
    }
    return counted.compose(n -> store.healing(t.taskId()).map(h -> {
      metrics.healed(h.intervened(), h.firstDecided() == null ? null : Duration.between(h.firstDecided(), t.at()));
      return n;
    }));
  }

  /** An actor that is a person (an operator's token or name), not a worker or one of Rebound's services. */
  private static boolean byPerson(String actor) {
    return actor != null && !actor.isBlank() && !actor.equals(DecisionRow.DECIDED_BY) && !actor.startsWith("ledger:")
        && !actor.startsWith("circuit:");
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
        case OPEN -> b.forceOpen(s, now, actor, REDACTOR.redactOrNull(a.reason()));
        case CLOSE -> b.close(s, now, actor, REDACTOR.redactOrNull(a.reason()));
        case DISABLE -> b.disable(s, now, actor, REDACTOR.redactOrNull(a.reason()));
        case RESET -> b.reset(s, now, actor, REDACTOR.redactOrNull(a.reason()));
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
