package dev.rebound.common.request;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/** Writing optional fields: absent values are left out, ids and instants as text. */
public final class JsonOut {
  private JsonOut() {
  }

  public static JsonObject putIfPresent(JsonObject o, String key, Object value) {
    if (value instanceof UUID || value instanceof Instant) {
      o.put(key, value.toString());
    } else if (value != null) {
      o.put(key, value);
    }
    return o;
  }

  /** JSON text validated by a request's {@code fromJson} back to its value. */
  static Object decode(String json) {
    return Json.decodeValue(json);
  }
}
