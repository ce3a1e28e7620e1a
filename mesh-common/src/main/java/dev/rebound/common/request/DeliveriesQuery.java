package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/** The notifier's delivery outbox, newest first, optionally of one status ({@code pending}, {@code sent}, …). */
public record DeliveriesQuery(String status, int limit) {
  public static final Set<String> STATUSES = Set.of("pending", "sending", "sent", "failed", "digested");
  private static final Set<String> FIELDS = Set.of("status", "limit");

  public static DeliveriesQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    String status = JsonFields.string(o, "status", 20);
    if (status != null && !STATUSES.contains(status.toLowerCase(Locale.ROOT))) {
      throw ReboundException.invalidField("status", "must be one of pending, sending, sent, failed, digested");
    }
    return new DeliveriesQuery(status == null ? null : status.toLowerCase(Locale.ROOT),
        JsonFields.integer(o, "limit", 100, 1, 1000));
  }

  public JsonObject toJson() {
    return JsonOut.putIfPresent(new JsonObject(), "status", status).put("limit", limit);
  }
}
