package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** The most frequent or most recent fingerprints, optionally of one stage. */
public record FingerprintsQuery(Order sort, String stage, int limit) {
  public static final int DEFAULT_LIMIT = 50;
  private static final Set<String> FIELDS = Set.of("sort", "stage", "limit");

  /** Written in lower case on the wire: {@code count}, {@code recent}. */
  public enum Order { COUNT, RECENT }

  public FingerprintsQuery {
    Objects.requireNonNull(sort, "sort");
  }

  public static FingerprintsQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    String sort = JsonFields.string(o, "sort", 20);
    Order order;
    if (sort == null || sort.equals("count")) {
      order = Order.COUNT;
    } else if (sort.equals("recent")) {
      order = Order.RECENT;
    } else {
      throw ReboundException.invalidField("sort", "must be 'count' or 'recent'");
    }
    int limit = JsonFields.integer(o, "limit", DEFAULT_LIMIT, 1, 1000);
    return new FingerprintsQuery(order, JsonFields.string(o, "stage", 200), limit);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("sort", sort.name().toLowerCase(Locale.ROOT));
    JsonOut.putIfPresent(o, "stage", stage);
    return o.put("limit", limit);
  }
}
