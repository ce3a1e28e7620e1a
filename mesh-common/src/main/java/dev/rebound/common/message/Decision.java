package dev.rebound.common.message;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.DecisionAction;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * What happens next to a failed attempt, sent by the retry service to the ledger. Idempotent per
 * (task, attempt); a decision for an attempt that is no longer the current one is ignored.
 *
 * @param runAt when to retry; required for {@link DecisionAction#RETRY}
 */
public record Decision(UUID taskId, int attempt, DecisionAction action, Instant runAt, String reason, String decidedBy) {

  private static final Set<String> FIELDS = Set.of("taskId", "attempt", "action", "runAt", "reason", "decidedBy");

  /** Parses and validates a decision; unknown fields are refused by name. */
  public static Decision fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    DecisionAction action = JsonFields.enumValue(o, "action", DecisionAction.class);
    if (action == null) {
      throw ReboundException.invalidField("action", "is required");
    }
    Integer attempt = JsonFields.integer(o, "attempt", 1, Integer.MAX_VALUE);
    if (attempt == null) {
      throw ReboundException.invalidField("attempt", "is required");
    }
    Instant runAt = JsonFields.instant(o, "runAt");
    if (action == DecisionAction.RETRY && runAt == null) {
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
