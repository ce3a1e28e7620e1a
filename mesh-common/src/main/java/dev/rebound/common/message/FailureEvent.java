package dev.rebound.common.message;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A failure reported by a worker or any service. With a {@code taskId} it is one failed attempt of
 * that task (the lease token, when given, must be the current one); without, it is recorded, classified
 * and alerted on all the same. {@code failureId} makes a repeated report idempotent; (task, attempt)
 * does too. {@code task} is what the ledger knows of the task ({@link TaskContext}), set by the ledger when it
 * hands the failure on; a reporter's own is replaced. Build one with {@link #builder()}.
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
    Instant occurredAt,
    TaskContext task) {

  public static final int MAX_MESSAGE = 16 * 1024;
  public static final int MAX_STACK = 64 * 1024;
  private static final Set<String> FIELDS = Set.of("failureId", "taskId", "attempt", "leaseToken", "source",
      "stage", "workflowId", "message", "errorType", "stackTrace", "httpStatus", "exitCode", "sqlState", "details",
      "occurredAt", "task");

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this event's fields, to derive a changed copy. */
  public Builder toBuilder() {
    return new Builder().failureId(failureId).taskId(taskId).attempt(attempt).leaseToken(leaseToken).source(source)
        .stage(stage).workflowId(workflowId).message(message).errorType(errorType).stackTrace(stackTrace)
        .httpStatus(httpStatus).exitCode(exitCode).sqlState(sqlState).details(details).occurredAt(occurredAt).task(task);
  }

  /**
   * Parses and validates a report; unknown fields are refused by name. A failure of a task needs its
   * {@code leaseToken} or {@code attempt}: without either, a stale worker's report would be charged to
   * whoever holds the task now.
   */
  public static FailureEvent fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    JsonObject details = JsonFields.object(o, "details");
    if (details != null && JsonFields.utf8Bytes(JsonFields.storableJson("details", details)) > MAX_STACK) {
      throw ReboundException.invalidField("details", "is larger than " + MAX_STACK + " bytes");
    }
    FailureEvent event = builder()
        .failureId(JsonFields.uuid(o, "failureId"))
        .taskId(JsonFields.uuid(o, "taskId"))
        .attempt(JsonFields.integer(o, "attempt", 1, Integer.MAX_VALUE))
        .leaseToken(JsonFields.uuid(o, "leaseToken"))
        .source(JsonFields.string(o, "source", 200))
        .stage(JsonFields.string(o, "stage", 200))
        .workflowId(JsonFields.string(o, "workflowId", 200))
        .message(JsonFields.requiredString(o, "message", MAX_MESSAGE))
        .errorType(JsonFields.string(o, "errorType", 500))
        .stackTrace(JsonFields.string(o, "stackTrace", MAX_STACK))
        .httpStatus(JsonFields.integer(o, "httpStatus", 100, 599))
        .exitCode(JsonFields.integer(o, "exitCode", -255, 65535))
        .sqlState(sqlState(o))
        .details(details)
        .occurredAt(JsonFields.instant(o, "occurredAt"))
        .task(o.getValue("task") == null ? null : TaskContext.fromJson(JsonFields.object(o, "task")))
        .build();
    if (event.taskId() != null && event.attempt() == null && event.leaseToken() == null) {
      throw ReboundException.badRequest("a failure of a task needs its 'leaseToken' or 'attempt'");
    }
    return event;
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
    if (task != null) {
      o.put("task", task.toJson());
    }
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

  /** Every field is optional except {@code message}. */
  public static final class Builder {
    private UUID failureId;
    private UUID taskId;
    private Integer attempt;
    private UUID leaseToken;
    private String source;
    private String stage;
    private String workflowId;
    private String message;
    private String errorType;
    private String stackTrace;
    private Integer httpStatus;
    private Integer exitCode;
    private String sqlState;
    private JsonObject details;
    private Instant occurredAt;
    private TaskContext task;

    private Builder() {
    }

    public Builder failureId(UUID v) { this.failureId = v; return this; }
    public Builder taskId(UUID v) { this.taskId = v; return this; }
    public Builder attempt(Integer v) { this.attempt = v; return this; }
    public Builder leaseToken(UUID v) { this.leaseToken = v; return this; }
    public Builder source(String v) { this.source = v; return this; }
    public Builder stage(String v) { this.stage = v; return this; }
    public Builder workflowId(String v) { this.workflowId = v; return this; }
    public Builder message(String v) { this.message = v; return this; }
    public Builder errorType(String v) { this.errorType = v; return this; }
    public Builder stackTrace(String v) { this.stackTrace = v; return this; }
    public Builder httpStatus(Integer v) { this.httpStatus = v; return this; }
    public Builder exitCode(Integer v) { this.exitCode = v; return this; }
    public Builder sqlState(String v) { this.sqlState = v; return this; }
    public Builder details(JsonObject v) { this.details = v; return this; }
    public Builder occurredAt(Instant v) { this.occurredAt = v; return this; }
    public Builder task(TaskContext v) { this.task = v; return this; }

    public FailureEvent build() {
      Objects.requireNonNull(message, "a failure needs a message");
      return new FailureEvent(failureId, taskId, attempt, leaseToken, source, stage, workflowId, message, errorType,
          stackTrace, httpStatus, exitCode, sqlState, details, occurredAt, task);
    }
  }
}
