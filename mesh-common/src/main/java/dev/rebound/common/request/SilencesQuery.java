package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/** The silences, newest first, optionally of one state ({@code pending}, {@code active}, {@code expired}). */
public record SilencesQuery(String state, int limit) {
  public static final Set<String> STATES = Set.of("pending", "active", "expired");
  private static final Set<String> FIELDS = Set.of("state", "limit");

  public static SilencesQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    String state = JsonFields.string(o, "state", 20);
    if (state != null && !STATES.contains(state.toLowerCase(Locale.ROOT))) {
      throw ReboundException.invalidField("state", "must be pending, active or expired");
    }
    return new SilencesQuery(state == null ? null : state.toLowerCase(Locale.ROOT),
        JsonFields.integer(o, "limit", 100, 1, 1000));
  }

  public JsonObject toJson() {
    return JsonOut.putIfPresent(new JsonObject(), "state", state).put("limit", limit);
  }
}
