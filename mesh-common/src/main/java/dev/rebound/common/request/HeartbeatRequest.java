package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The lease holder extends its lease ({@code leaseMs} null: by the lease's own length), optionally
 * saving a checkpoint first ({@code checkpoint} is for the same task and lease, or null).
 */
public record HeartbeatRequest(UUID id, UUID leaseToken, Long leaseMs, CheckpointRequest checkpoint) {
  private static final Set<String> FIELDS = Set.of("id", "leaseToken", "leaseMs", "checkpoint");

  public HeartbeatRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(leaseToken, "leaseToken");
    if (checkpoint != null && (!checkpoint.id().equals(id) || !checkpoint.leaseToken().equals(leaseToken))) {
      throw new IllegalArgumentException("a heartbeat's checkpoint must be for the same task and lease");
    }
  }

  public static HeartbeatRequest of(UUID id, UUID leaseToken) {
    return new HeartbeatRequest(id, leaseToken, null, null);
  }

  public static HeartbeatRequest fromJson(JsonObject o, LedgerLimits limits) {
    JsonFields.rejectUnknown(o, FIELDS);
    UUID id = JsonFields.requiredUuid(o, "id");
    UUID token = JsonFields.requiredUuid(o, "leaseToken");
    Long leaseMs = JsonFields.longValue(o, "leaseMs", ClaimRequest.MIN_LEASE_MS, limits.maxLeaseMs());
    JsonObject checkpoint = JsonFields.object(o, "checkpoint");
    return new HeartbeatRequest(id, token, leaseMs,
        checkpoint == null ? null : CheckpointRequest.embedded(checkpoint, id, token, limits));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id.toString()).put("leaseToken", leaseToken.toString());
    JsonOut.putIfPresent(o, "leaseMs", leaseMs);
    return checkpoint == null ? o : o.put("checkpoint", checkpoint.embeddedJson());
  }
}
