package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.text.Redactor;
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

  private static final ConfigKey<String> NAME = ConfigKey.string("ledger.name", "x", "a name");
  private static final ConfigKey<Long> LEASE_MS = ConfigKey.longValue("ledger.lease-ms", 30_000L, 1, 3_600_000,
      "lease");
  private static final ConfigKey<Integer> BATCH = ConfigKey.integer("ledger.batch", 1, 1, 100, "batch");
  private static final ConfigKey<Duration> DONE = ConfigKey.duration("ledger.retention.done", Duration.ofDays(7),
      "done");
  private static final ConfigKey<Duration> SWEEP = ConfigKey.duration("ledger.lease-sweep-interval",
      Duration.ofSeconds(1), "sweep");
  private static final ConfigKey<Double> MULTIPLIER = ConfigKey.decimal("ledger.retry.multiplier", 2.0, 1, 10,
      "multiplier");
  private static final ConfigKey<String> SLACK_TOKEN = ConfigKey.secret("notifier.slack.token", "token");
  private static final List<ConfigKey<?>> LEDGER_KEYS = List.of(NAME, LEASE_MS, BATCH, DONE, SWEEP, MULTIPLIER);

  @TempDir
  Path dir;

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("rebound.yaml");
    Files.writeString(file, text);
    return file;
  }

  // ------------------------------------------------------------------ reading

  @Test
  void everyKeyReadsAsItsDeclaredDefaultWhenNothingIsConfigured() {
    Settings s = Settings.empty();
    assertThat(s.get(NAME)).isEqualTo("x");
    assertThat(s.get(LEASE_MS)).isEqualTo(30_000L);
    assertThat(s.get(RuntimeKeys.CLUSTER_ENABLED)).isFalse();
    assertThat(s.get(RuntimeKeys.SHUTDOWN_TIMEOUT)).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.get(RuntimeKeys.CLUSTER_MEMBERS)).containsExactly("127.0.0.1");
    assertThat(s.find(SLACK_TOKEN)).isEmpty();
    assertThat(s.find(RuntimeKeys.CLUSTER_BUS_HOST)).isEmpty();
  }

  @Test
  void aKeyWithoutADefaultThatNothingSetsIsMissingAndTheErrorNamesItsVariable() {
    ConfigKey<String> host = ConfigKey.string("notifier.smtp.host", null, "SMTP host");
    expectInvalid(() -> Settings.empty().get(host), "notifier.smtp.host",
        e -> assertThat(e).contains("Missing required", "REBOUND_NOTIFIER_SMTP_HOST"));
  }

  @Test
  void aListOfMapsIsReadWholeByItsItemsKeyAndAMapBelowASectionKeepsItsLists() throws IOException {
    ConfigKey<List<Object>> receivers = ConfigKey.items("notifier.receivers", "none", "receivers");
    ConfigKey<Map<String, Object>> route = ConfigKey.section("notifier.route", "none", "route");
    Settings s = Settings.load(java.util.Map.of(), java.util.Optional.of(yaml("""
        notifier:
          receivers:
            - name: team-slack
              slack: {url-file: /run/secrets/slack}
          route:
            receiver: team-slack
            routes:
              - matchers: ['kind="dead-letter"']
                continue: true
        """)));
    s.requireKnown(List.of(receivers, route));
    assertThat(s.get(receivers)).isEqualTo(List.of(Map.of("name", "team-slack",
        "slack", Map.of("url-file", "/run/secrets/slack"))));
    assertThat(s.get(route)).isEqualTo(Map.of("receiver", "team-slack", "routes", List.of(
        Map.of("matchers", List.of("kind=\"dead-letter\""), "continue", "true"))));
    assertThat(s.describe()).contains("notifier.receivers=(a list of 1)").doesNotContain("/run/secrets/slack");
    ConfigKey<List<String>> plain = ConfigKey.list("notifier.receivers", List.of(), "plain");
    expectInvalid(() -> s.get(plain), "notifier.receivers", m -> assertThat(m).contains("not a YAML list of maps"));
  }

  @Test
  void aNestedYamlFileBeatsDefaultsAndIsReadAsDottedKeys() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("""
        ledger:
          lease-ms: 45000
          retention: {done: 3d}
        cluster:
          members: [10.0.0.1, 10.0.0.2:5702]
        """)));
    assertThat(s.get(LEASE_MS)).isEqualTo(45_000L);
    assertThat(s.get(DONE)).isEqualTo(Duration.ofDays(3));
    assertThat(s.get(RuntimeKeys.CLUSTER_MEMBERS)).containsExactly("10.0.0.1", "10.0.0.2:5702");
  }

  @Test
  void theEnvironmentBeatsTheYamlFileAndOverridesBeatTheEnvironment() throws IOException {
    Settings s = Settings.load(Map.of("REBOUND_LEDGER_LEASE_MS", "60000", "REBOUND_CLUSTER_MEMBERS", "a, b,,c"),
        Optional.of(yaml("ledger: {lease-ms: 45000, batch: 10}\n")));
    assertThat(s.get(LEASE_MS)).isEqualTo(60_000L);
    assertThat(s.get(BATCH)).isEqualTo(10);
    assertThat(s.get(RuntimeKeys.CLUSTER_MEMBERS)).containsExactly("a", "b", "c");

    Settings overridden = s.withOverrides(Map.of("ledger.lease-ms", "90000"));
    assertThat(overridden.get(LEASE_MS)).isEqualTo(90_000L);
    assertThat(s.get(LEASE_MS)).isEqualTo(60_000L);
  }

  @Test
  void anEmptyEnvironmentVariableCountsAsUnset() {
    Settings s = Settings.load(Map.of("REBOUND_LEDGER_NAME", " "), Optional.empty());
    assertThat(s.get(NAME)).isEqualTo("x");
  }

  @Test
  void keysMapToReboundEnvironmentVariables() {
    assertThat(Settings.envVar("ledger.lease-ms")).isEqualTo("REBOUND_LEDGER_LEASE_MS");
    assertThat(RuntimeKeys.PG_POOL_SIZE.envVar()).isEqualTo("REBOUND_PG_POOL_SIZE");
  }

  @Test
  void booleansDurationsAndNumbersAcceptTheirDocumentedForms() {
    ConfigKey<Boolean> flag = ConfigKey.bool("t.flag", false, "flag");
    ConfigKey<Duration> wait = ConfigKey.duration("t.wait", Duration.ZERO, "wait");
    ConfigKey<Long> big = ConfigKey.longValue("t.big", 0L, 0, Long.MAX_VALUE, "big");
    assertThat(List.of("yes", "1", "TRUE", "true")).allSatisfy(v -> assertThat(withEnv("REBOUND_T_FLAG", v).get(flag)).isTrue());
    assertThat(List.of("no", "0", "FALSE")).allSatisfy(v -> assertThat(withEnv("REBOUND_T_FLAG", v).get(flag)).isFalse());
    assertThat(withEnv("REBOUND_T_WAIT", "1500").get(wait)).isEqualTo(Duration.ofMillis(1500));
    assertThat(withEnv("REBOUND_T_WAIT", "500ms").get(wait)).isEqualTo(Duration.ofMillis(500));
    assertThat(withEnv("REBOUND_T_WAIT", "30s").get(wait)).isEqualTo(Duration.ofSeconds(30));
    assertThat(withEnv("REBOUND_T_WAIT", "5m").get(wait)).isEqualTo(Duration.ofMinutes(5));
    assertThat(withEnv("REBOUND_T_WAIT", "2h").get(wait)).isEqualTo(Duration.ofHours(2));
    assertThat(withEnv("REBOUND_T_WAIT", "7d").get(wait)).isEqualTo(Duration.ofDays(7));
    assertThat(withEnv("REBOUND_T_BIG", "9000000000").get(big)).isEqualTo(9_000_000_000L);
    assertThat(withEnv("REBOUND_T_BIG", "1_000").get(big)).isEqualTo(1000L);
    assertThat(withEnv("REBOUND_LEDGER_RETRY_MULTIPLIER", "1.5").get(MULTIPLIER)).isEqualTo(1.5);
  }

  @Test
  void everyValidationErrorNamesTheKeyTheVariableTheBadValueAndWhatWasExpected() {
    Settings s = Settings.load(Map.of(
        "REBOUND_LEDGER_LEASE_MS", "soon", "REBOUND_LEDGER_BATCH", "0", "REBOUND_CLUSTER_ENABLED", "maybe",
        "REBOUND_SHUTDOWN_TIMEOUT", "20 parsecs", "REBOUND_LEDGER_RETRY_MULTIPLIER", "1e1"), Optional.empty());
    expectInvalid(() -> s.get(LEASE_MS), "ledger.lease-ms",
        e -> assertThat(e).contains("REBOUND_LEDGER_LEASE_MS", "'soon'", "an integer between 1 and 3600000"));
    expectInvalid(() -> s.get(BATCH), "ledger.batch",
        e -> assertThat(e).contains("REBOUND_LEDGER_BATCH", "'0'", "between 1 and 100"));
    expectInvalid(() -> s.get(RuntimeKeys.CLUSTER_ENABLED), "cluster.enabled",
        e -> assertThat(e).contains("REBOUND_CLUSTER_ENABLED", "'maybe'", "true, false, yes, no, 1, 0"));
    expectInvalid(() -> s.get(RuntimeKeys.SHUTDOWN_TIMEOUT), "shutdown.timeout",
        e -> assertThat(e).contains("REBOUND_SHUTDOWN_TIMEOUT", "'20 parsecs'", "30s"));
    expectInvalid(() -> s.get(MULTIPLIER), "ledger.retry.multiplier",
        e -> assertThat(e).contains("REBOUND_LEDGER_RETRY_MULTIPLIER", "'1e1'", "a number between 1 and 10"));
  }

  @Test
  void anInvalidYamlValueIsReportedAsComingFromTheYamlFile() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("pg: {port: sixty}\n")));
    expectInvalid(s::pgConnectOptions, "pg.port",
        e -> assertThat(e).contains("REBOUND_PG_PORT", "'sixty'", "yaml", "between 1 and 65535"));
  }

  @Test
  void aYamlListWhereOneValueIsExpectedIsAnError() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("pg: {host: [a, b]}\n")));
    expectInvalid(s::pgConnectOptions, "pg.host", e -> assertThat(e).contains("not a YAML list"));
  }

  // ------------------------------------------------------------------ strict YAML

  @Test
  void yamlScalarsStayTheTextTheyWereWrittenAs() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("""
        pg:
          password: 0123
          user: off
          database: 1e3
          host: 0x1F
        cluster:
          name: yes
          config-file: 2024-01-01
        ledger:
          name: ~
        """)));
    PgConnectOptions pg = s.pgConnectOptions();
    assertThat(pg.getPassword()).isEqualTo("0123");
    assertThat(pg.getUser()).isEqualTo("off");
    assertThat(pg.getDatabase()).isEqualTo("1e3");
    assertThat(pg.getHost()).isEqualTo("0x1F");
    assertThat(s.get(RuntimeKeys.CLUSTER_NAME)).isEqualTo("yes");
    assertThat(s.find(RuntimeKeys.CLUSTER_CONFIG_FILE)).contains("2024-01-01");
    assertThat(s.get(NAME)).as("~ means not set").isEqualTo("x");
  }

  @Test
  void typedReadsParseTheWrittenTextSoOctalAndExponentFormsAreNotNumbers() throws IOException {
    Settings octal = Settings.load(Map.of(), Optional.of(yaml("ledger: {batch: 010}\n")));
    assertThat(octal.get(BATCH)).as("decimal, not octal 8").isEqualTo(10);
    for (String text : List.of("1e1", "0x1F", "on")) {
      Settings s = Settings.load(Map.of(), Optional.of(yaml("ledger: {batch: " + text + "}\n")));
      expectInvalid(() -> s.get(BATCH), "ledger.batch", e -> assertThat(e).contains("'" + text + "'", "yaml"));
    }
    Settings on = Settings.load(Map.of(), Optional.of(yaml("cluster: {enabled: on}\n")));
    expectInvalid(() -> on.get(RuntimeKeys.CLUSTER_ENABLED), "cluster.enabled", e -> assertThat(e).contains("'on'"));
  }

  @Test
  void aRepeatedYamlKeyIsAnErrorNamingTheKeyAndTheFile() throws IOException {
    Path file = yaml("""
        ledger:
          lease-ms: 1000
          batch: 5
          lease-ms: 2000
        """);
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(file)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("lease-ms"))
        .hasMessageContaining(file.toString()).hasMessageContaining("'lease-ms' twice")
        .hasMessageContaining("line 4");
  }

  @Test
  void aKeySetBothNestedAndDottedIsARepeatedKey() throws IOException {
    Path file = yaml("ledger: {lease-ms: 1000}\nledger.lease-ms: 2000\n");
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("'ledger.lease-ms' twice");
  }

  @Test
  void aMissingOrUnparseableYamlFileIsAnErrorNamingTheFileWithoutQuotingItsText() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(missing)))
        .isInstanceOf(ConfigException.class).hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    Path broken = yaml("pg: {password: hunter2-secret\nledger: [unclosed\n");
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(broken)))
        .isInstanceOf(ConfigException.class).hasMessageContaining(broken.toString())
        .hasMessageContaining("not valid YAML").hasMessageContaining("line ")
        .hasMessageNotContaining("hunter2");
    Path scalar = yaml("just a string\n");
    assertThatThrownBy(() -> Settings.load(Map.of(), Optional.of(scalar)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mapping");
  }

  // ------------------------------------------------------------------ unknown keys

  @Test
  void anUnknownYamlKeyFailsWithTheNearestKnownKey() throws IOException {
    Path file = yaml("ledger: {lease-sweep-intervl: 5s}\n");
    Settings s = Settings.load(Map.of(), Optional.of(file));
    assertThatThrownBy(() -> s.requireKnown(LEDGER_KEYS))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("ledger.lease-sweep-intervl"))
        .hasMessageContaining("unknown setting 'ledger.lease-sweep-intervl' in " + file
            + " (did you mean 'ledger.lease-sweep-interval'?)")
        .hasMessageNotContaining("5s");
  }

  @Test
  void anUnknownReboundVariableInAKnownNamespaceFailsWithTheNearestKnownVariable() {
    Settings s = Settings.load(Map.of("REBOUND_PG_PASWORD", "hunter2-secret"), Optional.empty());
    assertThatThrownBy(() -> s.requireKnown(LEDGER_KEYS))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting in env REBOUND_PG_PASWORD (did you mean REBOUND_PG_PASSWORD, "
            + "the variable of 'pg.password'?)")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void everyUnknownKeyIsNamedInOneError() throws IOException {
    Settings s = Settings.load(Map.of("REBOUND_LEDGER_LEASE_MSS", "1"),
        Optional.of(yaml("ledgr: {lease-ms: 1}\npg: {hots: db}\n")));
    assertThatThrownBy(() -> s.requireKnown(LEDGER_KEYS))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'ledgr.lease-ms'").hasMessageContaining("did you mean 'ledger.lease-ms'")
        .hasMessageContaining("'pg.hots'").hasMessageContaining("did you mean 'pg.host'")
        .hasMessageContaining("REBOUND_LEDGER_LEASE_MSS");
  }

  @Test
  void declaredKeysOtherServicesKeysAndUnrelatedVariablesPassTheCheck() throws IOException {
    Settings s = Settings.load(Map.of(
            "REBOUND_LEDGER_LEASE_MS", "1000", "REBOUND_PG_PASSWORD_FILE", "/run/secrets/pg",
            "REBOUND_JAVA_OPTS", "-Xmx1g", "REBOUND_ANALYZER_RETENTION", "1d", "REBOUND_CONFIG", "/x.yaml",
            "PATH", "/usr/bin", "PGHOST", "db"),
        Optional.of(yaml("""
            pg: {host: db, pool-size: 4}
            run: {port: 9090}
            ledger: {retention: {done: 3d}}
            notifier: {webhook-url: 'https://hooks.example/T0/B0/x'}
            analyzer: {retention: 1d}
            """)));
    s.requireKnown(LEDGER_KEYS);
  }

  @Test
  void aServiceStartedAloneStillRefusesTyposInItsOwnNamespace() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("analyzer: {retention: 1d}\nledger: {x: 1}\n")));
    assertThatThrownBy(() -> s.requireKnown(LEDGER_KEYS)).hasMessageContaining("'ledger.x'")
        .hasMessageNotContaining("analyzer");
  }

  // ------------------------------------------------------------------ PostgreSQL and secrets

  @Test
  void postgresDefaultsToTheLocalServerWithPipelining() {
    Settings s = Settings.empty();
    PgConnectOptions pg = s.pgConnectOptions();
    assertThat(pg.getHost()).isEqualTo("127.0.0.1");
    assertThat(pg.getPort()).isEqualTo(5432);
    assertThat(pg.getDatabase()).isEqualTo("postgres");
    assertThat(pg.getUser()).isEqualTo("postgres");
    assertThat(pg.getPipeliningLimit()).isEqualTo(256);
    assertThat(s.get(RuntimeKeys.PG_POOL_SIZE)).isEqualTo(8);
  }

  @Test
  void standardPgVariablesBeatTheYamlFileAndReboundPgVariablesBeatThem() throws IOException {
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
    assertThat(s.get(RuntimeKeys.PG_POOL_SIZE)).isEqualTo(4);
  }

  @Test
  void aSecretCanComeFromTheFileNamedByItsFileVariable() throws IOException {
    Path secretFile = dir.resolve("token");
    Files.writeString(secretFile, "s3cr3t-token\n");
    Settings s = Settings.load(Map.of("REBOUND_NOTIFIER_SLACK_TOKEN_FILE", secretFile.toString(),
        "REBOUND_PG_PASSWORD_FILE", secretFile.toString()), Optional.empty());
    assertThat(s.find(SLACK_TOKEN)).contains("s3cr3t-token");
    assertThat(s.pgConnectOptions().getPassword()).isEqualTo("s3cr3t-token");
  }

  @Test
  void anUnreadableSecretFileIsAnErrorNamingTheVariableAndTheFile() {
    Path missing = dir.resolve("missing-token");
    Settings s = Settings.load(Map.of("REBOUND_NOTIFIER_SLACK_TOKEN_FILE", missing.toString()), Optional.empty());
    assertThatThrownBy(() -> s.find(SLACK_TOKEN))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("REBOUND_NOTIFIER_SLACK_TOKEN_FILE").hasMessageContaining(missing.toString());
  }

  @Test
  void aPlainKeyWhoseNameLooksSecretCannotBeDeclared() {
    assertThatThrownBy(() -> ConfigKey.string("notifier.slack.webhook-url", null, "url"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ConfigKey.secret");
  }

  // ------------------------------------------------------------------ what reaches the log

  @Test
  void describeShowsValuesOfDeclaredKeysOnlyAndMasksEverySecret() throws IOException {
    Settings s = Settings.load(Map.of(
        "PGPASSWORD", "pg-secret-value", "REBOUND_NOTIFIER_SLACK_TOKEN", "slack-secret-value",
        "REBOUND_LEDGER_LEASE_MS", "60000", "REBOUND_UNUSED_ROUTING", "unused-routing-value"),
        Optional.of(yaml("""
            notifier: {webhook-url: 'https://hooks.example/secret-path', routing: R0UT1NG}
            retry: {budget: 5}
            """)));
    s.pgConnectOptions();
    s.find(SLACK_TOKEN);
    s.get(LEASE_MS);

    String described = s.describe();
    assertThat(described)
        .contains("ledger.lease-ms=60000 (env REBOUND_LEDGER_LEASE_MS)", "pg.host=127.0.0.1 (default)",
            "pg.password=**** (env PGPASSWORD)", "notifier.slack.token=****", "yaml retry.budget",
            "yaml notifier.webhook-url", "yaml notifier.routing", "env REBOUND_UNUSED_ROUTING")
        .doesNotContain("pg-secret-value", "slack-secret-value", "secret-path", "R0UT1NG",
            "unused-routing-value", "budget=");
    assertThat(s.toString()).doesNotContain("pg-secret-value", "slack-secret-value", "secret-path", "60000");
  }

  @Test
  void anUnsetSecretIsDescribedAsNotSetInAFormTheLogsRedactionLeavesWhole() {
    Settings s = Settings.load(Map.of(), Optional.empty());
    s.pgConnectOptions();
    String described = s.describe();
    assertThat(described).contains("pg.password (not set)").doesNotContain("pg.password=");
    assertThat(new Redactor().redact(described)).isEqualTo(described);
  }

  @Test
  void aCredentialWrittenIntoAPlainSettingIsRedactedInTheDescription() {
    Settings s = Settings.load(Map.of("REBOUND_LEDGER_NAME", "https://ops:Hunter2Secret@hooks.example/x"), Optional.empty());
    s.get(NAME);

    assertThat(s.describe()).contains("ledger.name=https://ops:<redacted:url-password>@hooks.example/x")
        .doesNotContain("Hunter2Secret");
  }

  @Test
  void aValidationErrorOnASecretKeyDoesNotPrintItsValue() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("pg: {password: [hunter2-secret]}\n")));
    expectInvalid(s::pgConnectOptions, "pg.password",
        e -> assertThat(e).contains("REBOUND_PG_PASSWORD", "not shown").doesNotContain("hunter2"));
  }

  private static Settings withEnv(String var, String value) {
    return Settings.load(Map.of(var, value), Optional.empty());
  }

  private static void expectInvalid(Runnable call, String key, Consumer<String> messageCheck) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo(key);
          assertThat(e.getMessage()).contains(key);
          messageCheck.accept(e.getMessage());
        });
  }

  // ------------------------------------------------------------------ map-valued sections

  private static final ConfigKey<Map<String, Object>> POLICIES = ConfigKey.section("retry.policies",
      "built-in", "per stage");

  @Test
  void aSectionKeyReadsItsYamlSubtreeAsNestedMapsAndOverridesWin() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("""
        retry:
          policies:
            tests:
              max-retries: 3
              delays: [1s, 2s]
            repository.base: 10s
        """))).withOverrides(Map.of("retry.policies.tests.max-retries", "4"));
    assertThat(s.get(POLICIES)).isEqualTo(Map.of(
        "tests", Map.of("max-retries", "4", "delays", List.of("1s", "2s")),
        "repository", Map.of("base", "10s")));
    assertThat(Settings.empty().get(POLICIES)).isEmpty();
  }

  @Test
  void keysBelowADeclaredSectionAreKnownButAVariableForThemIsRefusedNamingTheYamlFile() throws IOException {
    Settings s = Settings.load(Map.of("REBOUND_RETRY_POLICIES_TESTS_MAX_RETRIES", "3"),
        Optional.of(yaml("retry:\n  policies:\n    tests:\n      max-retries: 3\n")));
    assertThatThrownBy(() -> s.requireKnown(List.of(POLICIES)))
        .hasMessageContaining("REBOUND_RETRY_POLICIES_TESTS_MAX_RETRIES")
        .hasMessageContaining("set them in the YAML file")
        .hasMessageNotContaining("unknown setting 'retry.policies");
    Settings yamlOnly = Settings.load(Map.of(), Optional.of(yaml("retry:\n  policies:\n    tests:\n      max-retries: 3\n")));
    yamlOnly.requireKnown(List.of(POLICIES));
  }

  @Test
  void aSectionGivenASingleValueIsAnErrorNamingTheKey() throws IOException {
    Settings s = Settings.load(Map.of(), Optional.of(yaml("retry:\n  policies: fast\n")));
    expectInvalid(() -> s.get(POLICIES), "retry.policies", e -> assertThat(e).contains("a YAML map"));
  }
}
