package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** One task by its id: get, history, latest checkpoint. */
public record TaskIdRequest(UUID id) {
  private static final Set<String> FIELDS = Set.of("id");

  public TaskIdRequest {
    Objects.requireNonNull(id, "id");
  }

  public static TaskIdRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new TaskIdRequest(JsonFields.requiredUuid(o, "id"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString());
  }
}
