package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.client.LedgerTransport;
import dev.rebound.common.client.TrustedCa;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.ServiceLauncher;
import dev.rebound.common.runtime.ServiceLauncher.RunningService;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestCertificates;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.ledger.LedgerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with {@code http.tls.*} on {@code rebound run} and on a service run alone, reached by the CLI
 * ({@code --ca-file}) and the worker client's HTTP transport trusting a private CA; and a service whose
 * {@code PGSSLMODE=require} meets a PostgreSQL without TLS stops with one sentence.
 */
class TransportTlsTest {
  @TempDir
  static Path certs;

  private static Vertx vertx;
  private static TestDatabase db;
  private static TestCertificates ca;
  private static ReboundRun run;
  private static RunningService ledgerAlone;
  private static LedgerVerticle ledger;
  private static Map<String, String> base;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    db = await(TestDatabase.create(vertx, "transporttls"));
    ca = TestCertificates.authority(certs, "rebound-ca");
    TestCertificates.Issued server = ca.issue("rebound-server");
    base = new HashMap<>(db.settingsOverrides());
    String password = db.options().getPassword();
    if (password != null && !password.isEmpty()) {
      base.put("pg.password", password);
    }
    base.put("http.tls.cert-file", server.certificate().toString());
    base.put("http.tls.key-file", server.key().toString());
    base.put("shutdown.timeout", "5s");
    base.put("metrics.jvm", "false");

    Map<String, String> runSettings = new HashMap<>(base);
    runSettings.put("run.port", "0");
    run = ReboundRun.start(Settings.empty().withOverrides(runSettings), ReboundRun.SERVICES,
        PostgresProvisioner.system());

    Map<String, String> alone = new HashMap<>(base);
    alone.put("http.port", "0");
    ledgerAlone = await(ServiceLauncher.start("ledger", Settings.empty().withOverrides(alone), LedgerConfig.KEYS,
        s -> List.of(ledger = LedgerVerticle.fromSettings(s))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (ledgerAlone != null) {
      await(ledgerAlone.shutdown());
    }
    if (run != null) {
      run.stop();
    }
    if (db != null) {
      await(db.drop(vertx));
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void reboundRunServesHttpsAndTheCliReachesItTrustingThePrivateCaWithCaFile() {
    assertThat(run.url()).startsWith("https://127.0.0.1:");

    Cli.Result trusted = Cli.run("tasks", "list", "--url", run.url(), "--ca-file", ca.certificate().toString(), "--json");
    Cli.Result untrusted = Cli.run("tasks", "list", "--url", run.url());

    assertThat(trusted.exitCode()).as(trusted.err()).isZero();
    assertThat(new JsonObject(trusted.out().trim()).getJsonArray("tasks")).isNotNull();
    assertThat(untrusted.exitCode()).isEqualTo(1);
    assertThat(untrusted.err()).contains("TLS with Rebound at " + run.url()).contains("--ca-file")
        .contains("REBOUND_CA_FILE");
  }

  @Test
  void aPlainHttpRequestToAnHttpsPortGetsNoAnswer() {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(run.url().replace("https://", "http://")
        + "/health/ready")).timeout(Duration.ofSeconds(10)).build();

    Throwable refused = null;
    try {
      plain.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      refused = e;
    }

    assertThat(refused).as("a plain request is not served").isNotNull();
  }

  @Test
  void aLedgerRunAloneServesHttpsToTheWorkerClientsHttpTransport() throws Exception {
    URI url = URI.create("https://127.0.0.1:" + ledger.actualPort());
    String stage = "tls-" + UUID.randomUUID().toString().substring(0, 8);
    HttpClient https = HttpClient.newBuilder().sslContext(TrustedCa.sslContext(ca.certificate())).build();
    HttpResponse<String> created = https.send(HttpRequest.newBuilder(url.resolve("/v1/tasks"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("stage", stage).put("workflowId", "wf-tls")
            .put("payload", new JsonObject().put("n", 7)).encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    LedgerTransport transport = LedgerTransport.http(vertx, url, url, null, Duration.ofSeconds(10),
        TrustedCa.sslContext(ca.certificate()));
    List<TaskView> claimed = await(transport.claim(ClaimRequest.builder("tls-worker").stage(stage).build()));

    assertThat(claimed).hasSize(1);
    assertThat(((JsonObject) claimed.get(0).payload()).getInteger("n")).isEqualTo(7);
  }

  @Test
  void aServiceWithPgsslmodeRequireAgainstAPostgresWithoutTlsStopsWithOneSentence() throws Exception {
    Map<String, String> plain = new HashMap<>(base);
    plain.remove("http.tls.cert-file");
    plain.remove("http.tls.key-file");
    plain.put("http.port", "0");
    Settings settings = Settings.load(Map.of("PGSSLMODE", "require"), Optional.empty()).withOverrides(plain);

    Throwable refused = failureOf(ServiceLauncher.start("ledger", settings, LedgerConfig.KEYS,
        s -> List.of(LedgerVerticle.fromSettings(s))));

    assertThat(refused).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("PostgreSQL at " + db.options().getHost() + ":" + db.options().getPort()
            + " does not accept TLS connections")
        .hasMessageContaining("PGSSLMODE");
  }

  @Test
  void halfAnHttpsSetupStopsTheStartNamingTheMissingFile() throws Exception {
    Map<String, String> half = new HashMap<>(base);
    half.remove("http.tls.key-file");
    half.put("http.port", "0");

    Throwable refused = failureOf(ServiceLauncher.start("ledger", Settings.empty().withOverrides(half),
        LedgerConfig.KEYS, s -> List.of(LedgerVerticle.fromSettings(s))));

    assertThat(refused).isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.key-file");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the start to fail");
  }
}
