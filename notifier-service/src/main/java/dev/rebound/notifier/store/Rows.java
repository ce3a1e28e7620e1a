package dev.rebound.notifier.store;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Conversions between rows and plain values (the domain takes no Vert.x JSON). */
public final class Rows {
  private Rows() {
  }

  public static OffsetDateTime ts(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  public static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  /** JSON as plain maps and lists, deeply (what the domain reads). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> plain(JsonObject o) {
    return o == null ? Map.of() : (Map<String, Object>) Json.CODEC.fromString(o.encode(), Map.class);
  }

  @SuppressWarnings("unchecked")
  public static List<Object> plain(JsonArray a) {
    return a == null ? List.of() : (List<Object>) Json.CODEC.fromString(a.encode(), List.class);
  }

  public static Map<String, String> labels(JsonObject o) {
    Map<String, String> out = new TreeMap<>();
    if (o != null) {
      o.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return out;
  }

  public static JsonObject json(Map<String, ?> map) {
    return new JsonObject(Json.encode(map));
  }
}
