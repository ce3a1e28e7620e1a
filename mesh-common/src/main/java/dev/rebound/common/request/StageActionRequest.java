package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * A person pauses or resumes a stage: while paused, claims hand out none of its tasks. The ledger
 * redacts the reason before it stores it.
 */
public record StageActionRequest(String stage, String reason) {
  private static final Set<String> FIELDS = Set.of("stage", "reason");

  public StageActionRequest {
    Objects.requireNonNull(stage, "stage");
  }

  public static StageActionRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new StageActionRequest(JsonFields.name(o, "stage", true),
        JsonFields.string(o, "reason", PersonActionRequest.MAX_REASON));
  }

  public JsonObject toJson() {
    return JsonOut.putIfPresent(new JsonObject().put("stage", stage), "reason", reason);
  }
}
