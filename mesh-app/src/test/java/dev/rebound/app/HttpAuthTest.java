package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.analyzer.AnalyzerConfig;
import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.client.LedgerTransport;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.service.ServiceVerticle;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.ledger.LedgerVerticle;
import dev.rebound.notifier.NotifierConfig;
import dev.rebound.notifier.NotifierVerticle;
import dev.rebound.retry.RetryConfig;
import dev.rebound.retry.RetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bearer tokens with scopes, as a user configures them ({@code auth.tokens} in the YAML file, one of them as a
 * {@code token-file}), on every service run alone and on {@code rebound run}: the same guard answers 401, 403,
 * 415 and refuses foreign origins everywhere, because every server is assembled by the same router.
 */
class HttpAuthTest {
  private static final String CI = "ci-token-0123456789abcdef";
  private static final String OPS = "ops-token-0123456789abcdef";
  private static final String VIEWER = "viewer-token-0123456789abcdef";
  private static final String PROMETHEUS = "prometheus-token-0123456789abcdef";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static TestDatabase runDb;
  private static TestDatabase servicesDb;
  private static ReboundRun run;
  /** Server name → base URL: "run" and each service alone. */
  private static final Map<String, String> SERVERS = new LinkedHashMap<>();

  /** What each server serves of each scope: a read, a worker and an operator request (null: none). */
  private record Probe(String server, String read, String workerPath, JsonObject workerBody, String operatorPath,
                       JsonObject operatorBody) {
    @Override
    public String toString() {
      return server;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Path opsToken = dir.resolve("ops-token");
    Files.writeString(opsToken, OPS + "\n");
    Path yaml = dir.resolve("rebound.yaml");
    Files.writeString(yaml, """
        auth:
          tokens:
            - {name: ci, scopes: [worker], sha256: %s}
            - {name: ops, scopes: [operator], token-file: %s}
            - {name: viewer, scopes: [read], sha256: %s}
            - {name: prometheus, scopes: [metrics], sha256: %s}
        """.formatted(hex(CI), opsToken, hex(VIEWER), hex(PROMETHEUS)));

    runDb = await(TestDatabase.create(vertx, "authrun"));
    Settings runSettings = settings(yaml, runDb, Map.of("run.port", "0"));
    run = ReboundRun.start(runSettings, ReboundRun.SERVICES, PostgresProvisioner.system());
    SERVERS.put("run", run.url());

    servicesDb = await(TestDatabase.create(vertx, "authalone"));
    Settings alone = settings(yaml, servicesDb, Map.of("http.port", "0"));
    List<ServiceVerticle> services = List.of(
        new LedgerVerticle(LedgerConfig.from(alone), alone.pgConnectOptions(), Clock.systemUTC()),
        new RetryVerticle(RetryConfig.from(alone), alone.pgConnectOptions(), Clock.systemUTC()),
        new AnalyzerVerticle(AnalyzerConfig.from(alone), alone.pgConnectOptions(), Clock.systemUTC()),
        new NotifierVerticle(NotifierConfig.from(alone), alone.pgConnectOptions(), Clock.systemUTC()));
    for (ServiceVerticle service : services) {
      await(vertx.deployVerticle(service));
      SERVERS.put(service.name(), "http://127.0.0.1:" + service.actualPort());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (run != null) {
      run.stop();
    }
    if (vertx != null) {
      await(vertx.close());
      Vertx cleanup = Vertx.vertx();
      for (TestDatabase db : new TestDatabase[] {runDb, servicesDb}) {
        if (db != null) {
          await(db.drop(cleanup));
        }
      }
      await(cleanup.close());
    }
  }

  static Stream<Probe> probes() {
    JsonObject task = new JsonObject().put("stage", "auth").put("payload", new JsonObject().put("n", 1));
    JsonObject purge = new JsonObject().put("ids", new JsonArray().add(UUID.randomUUID().toString()));
    JsonObject classify = new JsonObject().put("message", "connect ECONNREFUSED 10.0.0.1:5432");
    JsonObject alert = new JsonObject().put("labels", new JsonObject().put("alertname", "AuthTest"))
        .put("summary", "raised by HttpAuthTest");
    JsonObject silence = new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname")
        .put("value", "AuthTest"))).put("duration", "1h").put("createdBy", "someone").put("comment", "test");
    return Stream.of(
        new Probe("run", "/v1/stats", "/v1/tasks", task, "/v1/dlq/purge", purge),
        new Probe("ledger", "/v1/stats", "/v1/tasks", task, "/v1/dlq/purge", purge),
        new Probe("analyzer", "/v1/fingerprints", "/v1/classify", classify, null, null),
        new Probe("retry", "/v1/circuits", null, null, "/v1/circuits/stage:auth/reset", new JsonObject()),
        new Probe("notifier", "/v1/alerts", "/v1/alerts", alert, "/v1/silences", silence));
  }

  // ------------------------------------------------------------------ the statuses, on every server

  @ParameterizedTest
  @MethodSource("probes")
  void aRequestWithoutATokenOrWithAnUnknownOneIsAnswered401WithTheErrorEnvelope(Probe p) throws Exception {
    HttpResponse<String> none = get(p.server(), p.read(), null);
    assertError(none, 401, "UNAUTHORIZED");
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"rebound\"");
    assertError(get(p.server(), p.read(), "not-a-configured-token"), 401, "UNAUTHORIZED");
    assertThat(get(p.server(), p.read(), VIEWER).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @MethodSource("probes")
  void aTokenWithoutTheOperationsScopeIsAnswered403NamingTheScope(Probe p) throws Exception {
    String path = p.operatorPath() != null ? p.operatorPath() : p.workerPath();
    JsonObject body = p.operatorPath() != null ? p.operatorBody() : p.workerBody();
    HttpResponse<String> refused = post(p.server(), path, VIEWER, body, "application/json", null);
    assertError(refused, 403, "FORBIDDEN");
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getJsonObject("details").getString("scope"))
        .isIn("worker", "operator");
    assertError(get(p.server(), p.read(), PROMETHEUS), 403, "FORBIDDEN");
  }

  @ParameterizedTest
  @MethodSource("probes")
  void aBodyThatIsNotJsonIsAnswered415(Probe p) throws Exception {
    String path = p.workerPath() != null ? p.workerPath() : p.operatorPath();
    HttpResponse<String> text = post(p.server(), path, OPS, new JsonObject(), "text/plain", null);
    assertError(text, 415, "UNSUPPORTED_MEDIA_TYPE");
    assertError(post(p.server(), path, OPS, new JsonObject(), null, null), 415, "UNSUPPORTED_MEDIA_TYPE");
  }

  @ParameterizedTest
  @MethodSource("probes")
  void aStateChangingRequestFromAForeignOriginIsRefused(Probe p) throws Exception {
    String path = p.workerPath() != null ? p.workerPath() : p.operatorPath();
    JsonObject body = p.workerPath() != null ? p.workerBody() : p.operatorBody();
    HttpResponse<String> foreign = post(p.server(), path, OPS, body, "application/json", "http://evil.example");
    assertError(foreign, 403, "FORBIDDEN");
    assertThat(foreign.body()).contains("another origin");
    String own = SERVERS.get(p.server());
    assertThat(post(p.server(), path, OPS, body, "application/json", own).statusCode()).isLessThan(300);
  }

  @ParameterizedTest
  @MethodSource("probes")
  void healthStaysOpenAndMetricsNeedTheMetricsScope(Probe p) throws Exception {
    assertThat(get(p.server(), "/health/live", null).statusCode()).isEqualTo(200);
    assertThat(get(p.server(), "/health/ready", null).statusCode()).isEqualTo(200);
    assertError(get(p.server(), "/metrics", null), 401, "UNAUTHORIZED");
    assertError(get(p.server(), "/metrics", CI), 403, "FORBIDDEN");
    HttpResponse<String> metrics = get(p.server(), "/metrics", PROMETHEUS);
    if (p.server().equals("run")) {
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("# TYPE");
    } else {
      // past the guard: this test's Vert.x instance has no metrics registry
      assertThat(metrics.statusCode()).as(metrics.body()).isEqualTo(404);
    }
  }

  // ------------------------------------------------------------------ scopes per operation class

  @Test
  void eachScopeReachesItsOwnOperationsAndNoOthers() throws Exception {
    JsonObject task = new JsonObject().put("stage", "scopes").put("payload", new JsonObject());
    // read: every GET, nothing else
    assertThat(get("run", "/v1/tasks?stage=scopes", VIEWER).statusCode()).isEqualTo(200);
    assertThat(get("run", "/v1/circuits", VIEWER).statusCode()).isEqualTo(200);
    assertError(post("run", "/v1/tasks", VIEWER, task, "application/json", null), 403, "FORBIDDEN");
    // worker: enqueue, claim, classify, report failures; reads too; no operator action
    HttpResponse<String> enqueued = post("run", "/v1/tasks", CI, task, "application/json", null);
    assertThat(enqueued.statusCode()).as(enqueued.body()).isEqualTo(201);
    String id = new JsonObject(enqueued.body()).getJsonObject("task").getString("id");
    assertThat(post("run", "/v1/tasks/claim", CI, new JsonObject().put("worker", "w").put("stage", "other-stage"),
        "application/json", null).statusCode()).isEqualTo(200);
    HttpResponse<String> classified = post("run", "/v1/classify", CI, new JsonObject().put("message", "timeout"),
        "application/json", null);
    assertThat(classified.statusCode()).as(classified.body()).isEqualTo(200);
    HttpResponse<String> read = get("run", "/v1/tasks/" + id, CI);
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    for (String operatorOnly : List.of("/v1/tasks/" + id + "/cancel", "/v1/dlq/redrive", "/v1/circuits/stage:x/open",
        "/v1/stages/scopes/pause", "/v1/decisions")) {
      assertError(post("run", operatorOnly, CI, new JsonObject(), "application/json", null), 403, "FORBIDDEN");
    }
    assertError(get("run", "/v1/routes", VIEWER), 403, "FORBIDDEN");
    // operator: everything
    assertThat(post("run", "/v1/tasks/" + id + "/cancel", OPS, new JsonObject().put("reason", "scopes test"),
        "application/json", null).statusCode()).isEqualTo(200);
    assertThat(get("run", "/v1/routes", OPS).statusCode()).isEqualTo(200);
    assertThat(get("run", "/metrics", OPS).statusCode()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ audit

  @Test
  void anActionIsAuditedWithTheTokensNameWhateverActorTheRequestClaims() throws Exception {
    HttpResponse<String> enqueued = post("run", "/v1/tasks", CI, new JsonObject().put("stage", "audit")
        .put("payload", new JsonObject()).put("actor", "mallory"), "application/json", null);
    String id = new JsonObject(enqueued.body()).getJsonObject("task").getString("id");
    assertThat(post("run", "/v1/tasks/" + id + "/cancel", OPS, new JsonObject().put("reason", "no longer needed"),
        "application/json", null).statusCode()).isEqualTo(200);
    JsonArray history = new JsonObject(get("run", "/v1/tasks/" + id + "/history", VIEWER).body()).getJsonArray("history");
    JsonObject cancelled = history.getJsonObject(history.size() - 1);
    assertThat(cancelled.getString("to")).isEqualTo("CANCELLED");
    assertThat(cancelled.getString("actor")).isEqualTo("ops");
    assertThat(history.getJsonObject(0).getString("actor")).isEqualTo("ci");
  }

  @Test
  void aPurgeLeavesAnAuditRecordNamingTheTokenThatPurged() throws Exception {
    String id = UUID.randomUUID().toString();
    HttpResponse<String> purged = post("run", "/v1/dlq/purge", OPS, new JsonObject().put("ids", new JsonArray().add(id))
        .put("reason", "cleaning up"), "application/json", null);
    assertThat(purged.statusCode()).as(purged.body()).isEqualTo(200);
    HttpResponse<String> audit = get("run", "/v1/audit?limit=20", VIEWER);
    assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
    JsonObject record = new JsonObject(audit.body()).getJsonArray("records").stream().map(JsonObject.class::cast)
        .filter(r -> r.getJsonObject("details").getString("reason", "").equals("cleaning up")).findFirst().orElseThrow();
    assertThat(record.getString("action")).isEqualTo("dlq.purge");
    assertThat(record.getString("actor")).isEqualTo("ops");
    assertThat(record.getJsonObject("details").getInteger("purged")).isZero();
    assertThat(record.getString("at")).isNotBlank();
  }

  // ------------------------------------------------------------------ the CLI and the worker client

  @Test
  void theCliSendsItsTokenAndSaysSoWhenOneIsMissing() {
    Cli.Result withToken = Cli.run("tasks", "list", "--url", run.url(), "--token", VIEWER, "--json");
    assertThat(withToken.exitCode()).as(withToken.err()).isZero();
    assertThat(withToken.out()).contains("tasks");
    Cli.Result without = Cli.run("tasks", "list", "--url", run.url(), "--json");
    assertThat(without.exitCode()).isNotZero();
    assertThat(without.err()).contains("UNAUTHORIZED").contains("--token");
    assertThat(without.err() + without.out()).doesNotContain(VIEWER);
  }

  @Test
  void theWorkerClientSendsItsTokenOverHttp() throws Exception {
    JsonObject circuits = await(LedgerTransport.http(vertx, URI.create(run.url()), CI).circuits());
    assertThat(circuits.getJsonArray("circuits")).isNotNull();
    assertThatThrownBy(() -> await(LedgerTransport.http(vertx, URI.create(run.url()), "wrong-token").circuits()))
        .hasRootCauseInstanceOf(ReboundException.class)
        .rootCause().satisfies(e -> assertThat(((ReboundException) e).code()).isEqualTo(ErrorCode.UNAUTHORIZED));
  }

  // ------------------------------------------------------------------ safe defaults

  @Test
  void reboundRunBeyondLoopbackWithoutTokensRefusesToStartNamingAuthTokens() {
    Settings settings = Settings.empty().withOverrides(Map.of("run.host", "0.0.0.0", "run.port", "0"));
    assertThatThrownBy(() -> ReboundRun.start(settings, ReboundRun.SERVICES, PostgresProvisioner.system()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auth.tokens").hasMessageContaining("auth.disabled");
  }

  @Test
  void aServiceBeyondLoopbackWithoutTokensRefusesToStartUnlessAuthIsDisabledExplicitly() {
    Settings beyond = Settings.empty().withOverrides(Map.of("http.host", "0.0.0.0"));
    for (Runnable config : List.<Runnable>of(() -> LedgerConfig.from(beyond), () -> AnalyzerConfig.from(beyond),
        () -> RetryConfig.from(beyond), () -> NotifierConfig.from(beyond))) {
      assertThatThrownBy(config::run).isInstanceOf(ConfigException.class).hasMessageContaining("auth.tokens");
    }
    Settings disabled = Settings.load(Map.of("REBOUND_AUTH_DISABLED", "true"), Optional.empty())
        .withOverrides(Map.of("http.host", "0.0.0.0"));
    assertThat(LedgerConfig.from(disabled).security().enforced()).isFalse();
    assertThat(LedgerConfig.from(Settings.empty()).security().describe()).contains("OPEN");
  }

  // ------------------------------------------------------------------ helpers

  private static Settings settings(Path yaml, TestDatabase db, Map<String, String> more) {
    Map<String, String> overrides = new HashMap<>(db.settingsOverrides());
    String password = db.options().getPassword();
    if (password != null && !password.isEmpty()) {
      overrides.put("pg.password", password);
    }
    overrides.put("shutdown.timeout", "5s");
    overrides.putAll(more);
    return Settings.load(Map.of(), Optional.of(yaml)).withOverrides(overrides);
  }

  private static String hex(String token) {
    return HexFormat.of().formatHex(HttpSecurity.sha256(token));
  }

  private static HttpResponse<String> get(String server, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(SERVERS.get(server) + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String server, String path, String token, JsonObject body,
      String contentType, String origin) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(SERVERS.get(server) + path))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo(code);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
