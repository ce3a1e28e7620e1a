package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rebound.analyzer.AnalyzerConfig;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.OpsRoutes;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.notifier.NotifierConfig;
import dev.rebound.retry.RetryConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as users deploy it, checked without a Docker engine: Debian's {@code docker-compose}
 * validates the file, and every Rebound service's port, environment and healthcheck agree with the code's
 * settings registry ({@link RuntimeKeys} and each service's {@code XxxConfig.KEYS}, as ConfigurationTableTest
 * checks the README), Prometheus scrapes each of them, and the Grafana dashboard queries only series the code
 * registers.
 */
class MeshComposeTest {
  private static final Path ROOT = Path.of("..");
  private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
  /** The variables the compose file requires ({@code ${VAR:?…}}): the passwords, which have no default. */
  private static final List<String> REQUIRED = List.of("POSTGRES_PASSWORD", "REBOUND_DB_PASSWORD",
      "GRAFANA_ADMIN_PASSWORD", "REBOUND_AUTH_DISABLED");

  /** A Rebound service of the compose file: its command, its settings keys, its default HTTP port. */
  private record Service(String name, List<ConfigKey<?>> keys, Function<Settings, ?> config, int defaultPort) {
  }

  private static final List<Service> SERVICES = List.of(
      new Service("ledger", LedgerConfig.KEYS, LedgerConfig::from, 8081),
      new Service("analyzer", AnalyzerConfig.KEYS, AnalyzerConfig::from, 8082),
      new Service("retry", RetryConfig.KEYS, RetryConfig::from, 8083),
      new Service("notifier", NotifierConfig.KEYS, NotifierConfig::from, 8084));

  @Test
  void dockerComposeConfigValidatesTheFileAndRefusesToStartWithoutItsPasswordsAndAuthChoice() throws Exception {
    Optional<Path> binary = onPath("docker-compose");
    assumeTrue(binary.isPresent(), "skipped: no docker-compose on PATH (Debian: apt-get install docker-compose; "
        + ".ci/run installs it)");
    Map<String, String> passwords = new HashMap<>();
    REQUIRED.forEach(v -> passwords.put(v, "test-" + v.toLowerCase()));

    Outcome valid = dockerCompose(binary.get(), passwords, "config", "-q");
    assertThat(valid.exitCode()).as(valid.output()).isZero();

    for (String missing : REQUIRED) {
      Map<String, String> without = new HashMap<>(passwords);
      without.remove(missing);
      Outcome refused = dockerCompose(binary.get(), without, "config", "-q");
      assertThat(refused.exitCode()).as(missing + " unset: " + refused.output()).isNotZero();
      assertThat(refused.output()).contains(missing);
    }
  }

  @Test
  void everyReboundServicesPortEnvironmentAndHealthcheckAgreeWithTheSettingsRegistry() throws IOException {
    Map<String, Object> services = section(compose(), "services");
    List<String> problems = new ArrayList<>();
    for (Service s : SERVICES) {
      Map<String, Object> block = section(services, s.name());
      assertThat(block.get("command")).as(s.name() + " command").isEqualTo(List.of(s.name()));
      assertThat(block.get("restart")).as(s.name() + " restart policy").isEqualTo("unless-stopped");
      assertThat(block.get("hostname")).as(s.name() + " hostname").isEqualTo(s.name());

      Map<String, String> env = environment(block);
      Map<String, ConfigKey<?>> known = variables(s.keys());
      env.keySet().stream().filter(v -> v.startsWith("REBOUND_") || v.startsWith("PG"))
          .filter(v -> !v.equals(Settings.CONFIG_FILE_ENV) && !known.containsKey(v))
          .forEach(v -> problems.add(s.name() + ": " + v + " is no setting of the " + s.name()));

      // the values are valid for the service: they load, and the service's own config builds from them
      Map<String, String> values = new HashMap<>(env);
      // a required choice (auth.disabled) is made as the demo makes it; passwords are any text
      values.replaceAll((k, v) -> v.startsWith("${") ? (k.equals("REBOUND_AUTH_DISABLED") ? "true" : "placeholder") : v);
      Settings settings = Settings.load(values, Optional.ofNullable(env.get(Settings.CONFIG_FILE_ENV))
          .map(inContainer -> hostPath(block, inContainer)));
      settings.requireKnown(Stream.concat(RuntimeKeys.ALL.stream(), s.keys().stream()).toList());
      s.config().apply(settings);
      assertThat(settings.get(RuntimeKeys.CLUSTER_ENABLED)).as(s.name() + " clustered").isTrue();
      assertThat(settings.get(RuntimeKeys.CLUSTER_HOST)).as(s.name() + " advertised host").isEqualTo(s.name());
      assertThat(settings.get(RuntimeKeys.CLUSTER_MEMBERS)).as(s.name() + " members")
          .containsExactlyInAnyOrderElementsOf(SERVICES.stream().map(Service::name).toList());
      assertThat(settings.get(RuntimeKeys.PG_USER)).as(s.name() + " PostgreSQL role").isEqualTo("rebound_app");

      int port = settings.get(RuntimeKeys.HTTP_PORT.withDefault(s.defaultPort()));
      assertThat(port).as(s.name() + " port is the registry's default").isEqualTo(s.defaultPort());
      assertThat(block.get("ports")).as(s.name() + " published port").isEqualTo(List.of(port + ":" + port));
      Map<String, Object> health = section(block, "healthcheck");
      assertThat(health.get("test")).as(s.name() + " healthcheck").isEqualTo(
          List.of("CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:" + port + OpsRoutes.READY));
      assertThat(health).containsKeys("interval", "timeout", "retries", "start_period");
    }
    assertThat(problems).as("compose environment keys no registry declares").isEmpty();
  }

  @Test
  void prometheusScrapesTheMetricsOfEveryReboundService() throws IOException {
    Map<String, Object> prometheus = new Yaml().load(Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml")));
    Set<String> scraped = new TreeSet<>();
    for (Object job : (List<?>) prometheus.get("scrape_configs")) {
      Map<?, ?> j = (Map<?, ?>) job;
      assertThat(j.get("metrics_path")).isEqualTo(OpsRoutes.METRICS);
      for (Object sc : (List<?>) j.get("static_configs")) {
        ((List<?>) ((Map<?, ?>) sc).get("targets")).forEach(t -> scraped.add(String.valueOf(t)));
      }
    }
    assertThat(scraped).containsExactlyInAnyOrderElementsOf(
        SERVICES.stream().map(s -> s.name() + ":" + s.defaultPort()).toList());
  }

  @Test
  void grafanaReadsOnlyPrometheusAndHasNoDefaultAdminPassword() throws IOException {
    Map<String, Object> datasources = new Yaml().load(Files.readString(
        ROOT.resolve("deploy/grafana/provisioning/datasources/datasources.yml")));
    assertThat(((List<?>) datasources.get("datasources")).stream().map(d -> String.valueOf(((Map<?, ?>) d).get("type"))))
        .containsExactly("prometheus");
    Map<String, String> env = environment(section(section(compose(), "services"), "grafana"));
    assertThat(env.get("GF_SECURITY_ADMIN_PASSWORD")).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
    assertThat(env).containsEntry("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer");
  }

  @Test
  void theDashboardQueriesOnlyReboundSeriesTheCodeRegistersAndCoversRetryAndNotifier() throws IOException {
    String dashboard = Files.readString(ROOT.resolve("deploy/grafana/dashboards/rebound.json"));
    Set<String> series = new TreeSet<>();
    Matcher m = Pattern.compile("rebound_[a-z_]+").matcher(dashboard);
    while (m.find()) {
      series.add(m.group());
    }
    String registered = mainSources().filter(p -> p.getFileName().toString().endsWith("Metrics.java"))
        .map(MeshComposeTest::read).collect(Collectors.joining("\n"));
    List<String> unknown = series.stream()
        .filter(s -> !registered.contains('"' + meterName(s) + '"')).toList();
    assertThat(unknown).as("series the dashboard queries that no *Metrics.java registers").isEmpty();
    assertThat(series).contains("rebound_retry_decisions_total", "rebound_retry_circuit_state",
        "rebound_retry_budget_use", "rebound_ledger_tasks", "rebound_retry_time_to_heal_seconds_bucket",
        "rebound_notifier_delivery_latency_seconds_bucket", "rebound_notifier_notifications_total");
  }

  @Test
  void theNotifierRoutesEveryAlertToTheDemoWebhookSink() throws IOException {
    Map<String, Object> services = section(compose(), "services");
    Map<String, Object> sink = section(services, "webhook-sink");
    String containerPort = environment(sink).get("HTTP_PORT");
    String example = Files.readString(ROOT.resolve("deploy/notifier/rebound.yaml"));
    assertThat(example).contains("url: http://webhook-sink:" + containerPort + "/");
  }

  // ------------------------------------------------------------------ helpers

  private record Outcome(int exitCode, String output) {
  }

  private static Outcome dockerCompose(Path binary, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "-f", "docker-compose.yml"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    REQUIRED.forEach(pb.environment()::remove);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("docker-compose " + String.join(" ", args) + " did not finish within 120 s");
    }
    return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** The executable {@code name} on PATH, if any. */
  static Optional<Path> onPath(String name) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(d -> !d.isBlank())
        .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
  }

  private static Map<String, Object> compose() throws IOException {
    return new Yaml().load(Files.readString(COMPOSE));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> parent, String name) {
    Object value = parent.get(name);
    assertThat(value).as("section '" + name + "'").isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  private static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new LinkedHashMap<>();
    section(service, "environment").forEach((k, v) -> env.put(k, String.valueOf(v)));
    return env;
  }

  /** Every variable that sets a key: REBOUND_X, the standard ones (PGHOST…), and REBOUND_X_FILE for secrets. */
  private static Map<String, ConfigKey<?>> variables(List<ConfigKey<?>> serviceKeys) {
    Map<String, ConfigKey<?>> vars = new HashMap<>();
    Stream.concat(RuntimeKeys.ALL.stream(), serviceKeys.stream()).forEach(k -> {
      vars.put(k.envVar(), k);
      k.standardVars().forEach(v -> vars.put(v, k));
      if (k.secret()) {
        vars.put(k.envVar() + Settings.FILE_SUFFIX, k);
      }
    });
    return vars;
  }

  /** The host file a {@code ./host:/container:ro} volume mounts at {@code inContainer}. */
  private static Path hostPath(Map<String, Object> service, String inContainer) {
    for (Object volume : (List<?>) service.getOrDefault("volumes", List.of())) {
      String[] parts = String.valueOf(volume).split(":");
      if (parts.length >= 2 && parts[1].equals(inContainer)) {
        return ROOT.resolve(parts[0]);
      }
    }
    throw new AssertionError(inContainer + " is mounted from no file of the repository");
  }

  /** {@code rebound_retry_time_to_heal_seconds_bucket} → {@code rebound.retry.time.to.heal}. */
  private static String meterName(String series) {
    return series.replaceFirst("(_seconds)?(_total|_bucket|_sum|_count|_max)?$", "").replace('_', '.');
  }

  private static Stream<Path> mainSources() throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(p -> Files.isDirectory(p.resolve("src/main/java"))).toList()) {
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
          files.filter(f -> f.toString().endsWith(".java")).forEach(all::add);
        }
      }
    }
    return all.stream();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
