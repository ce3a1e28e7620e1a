package dev.rebound.common.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A task as the ledger shows it, and the one mapping of a task to and from JSON: the ledger emits
 * {@link #toJson()}, clients and the CLI read {@link #fromJson}. {@code leaseToken}, {@code checkpoint}
 * and {@code corruptCheckpoints} are only present on a task returned by a claim (the token proves the
 * lease; the checkpoint is the latest valid one; the corrupt ones were skipped).
 *
 * @param payload            the task's payload as given: a {@link JsonObject} or a {@link JsonArray}
 * @param attemptsThisRun    attempts since the task was enqueued or last redriven
 * @param result             the completion's result, any JSON value, or null
 * @param checkpoint         {@code {sequence, state, checksum, attempt, createdAt}}, or null
 * @param corruptCheckpoints sequences of checkpoints whose checksum did not match (never null)
 */
public record TaskView(
    UUID id,
    String idempotencyKey,
    String workflowId,
    String stage,
    String agent,
    String type,
    Object payload,
    int priority,
    TaskState state,
    int attempt,
    int attemptsThisRun,
    int maxAttempts,
    Instant runAfter,
    String leaseOwner,
    UUID leaseToken,
    Instant leaseExpiresAt,
    long version,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    String lastError,
    String blockedReason,
    Object result,
    JsonObject checkpoint,
    List<Long> corruptCheckpoints) {

  public TaskView {
    corruptCheckpoints = corruptCheckpoints == null ? List.of() : List.copyOf(corruptCheckpoints);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This task as handed to a claimer: with its lease token and where to resume. */
  public TaskView claimed(UUID token, JsonObject latestCheckpoint, List<Long> corrupt) {
    return new TaskView(id, idempotencyKey, workflowId, stage, agent, type, payload, priority, state, attempt,
        attemptsThisRun, maxAttempts, runAfter, leaseOwner, token, leaseExpiresAt, version, createdAt, updatedAt,
        finishedAt, lastError, blockedReason, result, latestCheckpoint, corrupt);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject()
        .put("id", id.toString())
        .put("stage", stage)
        .put("state", state.name())
        .put("priority", priority)
        .put("attempt", attempt)
        .put("attemptsThisRun", attemptsThisRun)
        .put("maxAttempts", maxAttempts)
        .put("version", version);
    put(o, "idempotencyKey", idempotencyKey);
    put(o, "workflowId", workflowId);
    put(o, "agent", agent);
    put(o, "type", type);
    o.put("payload", payload);
    put(o, "runAfter", runAfter);
    put(o, "leaseOwner", leaseOwner);
    put(o, "leaseExpiresAt", leaseExpiresAt);
    put(o, "createdAt", createdAt);
    put(o, "updatedAt", updatedAt);
    put(o, "finishedAt", finishedAt);
    put(o, "lastError", lastError);
    put(o, "blockedReason", blockedReason);
    if (result != null) {
      o.put("result", result);
    }
    if (leaseToken != null) {
      o.put("leaseToken", leaseToken.toString());
    }
    if (checkpoint != null) {
      o.put("checkpoint", checkpoint);
    }
    if (!corruptCheckpoints.isEmpty()) {
      o.put("corruptCheckpoints", new JsonArray(new ArrayList<>(corruptCheckpoints)));
    }
    return o;
  }

  public static TaskView fromJson(JsonObject o) {
    List<Long> corrupt = new ArrayList<>();
    JsonArray c = o.getJsonArray("corruptCheckpoints");
    if (c != null) {
      for (int i = 0; i < c.size(); i++) {
        corrupt.add(c.getLong(i));
      }
    }
    return builder()
        .id(UUID.fromString(o.getString("id")))
        .idempotencyKey(o.getString("idempotencyKey"))
        .workflowId(o.getString("workflowId"))
        .stage(o.getString("stage"))
        .agent(o.getString("agent"))
        .type(o.getString("type"))
        .payload(o.getValue("payload"))
        .priority(o.getInteger("priority", 0))
        .state(TaskState.valueOf(o.getString("state")))
        .attempt(o.getInteger("attempt", 0))
        .attemptsThisRun(o.getInteger("attemptsThisRun", 0))
        .maxAttempts(o.getInteger("maxAttempts", 0))
        .runAfter(instant(o, "runAfter"))
        .leaseOwner(o.getString("leaseOwner"))
        .leaseToken(o.getString("leaseToken") == null ? null : UUID.fromString(o.getString("leaseToken")))
        .leaseExpiresAt(instant(o, "leaseExpiresAt"))
        .version(o.getLong("version", 0L))
        .createdAt(instant(o, "createdAt"))
        .updatedAt(instant(o, "updatedAt"))
        .finishedAt(instant(o, "finishedAt"))
        .lastError(o.getString("lastError"))
        .blockedReason(o.getString("blockedReason"))
        .result(o.getValue("result"))
        .checkpoint(o.getJsonObject("checkpoint"))
        .corruptCheckpoints(corrupt)
        .build();
  }

  private static Instant instant(JsonObject o, String key) {
    String s = o.getString(key);
    return s == null ? null : Instant.parse(s);
  }

  private static void put(JsonObject o, String key, Object v) {
    if (v != null) {
      o.put(key, v instanceof Instant i ? i.toString() : v);
    }
  }

  /** Builds a view field by field (a task has many optional fields). */
  public static final class Builder {
    private UUID id;
    private String idempotencyKey;
    private String workflowId;
    private String stage;
    private String agent;
    private String type;
    private Object payload;
    private int priority;
    private TaskState state;
    private int attempt;
    private int attemptsThisRun;
    private int maxAttempts;
    private Instant runAfter;
    private String leaseOwner;
    private UUID leaseToken;
    private Instant leaseExpiresAt;
    private long version;
    private Instant createdAt;
    private Instant updatedAt;
    private Instant finishedAt;
    private String lastError;
    private String blockedReason;
    private Object result;
    private JsonObject checkpoint;
    private List<Long> corruptCheckpoints = List.of();

    private Builder() {
    }

    public Builder id(UUID v) {
      id = v;
      return this;
    }

    public Builder idempotencyKey(String v) {
      idempotencyKey = v;
      return this;
    }

    public Builder workflowId(String v) {
      workflowId = v;
      return this;
    }

    public Builder stage(String v) {
      stage = v;
      return this;
    }

    public Builder agent(String v) {
      agent = v;
      return this;
    }

    public Builder type(String v) {
      type = v;
      return this;
    }

    public Builder payload(Object v) {
      payload = v;
      return this;
    }

    public Builder priority(int v) {
      priority = v;
      return this;
    }

    public Builder state(TaskState v) {
      state = v;
      return this;
    }

    public Builder attempt(int v) {
      attempt = v;
      return this;
    }

    public Builder attemptsThisRun(int v) {
      attemptsThisRun = v;
      return this;
    }

    public Builder maxAttempts(int v) {
      maxAttempts = v;
      return this;
    }

    public Builder runAfter(Instant v) {
      runAfter = v;
      return this;
    }

    public Builder leaseOwner(String v) {
      leaseOwner = v;
      return this;
    }

    public Builder leaseToken(UUID v) {
      leaseToken = v;
      return this;
    }

    public Builder leaseExpiresAt(Instant v) {
      leaseExpiresAt = v;
      return this;
    }

    public Builder version(long v) {
      version = v;
      return this;
    }

    public Builder createdAt(Instant v) {
      createdAt = v;
      return this;
    }

    public Builder updatedAt(Instant v) {
      updatedAt = v;
      return this;
    }

    public Builder finishedAt(Instant v) {
      finishedAt = v;
      return this;
    }

    public Builder lastError(String v) {
      lastError = v;
      return this;
    }

    public Builder blockedReason(String v) {
      blockedReason = v;
      return this;
    }

    public Builder result(Object v) {
      result = v;
      return this;
    }

    public Builder checkpoint(JsonObject v) {
      checkpoint = v;
      return this;
    }

    public Builder corruptCheckpoints(List<Long> v) {
      corruptCheckpoints = v;
      return this;
    }

    public TaskView build() {
      return new TaskView(id, idempotencyKey, workflowId, stage, agent, type, payload, priority, state, attempt,
          attemptsThisRun, maxAttempts, runAfter, leaseOwner, leaseToken, leaseExpiresAt, version, createdAt, updatedAt,
          finishedAt, lastError, blockedReason, result, checkpoint, corruptCheckpoints);
    }
  }
}
