package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A new task. {@code payloadJson} is the payload as the JSON text to store ({@code {}} when none was
 * given); {@code maxAttempts} null means the ledger's default policy; {@code runAfter} and
 * {@code delayMs} exclude each other (see {@link #runAfter(Instant)}). Build one with
 * {@link #builder(String)}.
 */
public record EnqueueRequest(String idempotencyKey, String workflowId, String stage, String agent, String type,
                             String payloadJson, int priority, Integer maxAttempts, Instant runAfter, Long delayMs,
                             String actor) {
  private static final Set<String> FIELDS = Set.of("idempotencyKey", "workflowId", "stage", "agent", "type",
      "payload", "priority", "maxAttempts", "runAfter", "delayMs", "actor");
  private static final long MAX_DELAY_MS = 365L * 24 * 3600_000;

  public EnqueueRequest {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(payloadJson, "payloadJson");
  }

  public static Builder builder(String stage) {
    return new Builder(stage);
  }

  public static EnqueueRequest fromJson(JsonObject o, LedgerLimits limits) {
    JsonFields.rejectUnknown(o, FIELDS);
    String stage = JsonFields.name(o, "stage", true);
    Object payload = o.getValue("payload");
    if (payload != null && !(payload instanceof JsonObject) && !(payload instanceof JsonArray)) {
      throw ReboundException.invalidField("payload", "must be a JSON object or array");
    }
    String payloadJson = payload == null ? "{}" : JsonFields.storableJson("payload", payload);
    int bytes = JsonFields.utf8Bytes(payloadJson);
    if (bytes > limits.payloadBytes()) {
      throw ReboundException.tooLarge("payload", bytes, limits.payloadBytes());
    }
    Instant runAfter = JsonFields.instant(o, "runAfter");
    Long delayMs = JsonFields.longValue(o, "delayMs", 0, MAX_DELAY_MS);
    if (runAfter != null && delayMs != null) {
      throw ReboundException.badRequest("give either 'runAfter' or 'delayMs', not both");
    }
    String actor = JsonFields.string(o, "actor", 200);
    return new EnqueueRequest(JsonFields.string(o, "idempotencyKey", 256), JsonFields.name(o, "workflowId", false),
        stage, JsonFields.string(o, "agent", 200), JsonFields.name(o, "type", false), payloadJson,
        JsonFields.integer(o, "priority", 0, -1000, 1000), JsonFields.integer(o, "maxAttempts", 1, 1000),
        runAfter, delayMs, actor);
  }

  /** When the task becomes claimable: {@code runAfter}, or {@code now + delayMs}, or null (now). */
  public Instant runAfter(Instant now) {
    return delayMs != null ? now.plusMillis(delayMs) : runAfter;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    JsonOut.putIfPresent(o, "idempotencyKey", idempotencyKey);
    JsonOut.putIfPresent(o, "workflowId", workflowId);
    o.put("stage", stage);
    JsonOut.putIfPresent(o, "agent", agent);
    JsonOut.putIfPresent(o, "type", type);
    o.put("payload", JsonOut.decode(payloadJson));
    o.put("priority", priority);
    JsonOut.putIfPresent(o, "maxAttempts", maxAttempts);
    JsonOut.putIfPresent(o, "runAfter", runAfter);
    JsonOut.putIfPresent(o, "delayMs", delayMs);
    return JsonOut.putIfPresent(o, "actor", actor);
  }

  /** Only {@code stage} is required. */
  public static final class Builder {
    private final String stage;
    private String idempotencyKey;
    private String workflowId;
    private String agent;
    private String type;
    private String payloadJson = "{}";
    private int priority;
    private Integer maxAttempts;
    private Instant runAfter;
    private Long delayMs;
    private String actor;

    private Builder(String stage) {
      this.stage = stage;
    }

    public Builder idempotencyKey(String v) { this.idempotencyKey = v; return this; }
    public Builder workflowId(String v) { this.workflowId = v; return this; }
    public Builder agent(String v) { this.agent = v; return this; }
    public Builder type(String v) { this.type = v; return this; }
    public Builder payload(JsonObject v) { this.payloadJson = v.encode(); return this; }
    public Builder payload(JsonArray v) { this.payloadJson = v.encode(); return this; }
    public Builder priority(int v) { this.priority = v; return this; }
    public Builder maxAttempts(int v) { this.maxAttempts = v; return this; }
    public Builder runAfter(Instant v) { this.runAfter = v; return this; }
    public Builder delayMs(long v) { this.delayMs = v; return this; }
    public Builder actor(String v) { this.actor = v; return this; }

    public EnqueueRequest build() {
      return new EnqueueRequest(idempotencyKey, workflowId, stage, agent, type, payloadJson, priority, maxAttempts,
          runAfter, delayMs, actor);
    }
  }
}
