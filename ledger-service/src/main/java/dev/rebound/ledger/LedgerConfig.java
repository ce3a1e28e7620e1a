package dev.rebound.ledger;

import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.PolicyException;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.domain.ProvisionalRetry;
import java.time.Duration;
import java.util.Map;

/**
 * The ledger's configuration, read once from {@link Settings} and validated at start. Keys (YAML
 * path / environment variable {@code REBOUND_<KEY>}): see {@link #from(Settings)}.
 */
public record LedgerConfig(
    int httpPort,
    boolean httpEnabled,
    int payloadLimitBytes,
    long defaultLeaseMs,
    long maxLeaseMs,
    int maxClaimBatch,
    long maxWaitMs,
    RetryPolicy defaultPolicy,
    int checkpointsKept,
    Duration doneRetention,
    Duration failedRetention,
    Duration leaseSweepInterval,
    Duration decisionTimeout,
    int maxResends,
    Duration retentionSweepInterval,
    int writeBatchMax,
    int pgPoolSize) {

  public static final int DEFAULT_HTTP_PORT = 8081;

  /** The policy field each {@code ledger.retry.*} key sets, so an invalid value is reported by its key. */
  private static final Map<String, String> POLICY_KEYS = Map.of("base", "ledger.retry.base",
      "factor", "ledger.retry.multiplier", "maxDelay", "ledger.retry.cap", "maxRetries", "ledger.retry.max-attempts",
      "jitter", "ledger.retry.jitter");

  public static LedgerConfig from(Settings s) {
    Duration base = s.duration("ledger.retry.base", RetryPolicy.DEFAULT_BASE);
    Duration cap = s.duration("ledger.retry.cap", RetryPolicy.DEFAULT_MAX_DELAY);
    double multiplier = decimal(s, "ledger.retry.multiplier", RetryPolicy.DEFAULT_FACTOR);
    int maxAttempts = s.integer("ledger.retry.max-attempts", ProvisionalRetry.DEFAULT_MAX_ATTEMPTS, 1, 1000);
    String jitter = s.string("ledger.retry.jitter", "full");
    RetryPolicy policy;
    try {
      policy = RetryPolicy.builder().exponential(base, multiplier).maxDelay(cap).maxRetries(maxAttempts - 1)
          .jitter(Jitter.parse("jitter", jitter)).build();
    } catch (PolicyException e) {
      String key = POLICY_KEYS.getOrDefault(e.field(), "ledger.retry");
      throw new ConfigException(key, "config key '" + key + "' (env " + Settings.envVar(key)
          + "): invalid default retry policy: " + e.problem());
    }
    return new LedgerConfig(
        s.integer("http.port", DEFAULT_HTTP_PORT, 0, 65535),
        s.bool("http.enabled", true),
        s.integer("ledger.payload-limit-bytes", 1024 * 1024, 1024, 64 * 1024 * 1024),
        s.longValue("ledger.lease-ms", 30_000, 100, 24 * 3600_000L),
        s.longValue("ledger.max-lease-ms", 3600_000, 100, 24 * 3600_000L),
        s.integer("ledger.max-claim-batch", 500, 1, 10_000),
        s.longValue("ledger.max-wait-ms", 60_000, 0, 600_000),
        policy,
        s.integer("ledger.checkpoints-kept", 5, 1, 1000),
        s.duration("ledger.retention.done", Duration.ofDays(7)),
        s.duration("ledger.retention.failed", Duration.ofDays(30)),
        s.duration("ledger.lease-sweep-interval", Duration.ofSeconds(1)),
        s.duration("ledger.decision-timeout", Duration.ofSeconds(30)),
        s.integer("ledger.max-resends", 10, 1, 1000),
        s.duration("ledger.retention-sweep-interval", Duration.ofMinutes(10)),
        s.integer("ledger.write-batch-max", 500, 1, 5000),
        s.pgPoolSize());
  }

  private static double decimal(Settings s, String key, double def) {
    String raw = s.string(key, null);
    if (raw == null) {
      return def;
    }
    try {
      return Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "config key '" + key + "' (env " + Settings.envVar(key) + "): '" + raw
          + "' is not a number");
    }
  }
}
