package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** One delivery of the outbox by id ({@code POST /v1/deliveries/{id}/retry} sends it again now). */
public record DeliveryIdRequest(long id) {
  private static final Set<String> FIELDS = Set.of("id");

  public static DeliveryIdRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    Object raw = o.getValue("id");
    if (raw instanceof String s) {
      try {
        raw = Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw ReboundException.invalidField("id", "must be a delivery number, was '" + JsonFields.abbreviate(s, 30) + "'");
      }
    }
    Long id = JsonFields.longValue(new JsonObject().put("id", raw), "id", 1, Long.MAX_VALUE);
    if (id == null) {
      throw ReboundException.invalidField("id", "is required");
    }
    return new DeliveryIdRequest(id);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id);
  }
}
