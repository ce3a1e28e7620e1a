package dev.rebound.ledger;

import dev.rebound.common.db.GroupCommit;
import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.PolicyException;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.request.LedgerLimits;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.domain.ProvisionalRetry;
import dev.rebound.ledger.domain.FailureCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The ledger's configuration, read once from {@link Settings} and validated at start. Its keys are
 * declared here, each once with its default, doc and validation, and listed in {@link #KEYS}.
 */
public record LedgerConfig(
    int httpPort,
    boolean httpEnabled, HttpSecurity security,
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
    int unparkRate,
    Duration releaseSweepInterval,
    int maxClaimWaiters,
    int maxQueuedWrites,
    Duration maxQueueWait,
    int pgPoolSize, int pgMaxWaitQueue,
    boolean refuseCredentialPayloads,
    FailureCipher failureCipher,
    int batchMaxItems,
    long batchMaxBytes) {

  public static final ConfigKey<Integer> HTTP_PORT = RuntimeKeys.HTTP_PORT.withDefault(8081);
  public static final ConfigKey<Integer> PAYLOAD_LIMIT_BYTES = ConfigKey.integer("ledger.payload-limit-bytes",
      1024 * 1024, 1024, 64 * 1024 * 1024, "largest request body");
  public static final ConfigKey<Long> LEASE_MS = ConfigKey.longValue("ledger.lease-ms", 30_000L, 100,
      24 * 3600_000L, "default lease of a claim (ms)");
  public static final ConfigKey<Long> MAX_LEASE_MS = ConfigKey.longValue("ledger.max-lease-ms", 3600_000L, 100,
      24 * 3600_000L, "longest lease a claim may ask for (ms)");
  public static final ConfigKey<Integer> MAX_CLAIM_BATCH = ConfigKey.integer("ledger.max-claim-batch", 500, 1,
      10_000, "most tasks one claim may take");
  public static final ConfigKey<Long> MAX_WAIT_MS = ConfigKey.longValue("ledger.max-wait-ms", 60_000L, 0, 600_000,
      "longest long-poll of a claim (ms)");
  public static final ConfigKey<Duration> RETRY_BASE = ConfigKey.duration("ledger.retry.base",
      RetryPolicy.DEFAULT_BASE, "provisional retry: first delay");
  public static final ConfigKey<Double> RETRY_MULTIPLIER = ConfigKey.decimal("ledger.retry.multiplier",
      RetryPolicy.DEFAULT_FACTOR, 1, 100, "provisional retry: growth per attempt");
  public static final ConfigKey<Duration> RETRY_CAP = ConfigKey.duration("ledger.retry.cap",
      RetryPolicy.DEFAULT_MAX_DELAY, "provisional retry: longest delay");
  public static final ConfigKey<Integer> RETRY_MAX_ATTEMPTS = ConfigKey.integer("ledger.retry.max-attempts",
      ProvisionalRetry.DEFAULT_MAX_ATTEMPTS, 1, 1000, "provisional retry: attempts per run before dead-lettering");
  public static final ConfigKey<String> RETRY_JITTER = ConfigKey.oneOf("ledger.retry.jitter", "full",
      List.of("none", "full", "equal", "decorrelated"), "provisional retry: jitter");
  public static final ConfigKey<Integer> CHECKPOINTS_KEPT = ConfigKey.integer("ledger.checkpoints-kept", 5, 1,
      1000, "checkpoints kept per task");
  public static final ConfigKey<Duration> RETENTION_DONE = ConfigKey.duration("ledger.retention.done",
      Duration.ofDays(7), "DONE and CANCELLED tasks are pruned after this");
  public static final ConfigKey<Duration> RETENTION_FAILED = ConfigKey.duration("ledger.retention.failed",
      Duration.ofDays(30), "FAILED (dead-lettered) tasks are pruned after this");
  public static final ConfigKey<Duration> LEASE_SWEEP_INTERVAL = ConfigKey.duration("ledger.lease-sweep-interval",
      Duration.ofSeconds(1), "how often expired leases are rescued");
  public static final ConfigKey<Duration> DECISION_TIMEOUT = ConfigKey.duration("ledger.decision-timeout",
      Duration.ofSeconds(30), "a failure without a decision is re-sent after this");
  public static final ConfigKey<Integer> MAX_RESENDS = ConfigKey.integer("ledger.max-resends", 10, 1, 1000,
      "re-sends of an undecided failure before it is marked `EXHAUSTED`");
  public static final ConfigKey<Duration> RETENTION_SWEEP_INTERVAL = ConfigKey.duration(
      "ledger.retention-sweep-interval", Duration.ofMinutes(10), "how often retention runs");
  public static final ConfigKey<Integer> WRITE_BATCH_MAX = ConfigKey.integer("ledger.write-batch-max", 500, 1,
      5000, "most requests one group commit writes");
  public static final ConfigKey<Integer> UNPARK_RATE = ConfigKey.integer("ledger.unpark-rate", 50, 1, 100_000,
      "parked tasks released per second when their stage resumes (all instances together)");
  public static final ConfigKey<Duration> RELEASE_SWEEP_INTERVAL = ConfigKey.duration("ledger.release-sweep-interval",
      Duration.ofSeconds(1), "how often resumed stages release parked tasks and half-open ones look for a probe");
  public static final ConfigKey<Integer> BATCH_MAX_ITEMS = ConfigKey.integer("ledger.batch-max-items",
      LedgerLimits.DEFAULT_BATCH_ITEMS, 1, 100_000, "most items one batch request (enqueue, complete, heartbeat many) may carry");
  public static final ConfigKey<Long> BATCH_MAX_BYTES = ConfigKey.longValue("ledger.batch-max-bytes",
      LedgerLimits.DEFAULT_BATCH_BYTES, 1024, 1024L * 1024 * 1024, "most payload and result bytes one batch request may carry");

  public static final ConfigKey<Boolean> REFUSE_CREDENTIAL_PAYLOADS = ConfigKey.bool(
      "ledger.refuse-credential-payloads", false,
      "refuse (400, naming the field) an enqueued payload that holds something shaped or named like a credential; "
          + "pass a secret's reference instead");
  public static final ConfigKey<String> ENCRYPTION_KEY_FILE = ConfigKey.string("ledger.encryption.key-file", null,
      "encrypt stored failure messages, stack traces and details with AES-GCM; a file of `id:base64-key` lines, "
          + "the first encrypts, all decrypt (rotation)");
  public static final ConfigKey<Integer> MAX_CLAIM_WAITERS = ConfigKey.integer("ledger.max-claim-waiters", 1000, 1,
      1_000_000, "long-poll claims one ledger instance holds at once; one more is answered 429");
  public static final ConfigKey<Integer> MAX_QUEUED_WRITES = ConfigKey.integer("ledger.max-queued-writes", 5000, 1,
      1_000_000, "enqueues, completions, failures or decisions (each) waiting for a group commit; one more is answered 429");
  public static final ConfigKey<Duration> MAX_QUEUE_WAIT = ConfigKey.duration("ledger.max-queue-wait",
      GroupCommit.DEFAULT_MAX_QUEUE_WAIT, "once the oldest write waiting for a group commit (of its kind) has waited this"
          + " long, new work (enqueues, free-standing failures) is answered 429: what is accepted does not wait behind"
          + " seconds of backlog; what finishes admitted work (completions, a task's failure, decisions) is not refused"
          + " for age");

  /** Every key the ledger reads (besides {@link RuntimeKeys}'). */
  public static final List<ConfigKey<?>> KEYS = List.of(HTTP_PORT, RuntimeKeys.HTTP_ENABLED, PAYLOAD_LIMIT_BYTES,
      LEASE_MS, MAX_LEASE_MS, MAX_CLAIM_BATCH, MAX_WAIT_MS, RETRY_BASE, RETRY_MULTIPLIER, RETRY_CAP,
      RETRY_MAX_ATTEMPTS, RETRY_JITTER, CHECKPOINTS_KEPT, RETENTION_DONE, RETENTION_FAILED, LEASE_SWEEP_INTERVAL,
      DECISION_TIMEOUT, MAX_RESENDS, RETENTION_SWEEP_INTERVAL, WRITE_BATCH_MAX, UNPARK_RATE, RELEASE_SWEEP_INTERVAL,
      MAX_CLAIM_WAITERS, MAX_QUEUED_WRITES, MAX_QUEUE_WAIT, RuntimeKeys.PG_POOL_SIZE, RuntimeKeys.PG_MAX_WAIT_QUEUE,
      REFUSE_CREDENTIAL_PAYLOADS, ENCRYPTION_KEY_FILE, BATCH_MAX_ITEMS, BATCH_MAX_BYTES);

  /** The policy field each {@code ledger.retry.*} key sets, so an invalid value is reported by its key. */
  private static final Map<String, String> POLICY_KEYS = Map.of("base", "ledger.retry.base",
      "factor", "ledger.retry.multiplier", "maxDelay", "ledger.retry.cap", "maxRetries", "ledger.retry.max-attempts",
      "jitter", "ledger.retry.jitter");

  public static LedgerConfig from(Settings s) {
    RetryPolicy policy;
    try {
      policy = RetryPolicy.builder().exponential(s.get(RETRY_BASE), s.get(RETRY_MULTIPLIER)).maxDelay(s.get(RETRY_CAP))
          .maxRetries(s.get(RETRY_MAX_ATTEMPTS) - 1).jitter(Jitter.parse("jitter", s.get(RETRY_JITTER))).build();
    } catch (PolicyException e) {
      String key = POLICY_KEYS.getOrDefault(e.field(), "ledger.retry");
      throw new ConfigException(key, "config key '" + key + "' (env " + Settings.envVar(key)
          + "): invalid default retry policy: " + e.problem());
    }
    return new LedgerConfig(
        s.get(HTTP_PORT),
        s.get(RuntimeKeys.HTTP_ENABLED), HttpSecurity.forService(s),
        s.get(PAYLOAD_LIMIT_BYTES),
        s.get(LEASE_MS),
        s.get(MAX_LEASE_MS),
        s.get(MAX_CLAIM_BATCH),
        s.get(MAX_WAIT_MS),
        policy,
        s.get(CHECKPOINTS_KEPT),
        s.get(RETENTION_DONE),
        s.get(RETENTION_FAILED),
        s.get(LEASE_SWEEP_INTERVAL),
        s.get(DECISION_TIMEOUT),
        s.get(MAX_RESENDS),
        s.get(RETENTION_SWEEP_INTERVAL),
        s.get(WRITE_BATCH_MAX),
        s.get(UNPARK_RATE),
        s.get(RELEASE_SWEEP_INTERVAL),
        s.get(MAX_CLAIM_WAITERS),
        s.get(MAX_QUEUED_WRITES),
        s.get(MAX_QUEUE_WAIT),
        s.get(RuntimeKeys.PG_POOL_SIZE), s.get(RuntimeKeys.PG_MAX_WAIT_QUEUE),
        s.get(REFUSE_CREDENTIAL_PAYLOADS),
        s.find(ENCRYPTION_KEY_FILE).map(LedgerConfig::cipher).orElse(FailureCipher.NONE),
        s.get(BATCH_MAX_ITEMS),
        s.get(BATCH_MAX_BYTES));
  }

  /** Reads the key file once, at start: a missing or malformed file stops the start naming the key. */
  private static FailureCipher cipher(String file) {
    String key = ENCRYPTION_KEY_FILE.name();
    try {
      return FailureCipher.fromLines(Files.readAllLines(Path.of(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(key, "Invalid configuration '" + key + "': the key file '" + file + "' cannot be read ("
          + e.getClass().getSimpleName() + ")");
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "Invalid configuration '" + key + "': the key file '" + file + "', "
          + e.getMessage());
    }
  }

  /** The bounds the ledger's requests are parsed with. */
  public LedgerLimits limits() {
    return new LedgerLimits(payloadLimitBytes, maxLeaseMs, maxClaimBatch, maxWaitMs, batchMaxItems, batchMaxBytes);
  }

  /**
   * The body limit of the batch routes: the items' payload bytes plus room for each item's own
   * fields (ids, tokens, idempotency key, stage…).
   */
  public long batchBodyLimit() {
    return batchMaxBytes + batchMaxItems * 2048L + 64L * 1024;
  }
}
