package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * A worker asks for up to {@code limit} tasks of a stage (and type), leased for {@code leaseMs} (null:
 * the ledger's default), waiting up to {@code waitMs} for one to arrive (0: answer at once). Build one
 * with {@link #builder(String)}.
 */
public record ClaimRequest(String worker, String stage, String type, int limit, Long leaseMs, long waitMs) {
  public static final long MIN_LEASE_MS = 100;
  private static final Set<String> FIELDS = Set.of("worker", "stage", "type", "limit", "leaseMs", "waitMs");

  public ClaimRequest {
    Objects.requireNonNull(worker, "worker");
  }

  public static Builder builder(String worker) {
    return new Builder(worker);
  }

  public static ClaimRequest fromJson(JsonObject o, LedgerLimits limits) {
    JsonFields.rejectUnknown(o, FIELDS);
    String worker = JsonFields.requiredString(o, "worker", 200);
    Long leaseMs = JsonFields.longValue(o, "leaseMs", MIN_LEASE_MS, limits.maxLeaseMs());
    String stage = JsonFields.name(o, "stage", false);
    String type = JsonFields.name(o, "type", false);
    int limit = JsonFields.integer(o, "limit", 1, 1, limits.maxClaimBatch());
    Long waitMs = JsonFields.longValue(o, "waitMs", 0, limits.maxWaitMs());
    return new ClaimRequest(worker, stage, type, limit, leaseMs, waitMs == null ? 0 : waitMs);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("worker", worker);
    JsonOut.putIfPresent(o, "stage", stage);
    JsonOut.putIfPresent(o, "type", type);
    o.put("limit", limit);
    JsonOut.putIfPresent(o, "leaseMs", leaseMs);
    return o.put("waitMs", waitMs);
  }

  public static final class Builder {
    private final String worker;
    private String stage;
    private String type;
    private int limit = 1;
    private Long leaseMs;
    private long waitMs;

    private Builder(String worker) {
      this.worker = worker;
    }

    public Builder stage(String v) { this.stage = v; return this; }
    public Builder type(String v) { this.type = v; return this; }
    public Builder limit(int v) { this.limit = v; return this; }
    public Builder leaseMs(long v) { this.leaseMs = v; return this; }
    public Builder waitMs(long v) { this.waitMs = v; return this; }

    public ClaimRequest build() {
      return new ClaimRequest(worker, stage, type, limit, leaseMs, waitMs);
    }
  }
}
