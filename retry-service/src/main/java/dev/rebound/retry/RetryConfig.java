package dev.rebound.retry;

import dev.rebound.common.policy.PolicyException;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import dev.rebound.retry.domain.DecisionRules;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The retry service's configuration, read once from {@link Settings} and validated at start; its keys are
 * in {@link #KEYS}. The decision rules come from the {@code retry.*} maps of the YAML file
 * ({@code retry.policies.<stage>}, {@code retry.conditions}, {@code retry.circuits}, {@code retry.budgets},
 * {@code retry.abort}: see "The retry service" in docs/architecture.md), read by {@link DecisionRules#fromMap};
 * an error names the key.
 */
public record RetryConfig(int httpPort, boolean httpEnabled, HttpSecurity security, int pgPoolSize, int pgMaxWaitQueue,
                          DecisionRules rules,
                          Duration sweepInterval, Duration ledgerTimeout, Duration lockTimeout, int bodyLimitBytes,
                          Duration retention) {

  public static final ConfigKey<Integer> HTTP_PORT = RuntimeKeys.HTTP_PORT.withDefault(8083);
  public static final ConfigKey<Double> TIME_SCALE = ConfigKey.decimal("retry.time-scale", 1.0, 0.000001, 1000,
      "multiplies every duration of the retry rules (tests and demos run real schedules fast)");
  public static final ConfigKey<Map<String, Object>> POLICIES = ConfigKey.section("retry.policies",
      "the built-in stage policies", "a map per stage overriding its retry policy field by field (YAML only)");
  public static final ConfigKey<Map<String, Object>> CONDITIONS = ConfigKey.section("retry.conditions",
      "verdict, then known permanent signatures", "what is retried: `default` and per stage (YAML only)");
  public static final ConfigKey<Map<String, Object>> CIRCUITS = ConfigKey.section("retry.circuits",
      "5 consecutive or 50 % of 20, open 30s", "circuit breakers: `stage`, `agent`, `dependency`, `names` (YAML only)");
  public static final ConfigKey<Map<String, Object>> BUDGETS = ConfigKey.section("retry.budgets",
      "20 % of first attempts + 10/s over 10s", "retry budgets: `stage`, `global`, `stages` (YAML only)");
  public static final ConfigKey<Map<String, Object>> ABORT = ConfigKey.section("retry.abort",
      "over 50 % of the last 10 attempts", "workflow abort policy (YAML only)");
  public static final ConfigKey<Duration> SWEEP_INTERVAL = ConfigKey.duration("retry.sweep-interval",
      Duration.ofSeconds(1), "how often open circuits are checked for half-opening");
  public static final ConfigKey<Duration> LEDGER_TIMEOUT = ConfigKey.duration("retry.ledger-timeout",
      Duration.ofSeconds(10), "how long a request to the ledger may take");
  public static final ConfigKey<Duration> LOCK_TIMEOUT = ConfigKey.duration("retry.lock-timeout",
      Duration.ofSeconds(5), "longest wait for the cluster-wide lock on the shared retry state");
  public static final ConfigKey<Integer> BODY_LIMIT_BYTES = ConfigKey.integer("retry.body-limit-bytes",
      1024 * 1024, 1024, 64 * 1024 * 1024, "largest request body");
  public static final ConfigKey<Duration> RETENTION = ConfigKey.duration("retry.retention", Duration.ofDays(30),
      "decisions and circuit transitions kept this long");

  /** Every key the retry service reads (besides {@link RuntimeKeys}'). */
  public static final List<ConfigKey<?>> KEYS = List.of(HTTP_PORT, RuntimeKeys.HTTP_ENABLED, TIME_SCALE, POLICIES,
      CONDITIONS, CIRCUITS, BUDGETS, ABORT, SWEEP_INTERVAL, LEDGER_TIMEOUT, LOCK_TIMEOUT, BODY_LIMIT_BYTES, RETENTION,
      RuntimeKeys.PG_POOL_SIZE, RuntimeKeys.PG_MAX_WAIT_QUEUE);

  public static RetryConfig from(Settings s) {
    return new RetryConfig(
        s.get(HTTP_PORT),
        s.get(RuntimeKeys.HTTP_ENABLED), HttpSecurity.forService(s),
        s.get(RuntimeKeys.PG_POOL_SIZE), s.get(RuntimeKeys.PG_MAX_WAIT_QUEUE),
        rules(s),
        positive(SWEEP_INTERVAL, s.get(SWEEP_INTERVAL)),
        positive(LEDGER_TIMEOUT, s.get(LEDGER_TIMEOUT)),
        positive(LOCK_TIMEOUT, s.get(LOCK_TIMEOUT)),
        s.get(BODY_LIMIT_BYTES),
        positive(RETENTION, s.get(RETENTION)));
  }

  /** The {@code retry} section as {@link DecisionRules#fromMap} reads it; a bad value names its key. */
  static DecisionRules rules(Settings s) {
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("time-scale", String.valueOf(s.get(TIME_SCALE)));
    for (ConfigKey<Map<String, Object>> key : List.of(POLICIES, CONDITIONS, CIRCUITS, BUDGETS, ABORT)) {
      Map<String, Object> tree = s.get(key);
      if (!tree.isEmpty()) {
        section.put(key.name().substring("retry.".length()), tree);
      }
    }
    try {
      return DecisionRules.fromMap("retry", section);
    } catch (PolicyException e) {
      throw new ConfigException(e.field(), "Invalid configuration '" + e.field() + "': " + e.problem());
    }
  }

  private static Duration positive(ConfigKey<Duration> key, Duration d) {
    if (d.isZero()) {
      throw new ConfigException(key.name(), "Invalid configuration '" + key.name() + "' (env " + key.envVar()
          + "): must be above zero");
    }
    return d;
  }
}
