package dev.rebound.common.message;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * What happens next to a failed attempt, sent by the retry service to the ledger. Idempotent per
 * (task, attempt); a decision for an attempt that is no longer the current one is ignored.
 */
public record Decision(UUID taskId, int attempt, Action action, Instant runAt, String reason, String decidedBy) {

  public enum Action { RETRY, PARK, DEAD_LETTER, ABORT_WORKFLOW }

  public static Decision fromJson(JsonObject o) {
    Action action = JsonFields.enumValue(o, "action", Action.class);
    if (action == null) {
      throw ReboundException.invalidField("action", "is required");
    }
    Integer attempt = JsonFields.integer(o, "attempt", 1, Integer.MAX_VALUE);
    if (attempt == null) {
      throw ReboundException.invalidField("attempt", "is required");
    }
    Instant runAt = JsonFields.instant(o, "runAt");
    if (action == Action.RETRY && runAt == null) {
      throw ReboundException.invalidField("runAt", "is required for a RETRY decision");
    }
    return new Decision(JsonFields.requiredUuid(o, "taskId"), attempt, action, runAt,
        JsonFields.string(o, "reason", 2000), JsonFields.string(o, "decidedBy", 200));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("taskId", taskId.toString()).put("attempt", attempt)
        .put("action", action.name());
    FailureEvent.putIfPresent(o, "runAt", runAt);
    FailureEvent.putIfPresent(o, "reason", reason);
    FailureEvent.putIfPresent(o, "decidedBy", decidedBy);
    return o;
  }
}
