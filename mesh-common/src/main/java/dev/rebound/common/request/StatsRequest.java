package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** The ledger's counters: no arguments, so any field is refused. */
public record StatsRequest() {
  public static StatsRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, Set.of());
    return new StatsRequest();
  }

  public JsonObject toJson() {
    return new JsonObject();
  }
}
