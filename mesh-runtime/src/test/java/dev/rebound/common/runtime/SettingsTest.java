package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @TempDir
  Path dir;

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("rebound.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void getters_return_their_defaults_when_nothing_is_configured() {
    Settings s = Settings.empty();
    assertThat(s.string("ledger.name", "x")).isEqualTo("x");
    assertThat(s.integer("ledger.lease-ms", 30_000, 1, 3_600_000)).isEqualTo(30_000);
    assertThat(s.bool("cluster.enabled", false)).isFalse();
    assertThat(s.duration("shutdown.timeout", Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.list("cluster.members", List.of("127.0.0.1"))).containsExactly("127.0.0.1");
    assertThat(s.secret("notifier.slack.token")).isEmpty();
  }

  @Test
  void a_nested_yaml_file_beats_defaults_and_is_read_as_dotted_keys() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("""
        ledger:
          lease-ms: 45000
          retention: {done: 3d}
        cluster:
          members: [10.0.0.1, 10.0.0.2:5702]
        """)));
    assertThat(s.integer("ledger.lease-ms", 30_000, 1, 3_600_000)).isEqualTo(45_000);
    assertThat(s.duration("ledger.retention.done", Duration.ofDays(7))).isEqualTo(Duration.ofDays(3));
    assertThat(s.list("cluster.members", List.of())).containsExactly("10.0.0.1", "10.0.0.2:5702");
  }

  @Test
  void the_environment_beats_the_yaml_file_and_overrides_beat_the_environment() throws IOException {
    Settings s = Settings.load(Map.of("REBOUND_LEDGER_LEASE_MS", "60000", "REBOUND_CLUSTER_MEMBERS", "a, b,,c"),
        Optional.of(yaml("ledger: {lease-ms: 45000, batch: 10}\n")));
    assertThat(s.integer("ledger.lease-ms", 30_000, 1, 3_600_000)).isEqualTo(60_000);
    assertThat(s.integer("ledger.batch", 1, 1, 100)).isEqualTo(10);
    assertThat(s.list("cluster.members", List.of())).containsExactly("a", "b", "c");

    Settings overridden = s.withOverrides(Map.of("ledger.lease-ms", "90000"));
    assertThat(overridden.integer("ledger.lease-ms", 30_000, 1, 3_600_000)).isEqualTo(90_000);
    assertThat(s.integer("ledger.lease-ms", 30_000, 1, 3_600_000)).isEqualTo(60_000);
  }

  @Test
  void an_empty_environment_variable_counts_as_unset() {
    Settings s = Settings.load(Map.of("REBOUND_LEDGER_NAME", " "), Optional.empty());
    assertThat(s.string("ledger.name", "default")).isEqualTo("default");
  }

  @Test
  void keys_map_to_rebound_environment_variables() {
    assertThat(Settings.envVar("ledger.lease-ms")).isEqualTo("REBOUND_LEDGER_LEASE_MS");
    assertThat(Settings.envVar("pg.pool-size")).isEqualTo("REBOUND_PG_POOL_SIZE");
  }

  @Test
  void booleans_durations_and_longs_accept_their_documented_forms() {
    Settings s = Settings.load(Map.of(
        "REBOUND_A", "yes", "REBOUND_B", "0", "REBOUND_C", "FALSE",
        "REBOUND_D1", "1500", "REBOUND_D2", "500ms", "REBOUND_D3", "30s", "REBOUND_D4", "5m",
        "REBOUND_D5", "2h", "REBOUND_D6", "7d", "REBOUND_BIG", "9000000000"), Optional.empty());
    assertThat(s.bool("a", false)).isTrue();
    assertThat(s.bool("b", true)).isFalse();
    assertThat(s.bool("c", true)).isFalse();
    assertThat(s.duration("d1", Duration.ZERO)).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.duration("d2", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
    assertThat(s.duration("d3", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.duration("d4", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.duration("d5", Duration.ZERO)).isEqualTo(Duration.ofHours(2));
    assertThat(s.duration("d6", Duration.ZERO)).isEqualTo(Duration.ofDays(7));
    assertThat(s.longValue("big", 0, 0, Long.MAX_VALUE)).isEqualTo(9_000_000_000L);
  }

  @Test
  void every_validation_error_names_the_key_the_variable_the_bad_value_and_what_was_expected() {
    Settings s = Settings.load(Map.of(
        "REBOUND_LEDGER_LEASE_MS", "soon", "REBOUND_LEDGER_BATCH", "0", "REBOUND_CLUSTER_ENABLED", "maybe",
        "REBOUND_SHUTDOWN_TIMEOUT", "20 parsecs", "REBOUND_BIG", "-3"), Optional.empty());
    expectInvalid(() -> s.integer("ledger.lease-ms", 1, 1, 10), "ledger.lease-ms",
        e -> assertThat(e).contains("REBOUND_LEDGER_LEASE_MS", "'soon'", "an integer between 1 and 10"));
    expectInvalid(() -> s.integer("ledger.batch", 1, 1, 10), "ledger.batch",
        e -> assertThat(e).contains("REBOUND_LEDGER_BATCH", "'0'", "between 1 and 10"));
    expectInvalid(() -> s.bool("cluster.enabled", false), "cluster.enabled",
        e -> assertThat(e).contains("REBOUND_CLUSTER_ENABLED", "'maybe'", "true, false, yes, no, 1, 0"));
    expectInvalid(() -> s.duration("shutdown.timeout", Duration.ZERO), "shutdown.timeout",
        e -> assertThat(e).contains("REBOUND_SHUTDOWN_TIMEOUT", "'20 parsecs'", "30s"));
    expectInvalid(() -> s.longValue("big", 0, 0, 100), "big",
        e -> assertThat(e).contains("REBOUND_BIG", "'-3'", "between 0 and 100"));
    expectInvalid(() -> s.requiredString("notifier.smtp.host"), "notifier.smtp.host",
        e -> assertThat(e).contains("Missing required", "REBOUND_NOTIFIER_SMTP_HOST"));
  }

  @Test
  void an_invalid_yaml_value_is_reported_as_coming_from_the_yaml_file() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("pg: {port: sixty}\n")));
    expectInvalid(s::pgConnectOptions, "pg.port",
        e -> assertThat(e).contains("REBOUND_PG_PORT", "'sixty'", "yaml", "a TCP port"));
  }

  @Test
  void a_missing_or_unparseable_yaml_file_is_an_error_naming_the_file() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(missing)))
        .isInstanceOf(ConfigException.class).hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    Path broken = yaml("ledger: [unclosed\n");
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(broken)))
        .isInstanceOf(ConfigException.class).hasMessageContaining(broken.toString())
        .hasMessageContaining("not valid YAML");
    Path scalar = yaml("just a string\n");
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(scalar)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mapping");
  }

  @Test
  void postgres_defaults_to_the_local_server_with_pipelining() {
    Settings s = Settings.empty();
    PgConnectOptions pg = s.pgConnectOptions();
    assertThat(pg.getHost()).isEqualTo("127.0.0.1");
    assertThat(pg.getPort()).isEqualTo(5432);
    assertThat(pg.getDatabase()).isEqualTo("postgres");
    assertThat(pg.getUser()).isEqualTo("postgres");
    assertThat(pg.getPipeliningLimit()).isEqualTo(256);
    assertThat(s.pgPoolSize()).isEqualTo(8);
  }

  @Test
  void standard_pg_variables_beat_the_yaml_file_and_rebound_pg_variables_beat_them() throws IOException {
    Path file = yaml("pg: {host: yaml-host, port: 5000, database: yamldb, user: yamluser, pool-size: 4}\n");
    Settings s = Settings.load(Map.of(
        "PGHOST", "pg-host", "PGPORT", "6432", "PGUSER", "pguser", "PGPASSWORD", "pg-secret",
        "REBOUND_PG_HOST", "rebound-host", "REBOUND_PG_PASSWORD", "rebound-secret"), Optional.of(file));
    PgConnectOptions pg = s.pgConnectOptions();
    assertThat(pg.getHost()).isEqualTo("rebound-host");
    assertThat(pg.getPort()).isEqualTo(6432);
    assertThat(pg.getDatabase()).isEqualTo("yamldb");
    assertThat(pg.getUser()).isEqualTo("pguser");
    assertThat(pg.getPassword()).isEqualTo("rebound-secret");
    assertThat(s.pgPoolSize()).isEqualTo(4);
  }

  @Test
  void a_secret_can_come_from_the_file_named_by_its_file_variable() throws IOException {
    Path secretFile = dir.resolve("token");
    Files.writeString(secretFile, "s3cr3t-token\n");
    Settings s = Settings.load(Map.of("REBOUND_NOTIFIER_SLACK_TOKEN_FILE", secretFile.toString(),
        "REBOUND_PG_PASSWORD_FILE", secretFile.toString()), Optional.empty());
    assertThat(s.secret("notifier.slack.token")).contains("s3cr3t-token");
    assertThat(s.pgConnectOptions().getPassword()).isEqualTo("s3cr3t-token");
  }

  @Test
  void an_unreadable_secret_file_is_an_error_naming_the_variable_and_the_file() {
    Path missing = dir.resolve("missing-token");
    Settings s = Settings.load(Map.of("REBOUND_NOTIFIER_SLACK_TOKEN_FILE", missing.toString()), Optional.empty());
    assertThatThrownBy(() -> s.secret("notifier.slack.token"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("REBOUND_NOTIFIER_SLACK_TOKEN_FILE").hasMessageContaining(missing.toString());
  }

  @Test
  void describe_lists_values_and_sources_but_masks_every_secret() throws IOException {
    Settings s = Settings.load(Map.of(
        "PGPASSWORD", "pg-secret-value", "REBOUND_NOTIFIER_SLACK_TOKEN", "slack-secret-value",
        "REBOUND_LEDGER_LEASE_MS", "60000", "REBOUND_UNUSED_API_KEY", "unused-secret-value"),
        Optional.of(yaml("notifier: {webhook-url: 'https://hooks.example/secret-path'}\nretry: {budget: 5}\n")));
    s.pgConnectOptions();
    s.secret("notifier.slack.token");
    s.integer("ledger.lease-ms", 30_000, 1, 3_600_000);

    String described = s.describe();
    assertThat(described)
        .contains("ledger.lease-ms=60000 (env REBOUND_LEDGER_LEASE_MS)", "pg.host=127.0.0.1 (default)",
            "pg.password=**** (env PGPASSWORD)", "notifier.slack.token=****", "retry.budget=5 (yaml)",
            "notifier.webhook-url=****")
        .doesNotContain("pg-secret-value", "slack-secret-value", "secret-path", "unused-secret-value");
    assertThat(s.toString()).doesNotContain("pg-secret-value", "slack-secret-value", "secret-path", "60000");
  }

  @Test
  void a_validation_error_on_a_secret_key_does_not_print_its_value() {
    Settings s = Settings.load(Map.of("REBOUND_NOTIFIER_API_KEY", "not-a-number-secret"), Optional.empty());
    assertThatThrownBy(() -> s.integer("notifier.api-key", 1, 1, 10))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("notifier.api-key")
        .hasMessageNotContaining("not-a-number-secret");
  }

  private static void expectInvalid(Runnable call, String key, Consumer<String> messageCheck) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo(key);
          assertThat(e.getMessage()).contains(key);
          messageCheck.accept(e.getMessage());
        });
  }
}
