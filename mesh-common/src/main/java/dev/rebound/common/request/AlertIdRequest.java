package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** One alert by id ({@code GET /v1/alerts/{id}}). */
public record AlertIdRequest(UUID id) {
  private static final Set<String> FIELDS = Set.of("id");

  public AlertIdRequest {
    Objects.requireNonNull(id, "id");
  }

  public static AlertIdRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new AlertIdRequest(JsonFields.requiredUuid(o, "id"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString());
  }
}
