package dev.rebound.common.message;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A task as the ledger shows it. {@code leaseToken} and {@code checkpoint} are only present on a
 * task returned by a claim (the token proves the lease; the checkpoint is the latest valid one).
 */
public record TaskView(
    UUID id,
    String idempotencyKey,
    String workflowId,
    String stage,
    String agent,
    String type,
    JsonObject payload,
    int priority,
    TaskState state,
    int attempt,
    int maxAttempts,
    Instant runAfter,
    String leaseOwner,
    UUID leaseToken,
    Instant leaseExpiresAt,
    long version,
    Instant createdAt,
    Instant updatedAt,
    String lastError,
    JsonObject result,
    JsonObject checkpoint) {

  public static TaskView fromJson(JsonObject o) {
    return new TaskView(
        UUID.fromString(o.getString("id")),
        o.getString("idempotencyKey"),
        o.getString("workflowId"),
        o.getString("stage"),
        o.getString("agent"),
        o.getString("type"),
        o.getJsonObject("payload"),
        o.getInteger("priority", 0),
        TaskState.valueOf(o.getString("state")),
        o.getInteger("attempt", 0),
        o.getInteger("maxAttempts", 0),
        instant(o, "runAfter"),
        o.getString("leaseOwner"),
        o.getString("leaseToken") == null ? null : UUID.fromString(o.getString("leaseToken")),
        instant(o, "leaseExpiresAt"),
        o.getLong("version", 0L),
        instant(o, "createdAt"),
        instant(o, "updatedAt"),
        o.getString("lastError"),
        o.getJsonObject("result"),
        o.getJsonObject("checkpoint"));
  }

  private static Instant instant(JsonObject o, String key) {
    String s = o.getString(key);
    return s == null ? null : Instant.parse(s);
  }
}
