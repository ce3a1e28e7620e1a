package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Which receivers an alert with these labels would reach ({@code POST /v1/routes/test}); nothing is sent. */
public record RouteTestRequest(Map<String, String> labels) {
  private static final Set<String> FIELDS = Set.of("labels");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  public RouteTestRequest {
    labels = Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  public static RouteTestRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    JsonObject raw = JsonFields.object(o, "labels");
    if (raw == null || raw.isEmpty()) {
      throw ReboundException.invalidField("labels", "is required: a map of label names to values");
    }
    if (raw.size() > 100) {
      throw ReboundException.invalidField("labels", "has more than 100 labels");
    }
    Map<String, String> labels = new TreeMap<>();
    for (String name : raw.fieldNames()) {
      if (!NAME.matcher(name).matches()) {
        throw ReboundException.invalidField("labels." + JsonFields.abbreviate(name, 40), "is not a label name");
      }
      if (!(raw.getValue(name) instanceof String v) || v.length() > 1000) {
        throw ReboundException.invalidField("labels." + name, "must be a string of at most 1000 characters");
      }
      labels.put(name, v);
    }
    return new RouteTestRequest(labels);
  }

  public JsonObject toJson() {
    return new JsonObject().put("labels", new JsonObject(new TreeMap<String, Object>(labels)));
  }
}
