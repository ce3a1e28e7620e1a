package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * The nominal delays (before jitter) of a stage's first {@code attempts} retries; without {@code attempts},
 * as many as the policy allows. {@code attempts} may be text (an HTTP query parameter).
 */
public record ScheduleQuery(String stage, Integer attempts) {
  public static final int MAX_ATTEMPTS = 1000;
  private static final Set<String> FIELDS = Set.of("stage", "attempts");

  public ScheduleQuery {
    Objects.requireNonNull(stage, "stage");
  }

  public static ScheduleQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    Object a = o.getValue("attempts");
    Integer attempts = null;
    if (a instanceof String s) {
      try {
        attempts = Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        throw ReboundException.invalidField("attempts", "must be an integer between 1 and " + MAX_ATTEMPTS);
      }
      if (attempts < 1 || attempts > MAX_ATTEMPTS) {
        throw ReboundException.invalidField("attempts", "must be between 1 and " + MAX_ATTEMPTS + ", was " + attempts);
      }
    } else {
      attempts = JsonFields.integer(o, "attempts", 1, MAX_ATTEMPTS);
    }
    return new ScheduleQuery(PolicyQuery.stage(o), attempts);
  }

  public JsonObject toJson() {
    return JsonOut.putIfPresent(new JsonObject().put("stage", stage), "attempts", attempts);
  }
}
