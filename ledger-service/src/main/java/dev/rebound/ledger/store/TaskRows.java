package dev.rebound.ledger.store;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Row ↔ JSON mapping of tasks. The lease token is only shown to the claimer. */
final class TaskRows {
  private TaskRows() {
  }

  static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(Row row, String column) {
    OffsetDateTime t = row.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  static JsonObject toJson(Row row) {
    JsonObject o = new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("stage", row.getString("stage"))
        .put("state", row.getString("state"))
        .put("priority", row.getInteger("priority"))
        .put("attempt", row.getInteger("attempt"))
        .put("attemptsThisRun", row.getInteger("attempt") - row.getInteger("attempt_base"))
        .put("maxAttempts", row.getInteger("max_attempts"))
        .put("version", row.getLong("version"));
    putString(o, "idempotencyKey", row.getString("idempotency_key"));
    putString(o, "workflowId", row.getString("workflow_id"));
    putString(o, "agent", row.getString("agent"));
    putString(o, "type", row.getString("type"));
    Object payload = row.getValue("payload");
    o.put("payload", payload);
    putInstant(o, "runAfter", instant(row, "run_after"));
    putString(o, "leaseOwner", row.getString("lease_owner"));
    putInstant(o, "leaseExpiresAt", instant(row, "lease_expires_at"));
    putInstant(o, "createdAt", instant(row, "created_at"));
    putInstant(o, "updatedAt", instant(row, "updated_at"));
    putInstant(o, "finishedAt", instant(row, "finished_at"));
    putString(o, "lastError", row.getString("last_error"));
    putString(o, "blockedReason", row.getString("blocked_reason"));
    Object result = row.getValue("result");
    if (result != null) {
      o.put("result", result);
    }
    return o;
  }

  static Transition transition(Row row, String reason, String error, String actor, String correlationId, Instant at) {
    String from = row.getString("from_state");
    return new Transition(row.getUUID("id"), row.getString("workflow_id"), row.getString("stage"),
        from == null ? null : TaskState.valueOf(from), TaskState.valueOf(row.getString("state")),
        row.getInteger("attempt"), reason, error, actor, correlationId, at);
  }

  static void putString(JsonObject o, String key, String v) {
    if (v != null) {
      o.put(key, v);
    }
  }

  static void putInstant(JsonObject o, String key, Instant v) {
    if (v != null) {
      o.put(key, v.toString());
    }
  }

  static UUID[] uuids(java.util.Collection<UUID> ids) {
    return ids.toArray(new UUID[0]);
  }
}
