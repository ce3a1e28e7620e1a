package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** The paused stages (and those still releasing their parked tasks): no arguments, so any field is refused. */
public record StagesQuery() {
  public static StagesQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, Set.of());
    return new StagesQuery();
  }

  public JsonObject toJson() {
    return new JsonObject();
  }
}
