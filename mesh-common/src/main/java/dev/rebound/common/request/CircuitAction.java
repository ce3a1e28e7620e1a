package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * An operator opens, closes, disables or resets a circuit. {@code actor} names the person (recorded with
 * the transition); without it the caller's origin is recorded. {@code reason} is free text for people.
 */
public record CircuitAction(String name, String reason, String actor) {
  public static final int MAX_REASON = 2000;
  public static final int MAX_ACTOR = 200;
  private static final Set<String> FIELDS = Set.of("name", "reason", "actor");

  public CircuitAction {
    Objects.requireNonNull(name, "name");
  }

  public static CircuitAction of(String name, String reason) {
    return new CircuitAction(name, reason, null);
  }

  public static CircuitAction fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new CircuitAction(JsonFields.requiredString(o, "name", CircuitQuery.MAX_NAME),
        JsonFields.string(o, "reason", MAX_REASON), JsonFields.string(o, "actor", MAX_ACTOR));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("name", name);
    JsonOut.putIfPresent(o, "reason", reason);
    return JsonOut.putIfPresent(o, "actor", actor);
  }
}
