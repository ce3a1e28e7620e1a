package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A person acknowledges or resolves an alert ({@code POST /v1/alerts/{id}/ack|resolve}); {@code by} defaults to
 * who asked (the origin), {@code comment} goes to the alert's history.
 */
public record AlertActionRequest(UUID id, String by, String comment) {
  public static final int MAX_COMMENT = 2000;
  private static final Set<String> FIELDS = Set.of("id", "by", "comment");

  public AlertActionRequest {
    Objects.requireNonNull(id, "id");
  }

  public static AlertActionRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new AlertActionRequest(JsonFields.requiredUuid(o, "id"), JsonFields.string(o, "by", 200),
        JsonFields.string(o, "comment", MAX_COMMENT));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id.toString());
    JsonOut.putIfPresent(o, "by", by);
    return JsonOut.putIfPresent(o, "comment", comment);
  }
}
