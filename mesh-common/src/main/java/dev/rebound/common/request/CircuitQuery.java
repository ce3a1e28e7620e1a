package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/** One circuit by its name ({@code stage:tests}, {@code agent:scraper}, {@code dependency:github}). */
public record CircuitQuery(String name) {
  public static final int MAX_NAME = 300;
  private static final Set<String> FIELDS = Set.of("name");

  public CircuitQuery {
    Objects.requireNonNull(name, "name");
  }

  public static CircuitQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new CircuitQuery(JsonFields.requiredString(o, "name", MAX_NAME));
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name);
  }
}
