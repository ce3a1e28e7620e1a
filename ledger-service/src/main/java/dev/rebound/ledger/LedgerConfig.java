package dev.rebound.ledger;

import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.domain.BackoffPolicy;
import java.time.Duration;
import java.util.Locale;

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
    BackoffPolicy defaultPolicy,
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

  public static LedgerConfig from(Settings s) {
    BackoffPolicy policy;
    Duration base = s.duration("ledger.retry.base", BackoffPolicy.DEFAULT_BASE);
    Duration cap = s.duration("ledger.retry.cap", BackoffPolicy.DEFAULT_CAP);
    double multiplier = decimal(s, "ledger.retry.multiplier", BackoffPolicy.DEFAULT_MULTIPLIER);
    int maxAttempts = s.integer("ledger.retry.max-attempts", BackoffPolicy.DEFAULT_MAX_ATTEMPTS, 1, 1000);
    String jitter = s.string("ledger.retry.jitter", "full").toUpperCase(Locale.ROOT);
    try {
      policy = new BackoffPolicy(base, multiplier, cap, maxAttempts, BackoffPolicy.Jitter.valueOf(jitter));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ledger.retry", "invalid default retry policy: " + e.getMessage()
          + " (jitter must be full, equal or none)");
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
