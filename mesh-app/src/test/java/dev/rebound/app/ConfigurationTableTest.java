package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.analyzer.AnalyzerConfig;
import dev.rebound.notifier.NotifierConfig;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.retry.RetryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README.md's configuration table is the registry of settings, printed: each row is generated from
 * a {@link ConfigKey} ({@link RuntimeKeys}, {@code LedgerConfig.KEYS}, {@code AnalyzerConfig.KEYS},
 * {@code RetryConfig.KEYS}, {@code NotifierConfig.KEYS}).
 * When a key changes, paste {@code target/configuration-table.md} (written by this test) into the
 * README.
 */
class ConfigurationTableTest {

  private static final Map<String, List<ConfigKey<?>>> REGISTRIES = registries();
  private static final Path README = Path.of("..", "README.md");

  private static Map<String, List<ConfigKey<?>>> registries() {
    Map<String, List<ConfigKey<?>>> r = new LinkedHashMap<>();
    r.put("runtime", RuntimeKeys.ALL);
    r.put("ledger", LedgerConfig.KEYS);
    r.put("analyzer", AnalyzerConfig.KEYS);
    r.put("retry", RetryConfig.KEYS);
    r.put("notifier", NotifierConfig.KEYS);
    return r;
  }

  @Test
  void everySettingOfTheRegistryHasAReadmeRowWithItsVariablesDefaultAndMeaning() throws IOException {
    Map<String, String> expected = generatedRows();
    Files.writeString(Path.of("target", "configuration-table.md"),
        "| key | environment | default | meaning |\n|---|---|---|---|\n" + String.join("\n", expected.values())
            + "\n");
    Map<String, String> readme = readmeRows();
    List<String> wrong = new ArrayList<>();
    expected.forEach((key, row) -> {
      if (!row.equals(readme.get(key))) {
        wrong.add("expected: " + row + "\n   found: " + readme.getOrDefault(key, "(no row)"));
      }
    });
    assertThat(wrong).as("README.md rows that differ from the registry (the whole table is in "
        + "mesh-app/target/configuration-table.md)").isEmpty();
  }

  @Test
  void everyReadmeRowNamesASettingThatExists() throws IOException {
    assertThat(readmeRows().keySet()).as("README.md rows for keys no registry declares")
        .isSubsetOf(generatedRows().keySet());
  }

  /** key -> the README row, in registry order; a key several services declare gets one row. */
  private static Map<String, String> generatedRows() {
    Map<String, Map<String, ConfigKey<?>>> byName = new LinkedHashMap<>();
    REGISTRIES.forEach((registry, keys) -> keys.forEach(
        k -> byName.computeIfAbsent(k.name(), n -> new LinkedHashMap<>()).put(registry, k)));
    Map<String, String> rows = new LinkedHashMap<>();
    byName.forEach((name, declared) -> {
      ConfigKey<?> first = declared.values().iterator().next();
      List<String> vars = new ArrayList<>();
      vars.add("`" + first.envVar() + "`");
      first.standardVars().forEach(v -> vars.add("`" + v + "`"));
      String env = String.join(", ", vars) + (first.secret() ? ", or a file named by `" + first.envVar() + "_FILE`" : "");
      rows.put(name, "| `" + name + "` | " + env + " | " + defaults(declared) + " | " + first.doc() + " |");
    });
    return rows;
  }

  private static String defaults(Map<String, ConfigKey<?>> declared) {
    Map<String, String> byRegistry = new LinkedHashMap<>();
    declared.forEach((registry, key) -> byRegistry.put(registry, defaultCell(key)));
    if (byRegistry.values().stream().distinct().count() == 1) {
      return byRegistry.values().iterator().next();
    }
    return byRegistry.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String defaultCell(ConfigKey<?> key) {
    if (key.defaultValue().isPresent()) {
      return "`" + key.defaultText() + "`";
    }
    return key.defaultText() == null ? "none" : key.defaultText();
  }

  /** key -> row of every table row of README.md's Configuration section. */
  private static Map<String, String> readmeRows() throws IOException {
    Map<String, String> rows = new LinkedHashMap<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(README)) {
      if (line.startsWith("## ")) {
        inSection = line.equals("## Configuration");
      } else if (inSection && line.startsWith("| `")) {
        String key = line.substring(3, line.indexOf('`', 3));
        rows.put(key, line.strip());
      }
    }
    return rows;
  }
}
