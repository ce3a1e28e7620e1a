package dev.rebound.common.message;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * One task transition, as recorded in the task's history and published on {@code rebound.events.tasks}.
 *
 * @param agent the task's agent, or null when it has none (so an observer can count a success on the
 *              agent's circuit without reading the task)
 */
public record Transition(
    UUID taskId,
    String workflowId,
    String stage,
    String agent,
    TaskState from,
    TaskState to,
    int attempt,
    String reason,
    String error,
    String actor,
    String correlationId,
    Instant at) {

  /** A transition of a task without an agent. */
  public Transition(UUID taskId, String workflowId, String stage, TaskState from, TaskState to, int attempt,
                    String reason, String error, String actor, String correlationId, Instant at) {
    this(taskId, workflowId, stage, null, from, to, attempt, reason, error, actor, correlationId, at);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("taskId", taskId.toString());
    FailureEvent.putIfPresent(o, "workflowId", workflowId);
    FailureEvent.putIfPresent(o, "stage", stage);
    FailureEvent.putIfPresent(o, "agent", agent);
    FailureEvent.putIfPresent(o, "from", from == null ? null : from.name());
    o.put("to", to.name()).put("attempt", attempt);
    FailureEvent.putIfPresent(o, "reason", reason);
    FailureEvent.putIfPresent(o, "error", error);
    FailureEvent.putIfPresent(o, "actor", actor);
    FailureEvent.putIfPresent(o, "correlationId", correlationId);
    o.put("at", at.toString());
    return o;
  }

  /** Parses a transition; {@code agent}, when present, must be a string (of at most 200 characters). */
  public static Transition fromJson(JsonObject o) {
    String from = o.getString("from");
    return new Transition(UUID.fromString(o.getString("taskId")), o.getString("workflowId"),
        o.getString("stage"), JsonFields.string(o, "agent", 200), from == null ? null : TaskState.valueOf(from), TaskState.valueOf(o.getString("to")),
        o.getInteger("attempt", 0), o.getString("reason"), o.getString("error"), o.getString("actor"),
        o.getString("correlationId"), Instant.parse(o.getString("at")));
  }
}
