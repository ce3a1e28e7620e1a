package dev.rebound.notifier.store;

import dev.rebound.notifier.domain.Channel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One row of the delivery outbox. {@code payload} is the body without the endpoint's secret (the URL or routing
 * key is resolved from configuration by {@code endpointKey} when it is sent); {@code message} names the alerts it
 * speaks of, so a digest can merge several rows.
 */
public record Delivery(long id, Channel channel, String endpointKey, String receiver, String groupKey, Kind kind,
    JsonObject message, JsonObject payload, String dedupKey, String status, int attempts, Instant nextAttemptAt,
    String lastError, Instant createdAt, Instant sentAt) {

  /** Why it is sent. */
  public enum Kind { GROUP, ESCALATION, ACKNOWLEDGE }

  /** What a new row holds. */
  public record New(Channel channel, String endpointKey, String receiver, String groupKey, Kind kind,
      JsonObject message, JsonObject payload, String dedupKey) {
  }

  /** The API's view: everything but the payload (which may quote alert text at length). */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id).put("channel", channel.label()).put("endpoint", endpointKey)
        .put("receiver", receiver).put("groupKey", groupKey).put("kind", kind.name().toLowerCase())
        .put("status", status.toLowerCase()).put("attempts", attempts)
        .put("alerts", message.getJsonArray("firing", new JsonArray()).size()
            + message.getJsonArray("resolved", new JsonArray()).size())
        .put("createdAt", createdAt.toString());
    if (dedupKey != null) {
      o.put("dedupKey", dedupKey);
    }
    if ("PENDING".equals(status)) {
      o.put("nextAttemptAt", nextAttemptAt.toString());
    }
    if (lastError != null) {
      o.put("lastError", lastError);
    }
    if (sentAt != null) {
      o.put("sentAt", sentAt.toString());
    }
    return o;
  }
}
