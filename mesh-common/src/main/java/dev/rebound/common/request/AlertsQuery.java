package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The notifier's alerts, newest first: optionally of one state ({@code firing}, {@code acknowledged},
 * {@code resolved}, or {@code open} for the first two) and carrying every given label
 * ({@code labels=stage=tests,kind=dead-letter}).
 */
public record AlertsQuery(String state, Map<String, String> labels, int limit) {
  public static final int DEFAULT_LIMIT = 100;
  public static final Set<String> STATES = Set.of("firing", "acknowledged", "resolved", "open");
  private static final Set<String> FIELDS = Set.of("state", "labels", "limit");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=(.*)");

  public AlertsQuery {
    labels = Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  public static AlertsQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    String state = JsonFields.string(o, "state", 20);
    if (state != null) {
      state = state.toLowerCase(Locale.ROOT);
      if (!STATES.contains(state)) {
        throw ReboundException.invalidField("state", "must be one of " + new TreeSet<>(STATES));
      }
    }
    Map<String, String> labels = new TreeMap<>();
    String raw = JsonFields.string(o, "labels", 2000);
    if (raw != null && !raw.isBlank()) {
      for (String pair : raw.split(",")) {
        var m = LABEL.matcher(pair.trim());
        if (!m.matches() || m.group(2).isEmpty()) {
          throw ReboundException.invalidField("labels", "must be name=value pairs separated by commas, was '"
              + JsonFields.abbreviate(pair.trim(), 40) + "'");
        }
        labels.put(m.group(1), m.group(2));
      }
    }
    return new AlertsQuery(state, labels, JsonFields.integer(o, "limit", DEFAULT_LIMIT, 1, 1000));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    JsonOut.putIfPresent(o, "state", state);
    if (!labels.isEmpty()) {
      o.put("labels", String.join(",", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
    }
    return o.put("limit", limit);
  }
}
