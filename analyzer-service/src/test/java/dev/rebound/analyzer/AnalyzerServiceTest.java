package dev.rebound.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.AnalyzerApi;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The analyzer service on a real event bus and PostgreSQL, with a fake retry service listening. */
class AnalyzerServiceTest {
  static Vertx vertx;
  static TestDatabase db;
  static Pool pool;
  static Settings settings;
  static String deployment;
  static AnalyzerVerticle analyzer;
  static WebClient http;
  static final List<JsonObject> toRetry = new CopyOnWriteArrayList<>();
  static final List<JsonObject> published = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    db = await(TestDatabase.create(vertx, "analyzer"));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    o.put("analyzer.template-save-interval", "200ms");
    settings = Settings.load(Map.of(), Optional.empty()).withOverrides(o);
    deploy();
    pool = db.pool(vertx, 2);
    http = WebClient.create(vertx);
    MessageConsumer<JsonObject> retry = vertx.eventBus().consumer(Addresses.RETRY_CLASSIFIED, m -> toRetry.add(m.body()));
    MessageConsumer<JsonObject> observer = vertx.eventBus().consumer(Addresses.EVENTS_CLASSIFIED, m -> published.add(m.body()));
    await(retry.completion());
    await(observer.completion());
  }

  static void deploy() throws Exception {
    analyzer = new AnalyzerVerticle(AnalyzerConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
    deployment = await(vertx.deployVerticle(analyzer));
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    await(vertx.undeploy(deployment));
    await(db.drop(vertx));
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static void eventually(BooleanSupplier c) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!c.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(25);
    }
    assertThat(c.getAsBoolean()).isTrue();
  }

  static JsonObject failure(UUID failureId, UUID taskId, int attempt, String message) {
    JsonObject f = new JsonObject().put("failureId", failureId.toString()).put("message", message)
        .put("stage", "deploy").put("workflowId", "wf-1").put("source", "worker-7");
    if (taskId != null) {
      f.put("taskId", taskId.toString()).put("attempt", attempt);
    }
    return f;
  }

  static JsonObject analyze(JsonObject failure) throws Exception {
    return await(vertx.eventBus().<JsonObject>request(Addresses.ANALYZER_FAILURES, failure)).body();
  }

  static HttpResponse<Buffer> post(String path, Object body) throws Exception {
    var req = http.post(analyzer.actualPort(), "127.0.0.1", path)
        .putHeader("Content-Type", path.endsWith("/batch") ? "application/x-ndjson" : "application/json");
    return await(body instanceof String s ? req.sendBuffer(Buffer.buffer(s)) : req.sendJsonObject((JsonObject) body));
  }

  static HttpResponse<Buffer> get(String path) throws Exception {
    return await(http.get(analyzer.actualPort(), "127.0.0.1", path).send());
  }

  @Test
  void aRecordedFailureIsClassifiedRedactedAndForwardedToTheRetryService() throws Exception {
    UUID failureId = UUID.randomUUID();
    UUID taskId = UUID.randomUUID();
    String token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    JsonObject reply = analyze(failure(failureId, taskId, 1,
        "git fetch failed: remote: Invalid username or password. https://x-access-token:" + token + "@github.com/acme/app.git"));
    assertThat(reply.getString("failureId")).isEqualTo(failureId.toString());
    eventually(() -> toRetry.stream().anyMatch(o -> failureId.toString().equals(o.getString("failureId"))));
    JsonObject sent = toRetry.stream().filter(o -> failureId.toString().equals(o.getString("failureId"))).findFirst().orElseThrow();
    assertThat(sent.getString("taskId")).isEqualTo(taskId.toString());
    assertThat(sent.getInteger("attempt")).isEqualTo(1);
    JsonObject verdict = sent.getJsonObject("verdict");
    assertThat(verdict.getString("fingerprint")).matches("[0-9a-f]{16}");
    assertThat(verdict.getString("signature")).matches("[0-9a-f]{16}");
    assertThat(verdict.getString("category")).isNotBlank();
    assertThat(verdict.getDouble("confidence")).isBetween(0.0, 1.0);
    assertThat(sent.getJsonObject("history").getLong("occurrences")).isEqualTo(1L);
    assertThat(sent.getJsonObject("impactLastHour").getLong("tasks")).isEqualTo(1L);
    assertThat(sent.encode()).doesNotContain(token);
    assertThat(published.stream().anyMatch(o -> failureId.toString().equals(o.getString("failureId")))).isTrue();
    String stored = await(pool.query("SELECT string_agg(classified::text, ' ') FROM analyzer.occurrences").execute())
        .iterator().next().getString(0);
    assertThat(stored).doesNotContain(token).contains("<redacted:");
  }

  @Test
  void secretsNeverReachTheLogs() throws Exception {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
        Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    String key = "sk-proj-" + "T0pS3cr3tK3yF0rT3st1ngOnlyAbCdEfGh";
    try {
      analyze(failure(UUID.randomUUID(), UUID.randomUUID(), 1, "OpenAI 429: rate limit reached for key " + key));
      post("/v1/classify", new JsonObject().put("message", "Authorization: Bearer " + key).put("httpStatus", "oops"));
      post("/v1/classify", "{\"message\": \"" + key);
      post("/v1/classify/batch", "{\"message\":\"" + key + "\"}\n" + key + "\n");
      // 36 characters, the length of a UUID: the parse error would quote it
      String githubToken = "ghp_" + "a".repeat(32);
      vertx.eventBus().publish(Addresses.EVENTS_TASKS, new JsonObject().put("taskId", githubToken));
      Thread.sleep(200);
    } finally {
      root.detachAppender(logs);
    }
    assertThat(logs.list).as("the malformed event is logged").anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("malformed task event"));
    assertThat(logs.list).allSatisfy(e -> {
      assertThat(e.getFormattedMessage()).doesNotContain(key).doesNotContain("ghp_" + "a".repeat(32));
      if (e.getThrowableProxy() != null) {
        assertThat(e.getThrowableProxy().getMessage()).doesNotContain(key);
      }
    });
  }

  @Test
  void failuresAnalysedAtOnceAreCountedOnceEachAndTheirHistoryFollowsArrivalOrder() throws Exception {
    String message = "java.net.UnknownHostException: registry-" + UUID.randomUUID().toString().substring(0, 8)
        + ".internal: Name or service not known";
    List<JsonObject> burst = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      burst.add(failure(UUID.randomUUID(), UUID.randomUUID(), 1, message));
    }
    burst.add(burst.get(2).copy());
    List<Future<Message<JsonObject>>> sent = burst.stream()
        .map(f -> vertx.eventBus().<JsonObject>request(Addresses.ANALYZER_FAILURES, f)).toList();
    List<JsonObject> answers = new ArrayList<>();
    for (Future<Message<JsonObject>> a : sent) {
      answers.add(await(a).body());
    }

    String fp = answers.get(0).getJsonObject("verdict").getString("fingerprint");
    assertThat(answers).extracting(a -> a.getJsonObject("verdict").getString("fingerprint")).containsOnly(fp);
    assertThat(answers.get(6)).isEqualTo(answers.get(2));
    assertThat(answers.subList(0, 6)).extracting(a -> a.getJsonObject("history").getLong("occurrences"))
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    long occurrences = await(pool.preparedQuery("SELECT occurrences FROM analyzer.fingerprints WHERE fingerprint = $1")
        .execute(Tuple.of(fp))).iterator().next().getLong(0);
    assertThat(occurrences).isEqualTo(6);
    long byStage = await(pool.preparedQuery(
        "SELECT occurrences FROM analyzer.fingerprint_stages WHERE fingerprint = $1 AND stage = 'deploy'")
        .execute(Tuple.of(fp))).iterator().next().getLong(0);
    assertThat(byStage).isEqualTo(6);
  }

  @Test
  void theSameFailureTwiceIsCountedOnceButForwardedAgain() throws Exception {
    UUID failureId = UUID.randomUUID();
    JsonObject f = failure(failureId, UUID.randomUUID(), 1, "java.net.SocketTimeoutException: Read timed out after 30000 ms");
    JsonObject first = analyze(f);
    JsonObject second = analyze(f);
    assertThat(second).isEqualTo(first);
    long n = await(pool.preparedQuery("SELECT count(*) FROM analyzer.occurrences WHERE failure_id = $1").execute(Tuple.of(failureId)))
        .iterator().next().getLong(0);
    assertThat(n).isEqualTo(1);
    String fp = first.getJsonObject("verdict").getString("fingerprint");
    long occurrences = await(pool.preparedQuery("SELECT occurrences FROM analyzer.fingerprints WHERE fingerprint = $1")
        .execute(Tuple.of(fp))).iterator().next().getLong(0);
    assertThat(occurrences).isEqualTo(1);
    eventually(() -> toRetry.stream().filter(o -> failureId.toString().equals(o.getString("failureId"))).count() == 2);
  }

  @Test
  void variantsOfOneErrorShareAFingerprintAndItsHistoryGrows() throws Exception {
    JsonObject a = analyze(failure(UUID.randomUUID(), UUID.randomUUID(), 1, "connect ECONNREFUSED 10.0.3.17:5432"));
    JsonObject b = analyze(failure(UUID.randomUUID(), UUID.randomUUID(), 1, "connect ECONNREFUSED 192.168.1.200:6379"));
    assertThat(b.getJsonObject("verdict").getString("fingerprint")).isEqualTo(a.getJsonObject("verdict").getString("fingerprint"));
    assertThat(b.getJsonObject("history").getLong("occurrences")).isEqualTo(a.getJsonObject("history").getLong("occurrences") + 1);
    HttpResponse<Buffer> detail = get("/v1/fingerprints/" + a.getJsonObject("verdict").getString("fingerprint"));
    assertThat(detail.statusCode()).isEqualTo(200);
    assertThat(detail.bodyAsJsonObject().getJsonArray("stages").getJsonObject(0).getString("stage")).isEqualTo("deploy");
    assertThat(detail.bodyAsJsonObject().getJsonObject("impactLastHour").getLong("tasks")).isGreaterThanOrEqualTo(2L);
    // the signature keeps the underlying error's history across its templates
    assertThat(detail.bodyAsJsonObject().getString("signature")).isEqualTo(a.getJsonObject("verdict").getString("signature"));
    assertThat(detail.bodyAsJsonObject().getJsonObject("signatureHistory").getLong("occurrences")).isGreaterThanOrEqualTo(2L);
    HttpResponse<Buffer> top = get("/v1/fingerprints?sort=count&limit=5");
    assertThat(top.bodyAsJsonObject().getJsonArray("fingerprints")).isNotEmpty();
    assertThat(get("/v1/fingerprints?stage=deploy").bodyAsJsonObject().getJsonArray("fingerprints")).isNotEmpty();
  }

  @Test
  void aDeadLetteredTaskRedrivenToSuccessCountsAsResolvedByAPersonNoLongerAsDeadLettered() throws Exception {
    UUID task = UUID.randomUUID();
    JsonObject first = analyze(failure(UUID.randomUUID(), task, 1,
        "HttpError: Bad credentials for deploy-" + UUID.randomUUID().toString().substring(0, 8)));
    String fp = first.getJsonObject("verdict").getString("fingerprint");
    Instant now = Instant.now();
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new JsonObject().put("taskId", task.toString()).put("from", "RUNNING")
        .put("to", "FAILED").put("attempt", 1).put("stage", "deploy").put("at", now.toString()));
    eventually(() -> outcomes(fp).getLong("deadLettered") == 1L);
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new JsonObject().put("taskId", task.toString()).put("from", "FAILED")
        .put("to", "QUEUED").put("attempt", 1).put("stage", "deploy").put("actor", "alice")
        .put("reason", "rotated the token").put("at", now.plusSeconds(1).toString()));
    Thread.sleep(200);
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new JsonObject().put("taskId", task.toString()).put("from", "RUNNING")
        .put("to", "DONE").put("attempt", 2).put("stage", "deploy").put("at", now.plusSeconds(2).toString()));
    eventually(() -> outcomes(fp).getLong("resolvedByPerson") == 1L);
    assertThat(outcomes(fp).getLong("deadLettered")).isZero();
    // the history stays consistent: the next failure of the fingerprint is classified with it
    JsonObject next = analyze(failure(UUID.randomUUID(), UUID.randomUUID(), 1,
        first.getJsonObject("verdict").getString("redacted")));
    assertThat(next.getJsonObject("history").getLong("occurrences")).isEqualTo(2L);
  }

  @Test
  void aProvisionalDeadLetterReplacedByADecisionIsNotCountedAndTheRealOneOnceOnly() throws Exception {
    String host = "cache-" + UUID.randomUUID().toString().substring(0, 8);
    UUID task = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    JsonObject first = analyze(failure(UUID.randomUUID(), task, 5, "java.net.SocketTimeoutException: Read timed out from " + host));
    analyze(failure(UUID.randomUUID(), other, 5, "java.net.SocketTimeoutException: Read timed out from " + host));
    String fp = first.getJsonObject("verdict").getString("fingerprint");
    String sig = first.getJsonObject("verdict").getString("signature");
    JsonObject before = counters(fp, sig);
    Instant now = Instant.now();
    // the ledger's provisional rule dead-letters attempt 5, then the retry service's decision replaces it: once
    // with the two transitions apart, once together (one batch)
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, transition(task, "RUNNING", "FAILED", 5, now));
    eventually(() -> counters(fp, sig).getLong("f.dead_lettered") == before.getLong("f.dead_lettered") + 1);
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, transition(task, "FAILED", "RETRY", 5, now));
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, transition(other, "RUNNING", "FAILED", 5, now));
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, transition(other, "FAILED", "BLOCKED", 5, now));
    eventually(() -> counters(fp, sig).equals(before));
    // the next attempt is dead-lettered for good: counted once, and stays counted
    analyze(failure(UUID.randomUUID(), task, 6, "java.net.SocketTimeoutException: Read timed out from " + host));
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, transition(task, "RUNNING", "FAILED", 6, now));
    eventually(() -> counters(fp, sig).getLong("f.dead_lettered") == before.getLong("f.dead_lettered") + 1);
    Thread.sleep(300);
    JsonObject after = counters(fp, sig);
    assertThat(after.getLong("f.dead_lettered")).isEqualTo(before.getLong("f.dead_lettered") + 1);
    assertThat(after.getLong("s.dead_lettered")).isEqualTo(before.getLong("s.dead_lettered") + 1);
    long rows = await(pool.preparedQuery("SELECT count(*) FROM analyzer.outcomes WHERE task_id = ANY($1)")
        .execute(Tuple.of((Object) new UUID[] {task, other}))).iterator().next().getLong(0);
    assertThat(rows).isEqualTo(1);
  }

  private static JsonObject transition(UUID task, String from, String to, int attempt, Instant at) {
    return new JsonObject().put("taskId", task.toString()).put("from", from).put("to", to).put("attempt", attempt)
        .put("stage", "deploy").put("at", at.toString());
  }

  private static JsonObject outcomes(String fingerprint) {
    try {
      return get("/v1/fingerprints/" + fingerprint).bodyAsJsonObject().getJsonObject("outcomes");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void outcomesAreLearnedFromTaskTransitions() throws Exception {
    UUID task = UUID.randomUUID();
    JsonObject first = analyze(failure(UUID.randomUUID(), task, 1, "HTTP 503 Service Unavailable from registry.npmjs.org"));
    String fp = first.getJsonObject("verdict").getString("fingerprint");
    JsonObject done = new JsonObject().put("taskId", task.toString()).put("from", "RUNNING").put("to", "DONE")
        .put("attempt", 2).put("stage", "deploy").put("at", Instant.now().toString());
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, done);
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, done);  // at-least-once: a repeat must not count twice
    eventually(() -> healed(fp) == 1);
    Thread.sleep(300);
    assertThat(healed(fp)).isEqualTo(1);
    JsonObject detail = get("/v1/fingerprints/" + fp).bodyAsJsonObject();
    assertThat(detail.getJsonObject("outcomes").getLong("healedByRetry")).isEqualTo(1L);
    assertThat(detail.getDouble("averageAttemptsToHeal")).isEqualTo(2.0);
  }

  @Test
  void aStormOfOutcomesAndAnalysesOfOneErrorIsCountedExactlyWithoutADeadlock() throws Exception {
    // tasks of one underlying error failing, healing and being dead-lettered at once: the outcome writer and the
    // analysis writer lock the same fingerprint and signature rows, in the same order
    String host = "db-" + UUID.randomUUID().toString().substring(0, 8);
    // the error's rows as they were before (other tests may have counted the same template)
    JsonObject known = post("/v1/classify", new JsonObject().put("message", "java.net.ConnectException: Connection refused to "
        + host + ":1")).bodyAsJsonObject();
    JsonObject before = counters(known.getString("fingerprint"), known.getString("signature"));
    List<UUID> tasks = new ArrayList<>();
    List<Future<Message<JsonObject>>> analysed = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      UUID task = UUID.randomUUID();
      tasks.add(task);
      analysed.add(vertx.eventBus().request(Addresses.ANALYZER_FAILURES,
          failure(UUID.randomUUID(), task, 1, "java.net.ConnectException: Connection refused to " + host + ":" + (5000 + i))));
    }
    String fp = await(analysed.get(0)).body().getJsonObject("verdict").getString("fingerprint");
    String sig = await(analysed.get(0)).body().getJsonObject("verdict").getString("signature");
    for (Future<Message<JsonObject>> f : analysed) {
      assertThat(await(f).body().getJsonObject("verdict").getString("fingerprint")).isEqualTo(fp);
    }
    Instant now = Instant.now();
    List<Future<Message<JsonObject>>> more = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // the second attempts' failures analysed while the first attempts' outcomes are recorded
      more.add(vertx.eventBus().request(Addresses.ANALYZER_FAILURES,
          failure(UUID.randomUUID(), UUID.randomUUID(), 1, "java.net.ConnectException: Connection refused to " + host + ":1")));
      boolean healedTask = i % 3 != 0;
      JsonObject t = new JsonObject().put("taskId", tasks.get(i).toString()).put("from", "RUNNING")
          .put("to", healedTask ? "DONE" : "FAILED").put("attempt", healedTask ? 2 : 1).put("stage", "deploy")
          .put("at", now.toString());
      vertx.eventBus().publish(Addresses.EVENTS_TASKS, t);
    }
    for (Future<Message<JsonObject>> f : more) {
      assertThat(await(f).body().getJsonObject("verdict").getString("fingerprint")).isEqualTo(fp);
    }
    assertThat(fp).isEqualTo(known.getString("fingerprint"));
    assertThat(sig).isEqualTo(known.getString("signature"));
    JsonObject expected = new JsonObject();
    before.forEach(e -> expected.put(e.getKey(), (Long) e.getValue() + switch (e.getKey().substring(2)) {
      case "occurrences" -> 600L;
      case "healed_by_retry" -> 200L;
      case "dead_lettered" -> 100L;
      case "heal_attempts_total" -> 400L;
      default -> 0L;
    }));
    eventually(() -> counters(fp, sig).equals(expected));
    Thread.sleep(300);
    assertThat(counters(fp, sig)).isEqualTo(expected);
  }

  /** A fingerprint's and a signature's counters (0 when not seen yet), as {@code f.<column>} and {@code s.<column>}. */
  private static JsonObject counters(String fp, String sig) {
    try {
      JsonObject out = new JsonObject();
      for (String c : List.of("occurrences", "healed_by_retry", "heal_attempts_total", "dead_lettered", "resolved_by_person")) {
        var f = await(pool.preparedQuery("SELECT " + c + " FROM analyzer.fingerprints WHERE fingerprint = $1").execute(Tuple.of(fp)));
        out.put("f." + c, f.size() == 0 ? 0L : f.iterator().next().getLong(0));
        if (!c.equals("heal_attempts_total")) {
          var s = await(pool.preparedQuery("SELECT " + c + " FROM analyzer.signatures WHERE signature = $1").execute(Tuple.of(sig)));
          out.put("s." + c, s.size() == 0 ? 0L : s.iterator().next().getLong(0));
        }
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long healed(String fp) {
    try {
      return await(pool.preparedQuery("SELECT healed_by_retry FROM analyzer.fingerprints WHERE fingerprint = $1")
          .execute(Tuple.of(fp))).iterator().next().getLong(0);
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void classifyOverHttpAndTheEventBusAgree() throws Exception {
    JsonObject req = new JsonObject().put("message", "FATAL: sorry, too many clients already").put("sqlState", "53300");
    HttpResponse<Buffer> r = post("/v1/classify", req);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject bus = await(vertx.eventBus().<JsonObject>request(Addresses.ANALYZER_CLASSIFY, req)).body();
    assertThat(bus.getString("fingerprint")).isEqualTo(r.bodyAsJsonObject().getString("fingerprint"));
    assertThat(bus.getString("category")).isEqualTo(r.bodyAsJsonObject().getString("category"));
    JsonObject explained = post("/v1/classify", req.copy().put("explain", true)).bodyAsJsonObject();
    assertThat(explained.getJsonArray("reasons")).isNotEmpty();
  }

  @Test
  void batchClassificationAnswersEveryLineInOrderIncludingBadOnes() throws Exception {
    String ndjson = "{\"message\":\"OOMKilled\",\"exitCode\":137}\n"
        + "not json\n"
        + "\n"
        + "{\"nomessage\":true}\n"
        + "{\"message\":\"429 Too Many Requests; Retry-After: 30\",\"httpStatus\":429}\n";
    HttpResponse<Buffer> r = post("/v1/classify/batch", ndjson);
    assertThat(r.statusCode()).isEqualTo(200);
    String[] lines = r.bodyAsString().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(new JsonObject(lines[0]).getInteger("line")).isEqualTo(1);
    assertThat(new JsonObject(lines[1]).getJsonObject("error").getString("code")).isEqualTo("BAD_REQUEST");
    assertThat(new JsonObject(lines[2]).getJsonObject("error").getString("message")).contains("'message' is required");
    assertThat(new JsonObject(lines[3]).getInteger("line")).isEqualTo(5);
    assertThat(new JsonObject(lines[3]).getLong("retryAfterMs")).isEqualTo(30_000L);
  }

  @Test
  void badInputIsAnsweredClearlyAndAnOversizedMessageIsTruncatedNotRefused() throws Exception {
    assertThat(post("/v1/classify", "{oops").statusCode()).isEqualTo(400);
    assertThat(post("/v1/classify", new JsonObject()).bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("'message' is required");
    assertThat(post("/v1/classify", new JsonObject().put("message", "x").put("httpStatus", "500")).statusCode()).isEqualTo(400);
    assertThat(get("/v1/fingerprints/zzz").statusCode()).isEqualTo(400);
    assertThat(get("/v1/fingerprints/0123456789abcdef").statusCode()).isEqualTo(404);
    assertThat(get("/v1/fingerprints?sort=random").statusCode()).isEqualTo(400);
    // free text is analysed as it came (a NUL becomes U+FFFD, storable); identifiers must be clean
    JsonObject nul = post("/v1/classify", new JsonObject().put("message", "read \u0000 failed: connection reset by peer"))
        .bodyAsJsonObject();
    assertThat(nul.getString("redacted")).contains("\uFFFD").doesNotContain("\u0000");
    assertThat(post("/v1/classify", new JsonObject().put("message", "x").put("exceptionType", "Boom\u0000")).statusCode())
        .isEqualTo(400);
    HttpResponse<Buffer> big = post("/v1/classify", new JsonObject().put("message", "Connection reset by peer ".repeat(20_000)));
    assertThat(big.statusCode()).isEqualTo(200);
    assertThat(big.bodyAsJsonObject().getString("redacted").length()).isLessThanOrEqualTo(17 * 1024);
    Throwable bus = vertx.eventBus().request(Addresses.ANALYZER_FAILURES, new JsonObject().put("message", "no id"))
        .toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get(10, TimeUnit.SECONDS);
    assertThat(bus).hasMessageContaining("failureId");
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void perFailureRowsArePrunedAfterTheRetentionWhileFingerprintCountsStay() throws Exception {
    UUID old = UUID.randomUUID();
    JsonObject r = analyze(failure(old, UUID.randomUUID(), 1, "ssl handshake failed: certificate has expired"));
    await(pool.preparedQuery("UPDATE analyzer.occurrences SET seen_at = now() - interval '40 days' WHERE failure_id = $1")
        .execute(Tuple.of(old)));
    var store = new dev.rebound.analyzer.store.AnalyzerStore(pool, Clock.systemUTC());
    assertThat(await(store.prune(Duration.ofDays(30), 1000))).isPositive();
    assertThat(await(pool.preparedQuery("SELECT 1 FROM analyzer.occurrences WHERE failure_id = $1").execute(Tuple.of(old))).size())
        .isZero();
    String fp = r.getJsonObject("verdict").getString("fingerprint");
    assertThat(await(pool.preparedQuery("SELECT occurrences FROM analyzer.fingerprints WHERE fingerprint = $1")
        .execute(Tuple.of(fp))).iterator().next().getLong(0)).isPositive();
  }

  @Test
  void learnedTemplatesSurviveARestart() throws Exception {
    String message = "worker pool exhausted while handling job alpha-7731 on shard north";
    JsonObject before = post("/v1/classify", new JsonObject().put("message", message)).bodyAsJsonObject();
    post("/v1/classify", new JsonObject().put("message", "worker pool exhausted while handling job beta-1192 on shard south"));
    await(vertx.undeploy(deployment));  // stop() saves the learned templates
    long saved = await(pool.query("SELECT count(*) FROM analyzer.learned_templates").execute()).iterator().next().getLong(0);
    assertThat(saved).isPositive();
    deploy();
    JsonObject after = post("/v1/classify", new JsonObject().put("message", message)).bodyAsJsonObject();
    assertThat(after.getString("fingerprint")).isEqualTo(before.getString("fingerprint"));
  }

  @Test
  void everyAnalyzerApiEntryIsServedOnItsRouteAndTheAnalyzerServesNoOtherJsonOperation() throws Exception {
    assertThat(analyzer.operations().bound()).isEqualTo(EnumSet.allOf(AnalyzerApi.class));
    Set<String> declared = Arrays.stream(AnalyzerApi.values()).filter(op -> op.route() != null)
        .map(op -> op.route().method() + " " + op.route().path()).collect(Collectors.toSet());
    Set<String> served = analyzer.routes().getRoutes().stream()
        .filter(r -> r.methods() != null && !r.methods().isEmpty() && !r.getPath().startsWith("/openapi")
            && !r.getPath().equals("/v1/classify/batch"))
        .flatMap(r -> r.methods().stream().map(m -> m + " " + r.getPath())).collect(Collectors.toSet());
    assertThat(served).isEqualTo(declared);
    for (AnalyzerApi op : AnalyzerApi.values()) {
      if (op.address() != null) {
        DeliveryOptions options = new DeliveryOptions();
        if (op.action() != null) {
          options.addHeader(Addresses.ACTION_HEADER, op.action());
        }
        Throwable t = vertx.eventBus().request(op.address(), "not json", options).toCompletionStage().toCompletableFuture()
            .handle((ok, err) -> err).get(10, TimeUnit.SECONDS);
        assertThat(t).as(op.address()).hasMessageContaining("must be a JSON object");
      }
    }
  }

  /** A request each entry would accept: what the unknown field is added to. */
  private static JsonObject acceptable(AnalyzerApi op) {
    return switch (op) {
      case ANALYZE_FAILURE -> new JsonObject().put("failureId", UUID.randomUUID().toString()).put("message", "m");
      case CLASSIFY -> new JsonObject().put("message", "connection reset by peer");
      case FINGERPRINTS -> new JsonObject();
      case FINGERPRINT -> new JsonObject().put("fingerprint", "0123456789abcdef");
    };
  }

  @ParameterizedTest
  @EnumSource(AnalyzerApi.class)
  void everyOperationRefusesAnUnknownFieldByNameOverHttpAndTheEventBus(AnalyzerApi op) throws Exception {
    JsonObject request = acceptable(op).put("unexpected", 1);
    if (op.route() != null) {
      HttpResponse<Buffer> r = op.route().method() == HttpMethod.GET
          ? get(op.route().path().replace(":fingerprint", String.valueOf(request.remove("fingerprint"))) + "?"
              + request.stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&")))
          : post(op.route().path(), request);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("BAD_REQUEST");
      assertThat(error.getString("message")).startsWith("unknown field 'unexpected'");
      assertThat(error.getJsonObject("details").getString("field")).isEqualTo("unexpected");
    }
    if (op.address() != null) {
      ReboundException e = busError(op, acceptable(op).put("unexpected", 1));
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.getMessage()).startsWith("unknown field 'unexpected'");
      assertThat(e.details().getString("field")).isEqualTo("unexpected");
    }
  }

  @Test
  void aBatchLineWithAnUnknownFieldIsRefusedNamingItWhileTheOthersAreClassified() throws Exception {
    String ndjson = "{\"message\":\"OOMKilled\",\"exit\":137}\n{\"message\":\"OOMKilled\",\"exitCode\":137}\n";
    String[] lines = post("/v1/classify/batch", ndjson).bodyAsString().split("\n");
    assertThat(lines).hasSize(2);
    JsonObject refused = new JsonObject(lines[0]).getJsonObject("error");
    assertThat(refused.getString("message")).startsWith("unknown field 'exit'");
    assertThat(refused.getJsonObject("details").getString("field")).isEqualTo("exit");
    assertThat(new JsonObject(lines[1]).getString("category")).isNotBlank();
  }

  private static ReboundException busError(AnalyzerApi op, JsonObject body) throws Exception {
    DeliveryOptions options = new DeliveryOptions();
    if (op.action() != null) {
      options.addHeader(Addresses.ACTION_HEADER, op.action());
    }
    Throwable t = vertx.eventBus().request(op.address(), body, options).toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).get(10, TimeUnit.SECONDS);
    assertThat(t).as("expected a failure for " + body).isNotNull();
    return ReboundException.from(t);
  }
}
