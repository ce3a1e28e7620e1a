package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** One silence by id ({@code DELETE /v1/silences/{id}} expires it). */
public record SilenceIdRequest(UUID id) {
  private static final Set<String> FIELDS = Set.of("id");

  public SilenceIdRequest {
    Objects.requireNonNull(id, "id");
  }

  public static SilenceIdRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new SilenceIdRequest(JsonFields.requiredUuid(o, "id"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString());
  }
}
