package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The lease holder saves a checkpoint: {@code stateJson} is the state as the JSON text to store and
 * hash. A given {@code checksum} is the client's SHA-256 of the state; the ledger refuses it if it
 * does not match the bytes it received (its own integrity rule, so it checks that, not this record).
 */
public record CheckpointRequest(UUID id, UUID leaseToken, long sequence, String stateJson, String checksum) {
  private static final Set<String> FIELDS = Set.of("id", "leaseToken", "sequence", "state", "checksum");
  /** The fields of a checkpoint inside a heartbeat, where the id and token are the heartbeat's. */
  private static final Set<String> EMBEDDED = Set.of("sequence", "state", "checksum");

  public CheckpointRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(leaseToken, "leaseToken");
    Objects.requireNonNull(stateJson, "stateJson");
  }

  /** @param checksum the SHA-256 (hex) of {@code state.encode()}, or null */
  public static CheckpointRequest of(UUID id, UUID leaseToken, long sequence, JsonObject state, String checksum) {
    return new CheckpointRequest(id, leaseToken, sequence, state.encode(), checksum);
  }

  public static CheckpointRequest fromJson(JsonObject o, LedgerLimits limits) {
    JsonFields.rejectUnknown(o, FIELDS);
    UUID id = JsonFields.requiredUuid(o, "id");
    UUID token = JsonFields.requiredUuid(o, "leaseToken");
    Long seq = JsonFields.longValue(o, "sequence", 0, Long.MAX_VALUE);
    if (seq == null) {
      throw ReboundException.invalidField("sequence", "is required");
    }
    JsonObject state = JsonFields.object(o, "state");
    if (state == null) {
      throw ReboundException.invalidField("state", "is required (a JSON object)");
    }
    String text = JsonFields.storableJson("state", state);
    if (JsonFields.utf8Bytes(text) > limits.payloadBytes()) {
      throw ReboundException.tooLarge("checkpoint state", JsonFields.utf8Bytes(text), limits.payloadBytes());
    }
    return new CheckpointRequest(id, token, seq, text, JsonFields.string(o, "checksum", 64));
  }

  /** A checkpoint sent inside a heartbeat ({@code {sequence, state, checksum?}}), for that heartbeat's task and lease. */
  static CheckpointRequest embedded(JsonObject checkpoint, UUID id, UUID leaseToken, LedgerLimits limits) {
    JsonFields.rejectUnknown(checkpoint, EMBEDDED, "checkpoint.");
    return fromJson(checkpoint.copy().put("id", id.toString()).put("leaseToken", leaseToken.toString()), limits);
  }

  public JsonObject toJson() {
    return embeddedJson().put("id", id.toString()).put("leaseToken", leaseToken.toString());
  }

  /** The checkpoint as a heartbeat carries it: without the task id and lease token. */
  JsonObject embeddedJson() {
    JsonObject o = new JsonObject().put("sequence", sequence).put("state", JsonOut.decode(stateJson));
    return JsonOut.putIfPresent(o, "checksum", checksum);
  }
}
