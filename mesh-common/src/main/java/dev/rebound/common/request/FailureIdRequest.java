package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** One recorded failure by its id ({@code GET /v1/failures/{id}}). */
public record FailureIdRequest(UUID id) {
  private static final Set<String> FIELDS = Set.of("id");

  public FailureIdRequest {
    Objects.requireNonNull(id, "id");
  }

  public static FailureIdRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new FailureIdRequest(JsonFields.requiredUuid(o, "id"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString());
  }
}
