package dev.rebound.analyzer;

import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The analyzer's configuration, read once from {@link Settings} and validated at start. */
public record AnalyzerConfig(int httpPort, boolean httpEnabled, Optional<Path> rulesFile, int bodyLimitBytes,
                             int maxBatchLines, Duration templateSaveInterval, Duration retention, int pgPoolSize) {

  public static final int DEFAULT_HTTP_PORT = 8082;

  public static AnalyzerConfig from(Settings s) {
    String rules = s.string("analyzer.rules-file", null);
    Optional<Path> rulesFile = Optional.empty();
    if (rules != null && !rules.isBlank()) {
      Path p = Path.of(rules);
      if (!Files.isReadable(p)) {
        throw new ConfigException("analyzer.rules-file", "config key 'analyzer.rules-file' (env "
            + Settings.envVar("analyzer.rules-file") + "): file '" + rules + "' does not exist or is not readable");
      }
      rulesFile = Optional.of(p);
    }
    return new AnalyzerConfig(
        s.integer("http.port", DEFAULT_HTTP_PORT, 0, 65535),
        s.bool("http.enabled", true),
        rulesFile,
        s.integer("analyzer.body-limit-bytes", 8 * 1024 * 1024, 1024, 64 * 1024 * 1024),
        s.integer("analyzer.max-batch-lines", 10_000, 1, 1_000_000),
        s.duration("analyzer.template-save-interval", Duration.ofSeconds(10)),
        s.duration("analyzer.retention", Duration.ofDays(30)),
        s.pgPoolSize());
  }
}
