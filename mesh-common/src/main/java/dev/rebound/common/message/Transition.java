package dev.rebound.common.message;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/** One task transition, as recorded in the task's history and published on {@code rebound.events.tasks}. */
public record Transition(
    UUID taskId,
    String workflowId,
    String stage,
    TaskState from,
    TaskState to,
    int attempt,
    String reason,
    String error,
    String actor,
    String correlationId,
    Instant at) {

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("taskId", taskId.toString());
    FailureEvent.putIfPresent(o, "workflowId", workflowId);
    FailureEvent.putIfPresent(o, "stage", stage);
    FailureEvent.putIfPresent(o, "from", from == null ? null : from.name());
    o.put("to", to.name()).put("attempt", attempt);
    FailureEvent.putIfPresent(o, "reason", reason);
    FailureEvent.putIfPresent(o, "error", error);
    FailureEvent.putIfPresent(o, "actor", actor);
    FailureEvent.putIfPresent(o, "correlationId", correlationId);
    o.put("at", at.toString());
    return o;
  }

  public static Transition fromJson(JsonObject o) {
    String from = o.getString("from");
    return new Transition(UUID.fromString(o.getString("taskId")), o.getString("workflowId"),
        o.getString("stage"), from == null ? null : TaskState.valueOf(from), TaskState.valueOf(o.getString("to")),
        o.getInteger("attempt", 0), o.getString("reason"), o.getString("error"), o.getString("actor"),
        o.getString("correlationId"), Instant.parse(o.getString("at")));
  }
}
