package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** The lease holder finished a task; {@code resultJson} is its result as JSON text to store, or null. */
public record CompleteRequest(UUID id, UUID leaseToken, String resultJson, String actor) {
  private static final Set<String> FIELDS = Set.of("id", "leaseToken", "result", "actor");

  public CompleteRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(leaseToken, "leaseToken");
  }

  /** @param result null for none */
  public static CompleteRequest of(UUID id, UUID leaseToken, JsonObject result) {
    return new CompleteRequest(id, leaseToken, result == null ? null : result.encode(), null);
  }

  public static CompleteRequest fromJson(JsonObject o, LedgerLimits limits) {
    JsonFields.rejectUnknown(o, FIELDS);
    UUID id = JsonFields.requiredUuid(o, "id");
    UUID token = JsonFields.requiredUuid(o, "leaseToken");
    Object result = o.getValue("result");
    String resultJson = result == null ? null : JsonFields.storableJson("result", result);
    if (resultJson != null && JsonFields.utf8Bytes(resultJson) > limits.payloadBytes()) {
      throw ReboundException.tooLarge("result", JsonFields.utf8Bytes(resultJson), limits.payloadBytes());
    }
    return new CompleteRequest(id, token, resultJson, JsonFields.string(o, "actor", 200));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id.toString()).put("leaseToken", leaseToken.toString());
    if (resultJson != null) {
      o.put("result", JsonOut.decode(resultJson));
    }
    return JsonOut.putIfPresent(o, "actor", actor);
  }
}
