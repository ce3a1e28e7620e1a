package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** A list without arguments (the retry service's policies, circuits, budgets): any field is refused. */
public record ListQuery() {
  public static ListQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, Set.of());
    return new ListQuery();
  }

  public JsonObject toJson() {
    return new JsonObject();
  }
}
