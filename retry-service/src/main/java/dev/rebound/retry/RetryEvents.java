package dev.rebound.retry;

import dev.rebound.common.Addresses;
import dev.rebound.common.classification.Severity;
import dev.rebound.retry.domain.AbortAnalysis;
import dev.rebound.retry.domain.BudgetExhausted;
import dev.rebound.retry.domain.BudgetRecovered;
import dev.rebound.retry.domain.CircuitName;
import dev.rebound.retry.domain.CircuitState;
import dev.rebound.retry.domain.CircuitTransition;
import dev.rebound.retry.domain.FailureFacts;
import dev.rebound.retry.domain.RetryEvent;
import dev.rebound.retry.domain.WorkflowAborted;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the retry service tells others besides decisions: every circuit transition is published on
 * {@code rebound.events.circuits}; every alert-worthy event (a circuit opened or closed again, a budget
 * exhausted or recovered, a workflow aborted) is sent to {@code rebound.notifier.alerts} as
 * {@code {labels:{kind, stage, workflow, category, fingerprint, severity}, summary, details, at}}.
 */
final class RetryEvents {
  private final Vertx vertx;
  private final RetryMetrics metrics;

  RetryEvents(Vertx vertx, RetryMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
  }

  /** {@code facts}: the failure behind the events, or null (an operator, the sweep, a success). */
  void emit(List<? extends RetryEvent> events, FailureFacts facts) {
    for (RetryEvent e : events) {
      if (e instanceof CircuitTransition t) {
        metrics.transition(t);
        vertx.eventBus().publish(Addresses.EVENTS_CIRCUITS, transition(t));
      }
      JsonObject alert = e.alert() ? alert(e, facts) : null;
      if (alert != null) {
        vertx.eventBus().send(Addresses.NOTIFIER_ALERTS, alert);
      }
    }
  }

  static JsonObject transition(CircuitTransition t) {
    JsonObject o = new JsonObject().put("name", t.name()).put("from", t.from().name()).put("to", t.to().name())
        .put("reason", t.reason()).put("at", t.at().toString());
    return t.actor() == null ? o : o.put("actor", t.actor());
  }

  /**
   * The notifier's alert event for {@code e}, or null when there is nothing to raise: a circuit that
   * closes again or a budget that recovers ends an alert rather than raising one — the notifier
   * resolves circuit-open alerts from {@code rebound.events.circuits} itself, and a recovered budget is
   * only worth a line in the events.
   */
  static JsonObject alert(RetryEvent e, FailureFacts f) {
    JsonObject labels = new JsonObject();
    String summary;
    JsonObject details;
    Severity severity;
    String stage = f == null ? null : f.stage();
    if (e instanceof CircuitTransition t) {
      CircuitName name = CircuitName.parse(t.name());
      if (name.kind() == CircuitName.Kind.STAGE) {
        stage = name.value();
      }
      if (!t.to().holdsWork()) {
        return null;
      }
      labels.put("kind", "circuit-open").put("circuit", t.name());
      severity = Severity.ERROR;
      summary = "circuit " + t.name() + " is " + t.to() + ": " + t.reason();
      details = transition(t).put("circuit", t.name());
    } else if (e instanceof BudgetExhausted b) {
      labels.put("kind", "budget-exhausted");
      severity = Severity.WARNING;
      summary = "retry budget " + b.key() + " is exhausted: " + b.retries() + " retries, " + b.allowance()
          + " allowed for " + b.firstAttempts() + " first attempts; failures are now "
          + (b.then().name().equals("PARK") ? "parked" : "dead-lettered");
      details = new JsonObject().put("budget", b.key()).put("retries", b.retries()).put("allowance", b.allowance())
          .put("firstAttempts", b.firstAttempts()).put("then", b.then().name());
      stage = b.key().startsWith("stage:") ? b.key().substring("stage:".length()) : stage;
    } else if (e instanceof BudgetRecovered) {
      return null;
    } else {
      WorkflowAborted w = (WorkflowAborted) e;
      AbortAnalysis a = w.analysis();
      labels.put("kind", "workflow-aborted").put("workflow", a.workflowId());
      severity = Severity.CRITICAL;
      summary = "workflow " + a.workflowId() + " aborted: " + a.summary();
      details = new JsonObject().put("attempts", a.attempts()).put("failures", a.failures())
          .put("failureRatio", a.failureRatio()).put("threshold", a.threshold())
          .put("topFingerprints", counts(a.topFingerprints())).put("categories", counts(a.categories()))
          .put("stages", counts(a.stages())).put("failedTasks", new JsonArray(a.failedTasks()));
    }
    if (stage != null) {
      labels.put("stage", stage);
    }
    if (f != null) {
      putIfAbsent(labels, "workflow", f.workflowId());
      putIfAbsent(labels, "category", f.category());
      putIfAbsent(labels, "fingerprint", f.fingerprint());
    }
    labels.put("severity", severity.label());
    return new JsonObject().put("labels", labels).put("summary", summary).put("details", details)
        .put("at", e.at().toString()).put("source", "retry");
  }

  private static JsonArray counts(List<AbortAnalysis.Count> counts) {
    JsonArray out = new JsonArray();
    counts.forEach(c -> out.add(new JsonObject().put("value", c.value()).put("count", c.count())));
    return out;
  }

  private static void putIfAbsent(JsonObject o, String key, String value) {
    if (value != null && !o.containsKey(key)) {
      o.put(key, value);
    }
  }

  /** For the metrics' state gauge. */
  static int code(CircuitState s) {
    return switch (s) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
      case FORCED_OPEN -> 3;
      case DISABLED -> 4;
    };
  }
}
