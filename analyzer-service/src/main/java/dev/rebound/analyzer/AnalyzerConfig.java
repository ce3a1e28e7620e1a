package dev.rebound.analyzer;

import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The analyzer's configuration, read once from {@link Settings} and validated at start; its keys are in {@link #KEYS}. */
public record AnalyzerConfig(int httpPort, boolean httpEnabled, HttpSecurity security, Optional<Path> rulesFile,
                             int bodyLimitBytes,
                             int maxBatchLines, Duration templateSaveInterval, Duration retention, int pgPoolSize,
                             int pgMaxWaitQueue, boolean synchronousCommit) {

  public static final ConfigKey<Integer> HTTP_PORT = RuntimeKeys.HTTP_PORT.withDefault(8082);
  public static final ConfigKey<String> RULES_FILE = ConfigKey.string("analyzer.rules-file", null,
      "a YAML rule file extending/overriding the built-in catalog");
  public static final ConfigKey<Integer> BODY_LIMIT_BYTES = ConfigKey.integer("analyzer.body-limit-bytes",
      8 * 1024 * 1024, 1024, 64 * 1024 * 1024, "largest request body");
  public static final ConfigKey<Integer> MAX_BATCH_LINES = ConfigKey.integer("analyzer.max-batch-lines", 10_000,
      1, 1_000_000, "most lines of one batch classification");
  public static final ConfigKey<Duration> TEMPLATE_SAVE_INTERVAL = ConfigKey.duration(
      "analyzer.template-save-interval", Duration.ofSeconds(10), "how often learned templates are persisted");
  public static final ConfigKey<Duration> RETENTION = ConfigKey.duration("analyzer.retention", Duration.ofDays(30),
      "per-failure rows kept this long (fingerprint counts stay)");

  public static final ConfigKey<Boolean> SYNCHRONOUS_COMMIT = ConfigKey.bool("analyzer.synchronous-commit", false,
      "wait for PostgreSQL's WAL flush at each analyzer commit; off: its counts and history are derived data, a "
      + "PostgreSQL crash may lose their last fraction of a second (the ledger and retry service always wait)");

  /** Every key the analyzer reads (besides {@link RuntimeKeys}'). */
  public static final List<ConfigKey<?>> KEYS = List.of(HTTP_PORT, RuntimeKeys.HTTP_ENABLED, RULES_FILE,
      BODY_LIMIT_BYTES, MAX_BATCH_LINES, TEMPLATE_SAVE_INTERVAL, RETENTION, SYNCHRONOUS_COMMIT, RuntimeKeys.PG_POOL_SIZE,
      RuntimeKeys.PG_MAX_WAIT_QUEUE);

  public static AnalyzerConfig from(Settings s) {
    Optional<Path> rulesFile = s.find(RULES_FILE).filter(r -> !r.isBlank()).map(rules -> {
      Path p = Path.of(rules);
      if (!Files.isReadable(p)) {
        throw new ConfigException(RULES_FILE.name(), "config key '" + RULES_FILE.name() + "' (env "
            + RULES_FILE.envVar() + "): file '" + rules + "' does not exist or is not readable");
      }
      return p;
    });
    return new AnalyzerConfig(
        s.get(HTTP_PORT),
        s.get(RuntimeKeys.HTTP_ENABLED), HttpSecurity.forService(s),
        rulesFile,
        s.get(BODY_LIMIT_BYTES),
        s.get(MAX_BATCH_LINES),
        s.get(TEMPLATE_SAVE_INTERVAL),
        s.get(RETENTION),
        s.get(RuntimeKeys.PG_POOL_SIZE), s.get(RuntimeKeys.PG_MAX_WAIT_QUEUE), s.get(SYNCHRONOUS_COMMIT));
  }
}
