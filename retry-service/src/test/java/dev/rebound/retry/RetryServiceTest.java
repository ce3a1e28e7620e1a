package dev.rebound.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.client.RetryApi;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskContext;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerVerticle;
import dev.rebound.retry.state.SharedRetryState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The retry service between the real ledger and analyzer in one Vert.x (local event bus) on a fresh
 * PostgreSQL database. Times run at a hundredth ({@code retry.time-scale=0.01}); the ledger's provisional
 * retry is ten minutes out, so every schedule seen is the retry service's.
 */
class RetryServiceTest {
  static final double SCALE = 0.01;
  static Vertx vertx;
  static TestDatabase db;
  static Pool pool;
  static Settings settings;
  static String analyzerDeployment;
  static String retryDeployment;
  static RetryVerticle retry;
  static WebClient http;
  static LedgerClient ledger;
  static final List<JsonObject> circuitEvents = new CopyOnWriteArrayList<>();
  static final List<JsonObject> alerts = new CopyOnWriteArrayList<>();
  static final List<JsonObject> classified = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = await(ReboundVertx.createLocal());
    db = await(TestDatabase.create(vertx, "retrysvc"));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    o.put("metrics.jvm", "false");
    o.put("ledger.retry.base", "10m");
    o.put("ledger.retry.cap", "1h");
    o.put("retry.time-scale", String.valueOf(SCALE));
    o.put("retry.sweep-interval", "100ms");
    o.put("retry.circuits.stage.open-duration", "1h");
    o.put("retry.circuits.stage.max-open-duration", "2h");
    o.put("retry.budgets.stage.min-retries-per-second", "1000");
    o.put("retry.budgets.global.min-retries-per-second", "1000");
    settings = Settings.empty().withOverrides(o);
    await(vertx.deployVerticle(LedgerVerticle.fromSettings(settings)));
    analyzerDeployment = await(vertx.deployVerticle(AnalyzerVerticle.fromSettings(settings)));
    deployRetry();
    pool = db.pool(vertx, 2);
    http = WebClient.create(vertx);
    ledger = new LedgerClient(vertx, 10_000);
    await(vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_CIRCUITS, m -> circuitEvents.add(m.body())).completion());
    await(vertx.eventBus().<JsonObject>consumer(Addresses.NOTIFIER_ALERTS, m -> alerts.add(m.body())).completion());
    await(vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_CLASSIFIED, m -> classified.add(m.body())).completion());
  }

  static void deployRetry() throws Exception {
    retry = RetryVerticle.fromSettings(settings);
    retryDeployment = await(vertx.deployVerticle(retry));
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    await(vertx.close());
    Vertx admin = Vertx.vertx();
    await(db.drop(admin));
    await(admin.close());
  }

  // ------------------------------------------------------------------ the tests

  @Test
  void aTransientFailureGetsARetryOnItsStagesScheduleAppliedByTheLedger() throws Exception {
    TaskView task = claimNew("tests");
    fail(task, "java.net.SocketTimeoutException: Read timed out", null);

    Row d = decisionOf(task.id(), task.attempt());
    assertThat(d.getString("action")).isEqualTo("RETRY");
    assertThat(d.getBoolean("degraded")).isFalse();
    // tests: linear 30 s, equal jitter → [15 s, 30 s], scaled
    assertThat(d.getLong("delay_ms")).isBetween((long) (15_000 * SCALE), (long) (30_000 * SCALE));
    Instant runAt = d.getOffsetDateTime("run_at").toInstant();
    TaskView after = eventually(() -> get(task.id()), t -> t.runAfter() != null && t.state() == TaskState.RETRY
        && Math.abs(Duration.between(t.runAfter(), runAt).toMillis()) <= 1);
    assertThat(after.runAfter()).isBefore(Instant.now().plusSeconds(60));
  }

  @Test
  void aPermanentFailureIsDeadLetteredOnItsFirstAttempt() throws Exception {
    TaskView task = claimNew("repository");
    fail(task, "HttpError: Bad credentials", 401);

    Row d = decisionOf(task.id(), task.attempt());
    assertThat(d.getString("action")).isEqualTo("DEAD_LETTER");
    assertThat(d.getString("cause")).isEqualTo("PERMANENT");
    eventually(() -> get(task.id()), t -> t.state() == TaskState.FAILED);
  }

  @Test
  void aRetryAfterHintOf120SecondsIsNeverScheduledSooner() throws Exception {
    TaskView task = claimNew("pull-request");
    fail(task, "GitHub API rate limit exceeded: HTTP 429 Too Many Requests, Retry-After: 120", 429);

    Row d = decisionOf(task.id(), task.attempt());
    assertThat(d.getString("action")).isEqualTo("RETRY");
    assertThat(d.getLong("delay_ms")).isGreaterThanOrEqualTo((long) (120_000 * SCALE));
    Instant runAt = d.getOffsetDateTime("run_at").toInstant();
    assertThat(Duration.between(d.getOffsetDateTime("decided_at").toInstant(), runAt).toMillis())
        .isGreaterThanOrEqualTo((long) (120_000 * SCALE));
  }

  @Test
  void fiveConsecutiveFailuresOpenTheStagesCircuitParkTheNextAndAnOperatorClosesIt() throws Exception {
    String stage = "deploy-" + UUID.randomUUID().toString().substring(0, 6);
    String circuit = "stage:" + stage;
    TaskView next = claimNew(stage); // running while the circuit opens; its failure comes after
    failTasks(stage, 5);

    eventually(() -> circuitState(circuit), "OPEN"::equals);
    JsonObject c = getJson("/v1/circuits/" + circuit, 200);
    assertThat(c.getString("name")).isEqualTo(circuit);
    assertThat(c.getString("state")).isEqualTo("OPEN");
    eventually(() -> circuitEvents, l -> l.stream().anyMatch(e -> circuit.equals(e.getString("name"))
        && "OPEN".equals(e.getString("to"))));
    JsonObject alert = eventually(() -> alerts.stream().filter(a -> stage.equals(a.getJsonObject("labels").getString("stage"))
        && "circuit-open".equals(a.getJsonObject("labels").getString("kind"))).findFirst(), Optional::isPresent).get();
    assertThat(alert.getJsonObject("labels").getString("severity")).isEqualTo("error");
    assertThat(alert.getJsonObject("labels").getString("category")).isNotBlank();
    assertThat(alert.getJsonObject("labels").getString("fingerprint")).matches("[0-9a-f]{16}");
    assertThat(alert.getString("summary")).contains(circuit);

    // while the circuit is open the ledger hands out none of the stage's tasks
    eventually(() -> pausedStages().contains(stage), Boolean::booleanValue);
    await(ledger.enqueue(EnqueueRequest.builder(stage).build()));
    assertThat(await(ledger.claim(ClaimRequest.builder("worker-2").stage(stage).build()))).isEmpty();

    fail(next, "java.net.SocketTimeoutException: Read timed out", null);
    Row parked = decisionOf(next.id(), next.attempt());
    assertThat(parked.getString("action")).as(parked.getString("reason")).isEqualTo("PARK");
    eventually(() -> get(next.id()), t -> t.state() == TaskState.BLOCKED);

    JsonObject closed = postJson("/v1/circuits/" + circuit + "/close",
        new JsonObject().put("actor", "alice").put("reason", "registry fixed"), 200);
    assertThat(closed.getString("state")).isEqualTo("CLOSED");
    JsonObject now = getJson("/v1/circuits/" + circuit, 200);
    assertThat(now.getString("state")).isEqualTo("CLOSED");
    assertThat(now.getJsonArray("transitions").getJsonObject(0).getString("actor")).isEqualTo("alice");
    eventually(() -> circuitEvents, l -> l.stream().anyMatch(e -> circuit.equals(e.getString("name"))
        && "CLOSED".equals(e.getString("to")) && "alice".equals(e.getString("actor"))));

    String scrape = ReboundVertx.registry(vertx).orElseThrow().scrape();
    assertThat(scrape).contains("rebound_retry_decisions_total{action=\"PARK\",degraded=\"false\",stage=\"" + stage + "\"}")
        .contains("rebound_retry_circuit_state{circuit=\"" + circuit + "\"} 0.0")
        .contains("rebound_retry_circuit_transitions_total{circuit=\"" + circuit + "\",to=\"OPEN\"}");
  }

  @Test
  void failuresClassifiedAtOnceAreDecidedTogetherOnceEachFromTheTaskContextTheyCarry() throws Exception {
    String stage = "batch-" + UUID.randomUUID().toString().substring(0, 6);
    TaskView task = claimNew(stage);
    fail(task, "java.net.SocketTimeoutException: Read timed out", null);
    decisionOf(task.id(), task.attempt());
    JsonObject template = eventually(() -> classified.stream()
        .filter(m -> task.id().toString().equals(m.getString("taskId"))).findFirst(), Optional::isPresent).get();

    // three failures of tasks the ledger does not know: deciding must not need to read them back
    List<JsonObject> burst = new ArrayList<>();
    List<UUID> tasks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      UUID id = UUID.randomUUID();
      tasks.add(id);
      burst.add(template.copy().put("failureId", UUID.randomUUID().toString()).put("taskId", id.toString())
          .put("attempt", 1).put("task", new TaskContext("agent-" + i, null, 0, Instant.now(), null).toJson()));
    }
    burst.add(burst.get(0).copy());
    List<Future<Message<JsonObject>>> answers = burst.stream()
        .map(m -> vertx.eventBus().<JsonObject>request(Addresses.RETRY_CLASSIFIED, m)).toList();
    List<JsonObject> replies = new ArrayList<>();
    for (Future<Message<JsonObject>> a : answers) {
      replies.add(await(a).body());
    }

    assertThat(replies).extracting(r -> r.getBoolean("duplicate")).containsExactly(false, false, false, true);
    assertThat(replies.get(3).getString("action")).isEqualTo(replies.get(0).getString("action"));
    for (UUID id : tasks) {
      assertThat(count("SELECT count(*) FROM retry.decisions WHERE task_id = $1", id)).isEqualTo(1);
    }
    // the stage's circuit counted the first failure and the three of the burst, the repeat not
    assertThat(getJson("/v1/circuits/stage:" + stage, 200).getInteger("consecutiveFailures")).isEqualTo(4);
    assertThat(getJson("/v1/circuits/agent:agent-1", 200).getInteger("consecutiveFailures")).isEqualTo(1);
  }

  @Test
  void aTaskDoneAfterARetryCountsAsHealedByRetriesAndOneRedrivenByAnOperatorAsHealedByAPerson() throws Exception {
    String stage = "heal-" + UUID.randomUUID().toString().substring(0, 6);
    double byRetry = sample("rebound_retry_tasks_healed_total{by=\"retry\"}");
    double byPerson = sample("rebound_retry_tasks_healed_total{by=\"person\"}");
    double timed = sample("rebound_retry_time_to_heal_seconds_count");
    TaskView task = claimNew(stage);
    fail(task, "java.net.SocketTimeoutException: Read timed out", null);
    assertThat(decisionOf(task.id(), task.attempt()).getString("action")).isEqualTo("RETRY");
    completeNextOf(stage, task.id());

    TaskView other = claimNew(stage);
    fail(other, "HttpError: Bad credentials", 401);
    assertThat(decisionOf(other.id(), other.attempt()).getString("action")).isEqualTo("DEAD_LETTER");
    eventually(() -> get(other.id()), t -> t.state() == TaskState.FAILED);
    await(ledger.redrive(DeadLetterSelection.ofIds(List.of(other.id()), "credentials rotated")));
    eventually(() -> quietly(() -> count("SELECT count(*) FROM retry.interventions WHERE task_id = $1", other.id())),
        n -> n == 1);
    completeNextOf(stage, other.id());

    eventually(() -> sample("rebound_retry_time_to_heal_seconds_count"), n -> n == timed + 2);
    assertThat(sample("rebound_retry_tasks_healed_total{by=\"retry\"}")).isEqualTo(byRetry + 1);
    assertThat(sample("rebound_retry_tasks_healed_total{by=\"person\"}")).isEqualTo(byPerson + 1);
  }

  /** The value of one Prometheus sample of this JVM's registry ({@code name{labels}}), 0 when absent. */
  private static double sample(String name) {
    return ReboundVertx.registry(vertx).orElseThrow().scrape().lines().filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst().orElse(0);
  }

  @Test
  void aTaskOfAnAgentSucceedingAfterAFailureResetsTheAgentsCircuit() throws Exception {
    String stage = "agent-" + UUID.randomUUID().toString().substring(0, 6);
    String agent = "crawler-" + UUID.randomUUID().toString().substring(0, 6);
    await(ledger.enqueue(EnqueueRequest.builder(stage).agent(agent).build()));
    TaskView task = await(ledger.claim(ClaimRequest.builder("worker-1").stage(stage).build())).get(0);
    fail(task, "java.net.SocketTimeoutException: Read timed out", null);
    assertThat(decisionOf(task.id(), task.attempt()).getString("action")).isEqualTo("RETRY");
    assertThat(getJson("/v1/circuits/agent:" + agent, 200).getInteger("consecutiveFailures")).isEqualTo(1);

    completeNextOf(stage, task.id());
    eventually(() -> getJsonQuietly("/v1/circuits/agent:" + agent).getInteger("consecutiveFailures"), n -> n == 0);
    assertThat(getJson("/v1/circuits/agent:" + agent, 200).getInteger("calls")).isEqualTo(2);
  }

  /** Claims the stage's next task (once its retry is due), which must be {@code id}, and completes it. */
  private static void completeNextOf(String stage, UUID id) throws Exception {
    List<TaskView> claimed = eventually(
        () -> quietly(() -> await(ledger.claim(ClaimRequest.builder("worker-1").stage(stage).build()))),
        l -> !l.isEmpty());
    assertThat(claimed.get(0).id()).isEqualTo(id);
    await(ledger.complete(CompleteRequest.of(id, claimed.get(0).leaseToken(), new JsonObject())));
  }

  @Test
  void theSameTaskAttemptClassifiedTwiceYieldsOneDecisionAndCountsOnce() throws Exception {
    String stage = "lint-" + UUID.randomUUID().toString().substring(0, 6);
    TaskView task = claimNew(stage);
    fail(task, "java.net.SocketTimeoutException: Read timed out", null);
    Row first = decisionOf(task.id(), task.attempt());
    JsonObject message = eventually(() -> classified.stream()
        .filter(m -> task.id().toString().equals(m.getString("taskId"))).findFirst(), Optional::isPresent).get();

    JsonObject again = request(Addresses.RETRY_CLASSIFIED, message, null);
    assertThat(again.getBoolean("duplicate")).isTrue();
    assertThat(again.getString("action")).isEqualTo(first.getString("action"));
    assertThat(again.getString("runAt")).isEqualTo(first.getOffsetDateTime("run_at").toInstant().toString());
    assertThat(count("SELECT count(*) FROM retry.decisions WHERE task_id = $1", task.id())).isEqualTo(1);
    eventually(() -> getJsonQuietly("/v1/circuits/stage:" + stage).getInteger("consecutiveFailures"), n -> n == 1);
    assertThat(getJson("/v1/circuits/stage:" + stage, 200).getInteger("consecutiveFailures")).isEqualTo(1);
  }

  @Test
  void aRestartedRetryServiceStillReportsTheOpenCircuit() throws Exception {
    String stage = "scan-" + UUID.randomUUID().toString().substring(0, 6);
    failTasks(stage, 5);
    eventually(() -> circuitState("stage:" + stage), "OPEN"::equals);

    await(vertx.undeploy(retryDeployment));
    // the whole cluster went away: nothing is left in shared data, only what the database kept
    await(vertx.sharedData().<String, String>getAsyncMap(SharedRetryState.CIRCUITS).compose(m -> m.clear()));
    deployRetry();

    assertThat(getJson("/v1/circuits/stage:" + stage, 200).getString("state")).isEqualTo("OPEN");
  }

  @Test
  void withoutTheAnalyzersVerdictTheFallbackDecidesAndTheDecisionIsMarkedDegraded() throws Exception {
    await(vertx.undeploy(analyzerDeployment));
    try {
      TaskView task = claimNew("coverage");
      fail(task, "java.net.ConnectException: Connection refused", null);
      JsonObject noVerdict = new JsonObject().put("failureId", UUID.randomUUID().toString())
          .put("taskId", task.id().toString()).put("attempt", 1).put("stage", "coverage")
          .put("classifiedAt", Instant.now().toString());
      JsonObject reply = request(Addresses.RETRY_CLASSIFIED, noVerdict, null);
      assertThat(reply.getString("action")).isEqualTo("RETRY");
      assertThat(reply.getBoolean("degraded")).isTrue();
      assertThat(decisionOf(task.id(), task.attempt()).getBoolean("degraded")).isTrue();
      assertThat(ReboundVertx.registry(vertx).orElseThrow().scrape())
          .contains("rebound_retry_degraded_decisions_total{stage=\"coverage\"} 1.0");
    } finally {
      analyzerDeployment = await(vertx.deployVerticle(AnalyzerVerticle.fromSettings(settings)));
    }
  }

  @Test
  void policiesSchedulesAndExportsDescribeEachStage() throws Exception {
    JsonObject all = getJson("/v1/policies", 200);
    assertThat(all.getJsonArray("policies").stream().map(p -> ((JsonObject) p).getString("stage")))
        .contains("repository", "analysis", "tests", "coverage", "pull-request");
    assertThat(getJson("/v1/policies/repository/schedule?attempts=3", 200))
        .isEqualTo(new JsonObject().put("stage", "repository").put("delaysMs", new JsonArray()
            .add(300).add(600).add(1200)));
    JsonObject argo = getJson("/v1/policies/repository?format=argo", 200).getJsonObject("retryStrategy");
    assertThat(argo.getInteger("limit")).isEqualTo(3);
    assertThat(argo.getString("retryPolicy")).isEqualTo("Always");
    assertThat(argo.getJsonObject("backoff")).isEqualTo(new JsonObject().put("duration", "300ms").put("factor", 2));
    JsonObject sfn = getJson("/v1/policies/repository?format=stepfunctions", 200).getJsonArray("Retry").getJsonObject(0);
    assertThat(sfn.getJsonArray("ErrorEquals").getString(0)).isEqualTo("States.ALL");
    assertThat(sfn.getInteger("MaxAttempts")).isEqualTo(3);
    assertThat(sfn.getDouble("BackoffRate")).isEqualTo(2.0);
    assertThat(sfn.getString("JitterStrategy")).isEqualTo("FULL");
    assertThat(sfn.containsKey("IntervalSeconds") && sfn.containsKey("MaxDelaySeconds")).isTrue();

    JsonObject valid = postJson("/v1/policies/validate", new JsonObject().put("policy", new JsonObject()
        .put("backoff", "exponential").put("base", "30s").put("max-retries", "3")), 200);
    assertThat(valid.getJsonObject("policy").getInteger("maxRetries")).isEqualTo(3);
    assertThat(valid.getJsonArray("delaysMs").getLong(0)).isEqualTo(30_000L);
    assertThat(getJson("/v1/budgets", 200).getJsonArray("budgets")).isNotNull();
    assertThat(getJson("/v1/circuits", 200).getJsonArray("circuits")).isNotNull();
  }

  @Test
  void everyRetryApiEntryIsBoundAndServedOverHttpAndTheBus() throws Exception {
    assertThat(new HashSet<Object>(retry.operations().bound())).isEqualTo(Set.of((Object[]) RetryApi.values()));
    for (RetryApi op : RetryApi.values()) {
      if (op.route() != null) {
        String path = op.route().path().replace(":stage", "tests").replace(":name", "dependency:probe");
        HttpResponse<Buffer> r = op.route().method() == HttpMethod.GET
            ? await(http.get(retry.actualPort(), "127.0.0.1", path).send())
            : await(http.post(retry.actualPort(), "127.0.0.1", path).sendJsonObject(
                op == RetryApi.VALIDATE_POLICY ? new JsonObject().put("policy", new JsonObject()) : new JsonObject()));
        assertThat(r.statusCode()).as(op + " " + path).isEqualTo(200);
      }
    }
    assertThat(request(Addresses.RETRY, new JsonObject(), "circuits.list").getJsonArray("circuits")).isNotNull();
    assertThat(await(http.get(retry.actualPort(), "127.0.0.1", "/openapi/retry.yaml").send()).bodyAsString())
        .contains("/v1/circuits/{name}/close");
  }

  @Test
  void badInputOnEveryEndpointAndAddressIsRefusedWithAClearCodeAndChangesNothing() throws Exception {
    long decisions = count("SELECT count(*) FROM retry.decisions");
    assertError(get("/v1/policies?colour=red"), 400, "colour");
    assertError(get("/v1/policies/tests?format=yaml"), 400, "format");
    assertError(get("/v1/policies/tests/schedule?attempts=abc"), 400, "attempts");
    assertError(get("/v1/policies/tests/schedule?attempts=0"), 400, "attempts");
    assertError(post("/v1/policies/validate", new JsonObject()), 400, "policy");
    assertError(post("/v1/policies/validate", new JsonObject().put("policy", new JsonObject().put("maxRetries", -1))),
        400, "policy.maxRetries");
    assertError(post("/v1/policies/validate", new JsonObject().put("policy", new JsonObject().put("bogus", 1))),
        400, "policy.bogus");
    assertError(await(http.post(retry.actualPort(), "127.0.0.1", "/v1/policies/validate")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{not json"))), 400, "malformed");
    assertError(get("/v1/circuits?state=OPEN"), 400, "state");
    assertError(get("/v1/circuits/nonsense"), 400, "name");
    assertError(post("/v1/circuits/stage:untouched/open", new JsonObject().put("colour", "red")), 400, "colour");
    assertError(post("/v1/circuits/pipeline:x/open", new JsonObject()), 400, "name");
    assertError(get("/v1/budgets?x=1"), 400, "x");
    assertThat(getJson("/v1/circuits/stage:untouched", 200).getLong("version")).isZero();

    assertBusError(Addresses.RETRY_CLASSIFIED, new JsonObject().put("failureId", "nope"), null, "BAD_REQUEST");
    assertBusError(Addresses.RETRY_CLASSIFIED, new JsonObject().put("failureId", UUID.randomUUID().toString())
        .put("colour", "red").put("classifiedAt", Instant.now().toString()), null, "BAD_REQUEST");
    assertBusError(Addresses.RETRY_CLASSIFIED, new JsonObject().put("failureId", UUID.randomUUID().toString())
        .put("taskId", UUID.randomUUID().toString()).put("attempt", 1).put("stage", "tests")
        .put("classifiedAt", Instant.now().toString()), null, "NOT_FOUND");
    assertBusError(Addresses.RETRY_CLASSIFIED, new JsonObject().put("failureId", UUID.randomUUID().toString())
        .put("taskId", UUID.randomUUID().toString()).put("attempt", 0)
        .put("classifiedAt", Instant.now().toString()), null, "BAD_REQUEST");
    assertBusError(Addresses.RETRY, new JsonObject(), null, "BAD_REQUEST");
    assertBusError(Addresses.RETRY, new JsonObject().put("name", "nonsense"), "circuits.get", "BAD_REQUEST");
    assertThat(count("SELECT count(*) FROM retry.decisions")).isEqualTo(decisions);
  }

  // ------------------------------------------------------------------ helpers

  static TaskView claimNew(String stage) throws Exception {
    await(ledger.enqueue(EnqueueRequest.builder(stage).build()));
    return await(ledger.claim(ClaimRequest.builder("worker-1").stage(stage).build())).get(0);
  }

  static void fail(TaskView task, String message, Integer httpStatus) throws Exception {
    await(ledger.fail(FailureEvent.builder().taskId(task.id()).attempt(task.attempt()).leaseToken(task.leaseToken())
        .source("worker-1").message(message).httpStatus(httpStatus).build()));
  }

  /** {@code n} failures of the stage's tasks (a task due again may be claimed before a new one), one after the other. */
  static List<String> pausedStages() {
    try {
      return await(ledger.stages()).getJsonArray("stages").stream().map(s -> ((JsonObject) s).getString("stage"))
          .toList();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void failTasks(String stage, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      TaskView t = claimNew(stage);
      fail(t, "java.net.SocketTimeoutException: Read timed out", null);
      decisionOf(t.id(), t.attempt());
    }
  }

  static String circuitState(String name) {
    try {
      return getJson("/v1/circuits/" + name, 200).getString("state");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T quietly(Callable<T> call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject getJsonQuietly(String path) {
    try {
      return getJson(path, 200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static TaskView get(UUID id) {
    try {
      return await(ledger.get(id));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Row decisionOf(UUID task, int attempt) throws Exception {
    return eventually(() -> {
      try {
        var rows = await(pool.preparedQuery("SELECT * FROM retry.decisions WHERE task_id = $1 AND attempt = $2")
            .execute(Tuple.of(task, attempt)));
        return rows.size() == 0 ? null : rows.iterator().next();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, r -> r != null);
  }

  static long count(String sql, Object... args) throws Exception {
    return await(pool.preparedQuery(sql).execute(Tuple.from(args))).iterator().next().getLong(0);
  }

  static JsonObject request(String address, JsonObject body, String action) throws Exception {
    DeliveryOptions options = new DeliveryOptions();
    if (action != null) {
      options.addHeader(Addresses.ACTION_HEADER, action);
    }
    return await(vertx.eventBus().<JsonObject>request(address, body, options)).body();
  }

  static void assertBusError(String address, JsonObject body, String action, String code) {
    try {
      request(address, body, action);
      throw new AssertionError("expected " + code + " for " + body);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      assertThat(ReboundException.from(cause).code().name()).as(body.encode()).isEqualTo(code);
    }
  }

  static HttpResponse<Buffer> get(String path) throws Exception {
    return await(http.get(retry.actualPort(), "127.0.0.1", path).send());
  }

  static HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return await(http.post(retry.actualPort(), "127.0.0.1", path).sendJsonObject(body));
  }

  static JsonObject getJson(String path, int status) throws Exception {
    HttpResponse<Buffer> r = get(path);
    assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isEqualTo(status);
    return r.bodyAsJsonObject();
  }

  static JsonObject postJson(String path, JsonObject body, int status) throws Exception {
    HttpResponse<Buffer> r = post(path, body);
    assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isEqualTo(status);
    return r.bodyAsJsonObject();
  }

  static void assertError(HttpResponse<Buffer> r, int status, String mentioned) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("BAD_REQUEST");
    assertThat(error.encode()).contains(mentioned);
  }

  static <T> T eventually(Supplier<T> probe, Predicate<T> done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    T value = probe.get();
    while (!done.test(value) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      value = probe.get();
    }
    assertThat(done.test(value)).as("in time: " + value).isTrue();
    return value;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
