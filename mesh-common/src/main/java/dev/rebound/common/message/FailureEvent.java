package dev.rebound.common.message;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A failure reported by a worker or any service. With a {@code taskId} it is one failed attempt of
 * that task (the lease token, when given, must be the current one); without, it is recorded, classified
 * and alerted on all the same. {@code failureId} makes a repeated report idempotent; (task, attempt)
 * does too.
 */
public record FailureEvent(
    UUID failureId,
    UUID taskId,
    Integer attempt,
    UUID leaseToken,
    String source,
    String stage,
    String workflowId,
    String message,
    String errorType,
    String stackTrace,
    Integer httpStatus,
    Integer exitCode,
    String sqlState,
    JsonObject details,
    Instant occurredAt) {

  public static final int MAX_MESSAGE = 16 * 1024;
  public static final int MAX_STACK = 64 * 1024;

  public static FailureEvent fromJson(JsonObject o) {
    JsonObject details = JsonFields.object(o, "details");
    if (details != null && JsonFields.utf8Bytes(JsonFields.storableJson("details", details)) > MAX_STACK) {
      throw ReboundException.invalidField("details", "is larger than " + MAX_STACK + " bytes");
    }
    return new FailureEvent(
        JsonFields.uuid(o, "failureId"),
        JsonFields.uuid(o, "taskId"),
        JsonFields.integer(o, "attempt", 1, Integer.MAX_VALUE),
        JsonFields.uuid(o, "leaseToken"),
        JsonFields.string(o, "source", 200),
        JsonFields.string(o, "stage", 200),
        JsonFields.string(o, "workflowId", 200),
        JsonFields.requiredString(o, "message", MAX_MESSAGE),
        JsonFields.string(o, "errorType", 500),
        JsonFields.string(o, "stackTrace", MAX_STACK),
        JsonFields.integer(o, "httpStatus", 100, 599),
        JsonFields.integer(o, "exitCode", -255, 65535),
        sqlState(o),
        details,
        JsonFields.instant(o, "occurredAt"));
  }

  private static String sqlState(JsonObject o) {
    String s = JsonFields.string(o, "sqlState", 5);
    if (s != null && !s.matches("[0-9A-Z]{5}")) {
      throw ReboundException.invalidField("sqlState", "must be a 5-character SQLSTATE like 40001");
    }
    return s;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    putIfPresent(o, "failureId", failureId);
    putIfPresent(o, "taskId", taskId);
    putIfPresent(o, "attempt", attempt);
    putIfPresent(o, "leaseToken", leaseToken);
    putIfPresent(o, "source", source);
    putIfPresent(o, "stage", stage);
    putIfPresent(o, "workflowId", workflowId);
    o.put("message", message);
    putIfPresent(o, "errorType", errorType);
    putIfPresent(o, "stackTrace", stackTrace);
    putIfPresent(o, "httpStatus", httpStatus);
    putIfPresent(o, "exitCode", exitCode);
    putIfPresent(o, "sqlState", sqlState);
    putIfPresent(o, "details", details);
    putIfPresent(o, "occurredAt", occurredAt);
    return o;
  }

  static void putIfPresent(JsonObject o, String key, Object value) {
    if (value == null) {
      return;
    }
    if (value instanceof UUID || value instanceof Instant) {
      o.put(key, value.toString());
    } else {
      o.put(key, value);
    }
  }
}
