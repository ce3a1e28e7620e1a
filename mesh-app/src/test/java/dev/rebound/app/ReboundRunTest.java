package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rebound run} started in-process on a free port against a fresh database, driven over HTTP
 * and through the {@code rebound} command line exactly as a user would.
 */
class ReboundRunTest {
  private static Vertx vertx;
  private static TestDatabase db;
  private static ReboundRun run;
  private static String url;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    db = TestDatabase.create(vertx, "reboundrun").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, String> overrides = new HashMap<>(db.settingsOverrides());
    String password = db.options().getPassword();
    if (password != null && !password.isEmpty()) {
      overrides.put("pg.password", password);
    }
    overrides.put("run.port", "0");
    overrides.put("ledger.retention-sweep-interval", "1h");
    overrides.put("shutdown.timeout", "5s");
    Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(overrides);
    run = ReboundRun.start(settings, ReboundRun.SERVICES, PostgresProvisioner.system());
    url = run.url();
  }

  @AfterAll
  static void stop() throws Exception {
    if (run != null) {
      run.stop();
    }
    if (db != null) {
      db.drop(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ the all-in-one server

  @Test
  void readyOnlyAfterEveryServiceReportsReadyAndSaysWhichServicesRun() throws Exception {
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(ready.body());
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getJsonObject("services").getJsonObject("ledger").getString("status")).isEqualTo("UP");
    assertThat(body.getJsonObject("services").getJsonObject("analyzer").getString("status")).isEqualTo("UP");
    assertThat(body.getJsonObject("services").getJsonObject("retry").getString("status")).isEqualTo("UP");
    assertThat(body.getJsonObject("services").getJsonObject("notifier").getString("status")).isEqualTo("UP");
    assertThat(run.services()).containsExactly("ledger", "retry", "analyzer", "notifier");
    assertThat(run.embeddedPostgres()).isEmpty();
  }

  @Test
  void servesLivenessMetricsAndTheLedgerOpenApiOnTheSamePort() throws Exception {
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("# TYPE").contains("rebound_ledger_transitions_total").contains("rebound_ledger_claim_waiters");
    assertThat(get("/openapi.yaml").body()).contains("openapi");
    assertThat(get("/openapi/retry.yaml").body()).contains("/v1/circuits/{name}/close");
  }

  @Test
  void servesTheRetryServicesPoliciesAndCircuitsOnTheSamePort() throws Exception {
    HttpResponse<String> schedule = get("/v1/policies/tests/schedule?attempts=2");
    assertThat(schedule.statusCode()).as(schedule.body()).isEqualTo(200);
    assertThat(new JsonObject(schedule.body()).getJsonArray("delaysMs")).hasSize(2);
    HttpResponse<String> circuit = get("/v1/circuits/stage:tests");
    assertThat(new JsonObject(circuit.body()).getString("state")).isEqualTo("CLOSED");
  }

  @Test
  void echoesTheCorrelationIdOfTheRequest() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/stats"))
        .header("X-Correlation-Id", "cli-test-42").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Correlation-Id")).contains("cli-test-42");
  }

  @Test
  void unknownPathsGetTheJsonErrorBody() throws Exception {
    HttpResponse<String> response = get("/v1/no-such-thing");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo("NOT_FOUND");
  }

  // ------------------------------------------------------------------ the CLI against it

  @Test
  void tasksListJsonPrintsTheServersPageWithTheEnqueuedTask() throws Exception {
    String id = enqueue(new JsonObject().put("stage", "cli-list").put("workflowId", "wf-list"));

    Cli.Result result = Cli.run("tasks", "list", "--stage", "cli-list", "--json", "--url", url);

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonArray tasks = new JsonObject(result.out().trim()).getJsonArray("tasks");
    assertThat(tasks).hasSize(1);
    assertThat(tasks.getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(tasks.getJsonObject(0).getString("state")).isEqualTo("QUEUED");
  }

  @Test
  void tasksListPrintsAnAlignedTableAndTheNextCursor() throws Exception {
    String first = enqueue(new JsonObject().put("stage", "cli-table").put("workflowId", "wf-table"));
    String second = enqueue(new JsonObject().put("stage", "cli-table").put("workflowId", "wf-table"));

    Cli.Result result = Cli.run("tasks", "list", "--stage", "cli-table", "--state", "queued", "--limit", "1",
        "--url", url);

    assertThat(result.exitCode()).as(result.err()).isZero();
    String[] lines = result.out().split("\n");
    assertThat(lines[0]).startsWith("ID").contains("STATE", "STAGE", "WORKFLOW", "ATTEMPT", "UPDATED", "LAST ERROR");
    assertThat(lines[1]).containsAnyOf(first, second).contains("QUEUED", "cli-table", "wf-table", "0/5");
    // columns line up: STATE starts where the state of the row starts
    assertThat(lines[1].indexOf("QUEUED")).isEqualTo(lines[0].indexOf("STATE"));
    assertThat(lines[2]).startsWith("more: --after ");

    Cli.Result next = Cli.run("tasks", "list", "--stage", "cli-table", "--limit", "1", "--after",
        lines[2].substring("more: --after ".length()).trim(), "--url", url);
    assertThat(next.out()).containsAnyOf(first, second).doesNotContain(lines[1].substring(0, 36));
  }

  @Test
  void tasksGetAndHistoryShowOneTask() throws Exception {
    String id = enqueue(new JsonObject().put("stage", "cli-get").put("payload", new JsonObject().put("n", 7)));

    Cli.Result get = Cli.run("tasks", "get", id, "--url", url);
    assertThat(get.exitCode()).as(get.err()).isZero();
    assertThat(get.out()).containsPattern("(?m)^id\\s+" + id + "$")
        .containsPattern("(?m)^state\\s+QUEUED$")
        .containsPattern("(?m)^stage\\s+cli-get$")
        .containsPattern("(?m)^payload\\s+\\{\"n\":7\\}$");

    Cli.Result json = Cli.run("tasks", "get", id, "--json", "--url", url);
    assertThat(new JsonObject(json.out().trim()).getString("id")).isEqualTo(id);

    Cli.Result history = Cli.run("tasks", "history", id, "--url", url);
    assertThat(history.exitCode()).as(history.err()).isZero();
    assertThat(history.out()).startsWith("task " + id + ": 1 transition(s)").contains("AT", "QUEUED");
  }

  @Test
  void dlqListShowsADeadLetteredTaskAndRedriveRequeuesIt() throws Exception {
    String id = enqueue(new JsonObject().put("stage", "cli-dlq").put("maxAttempts", 1));
    JsonObject claimed = post("/v1/tasks/claim", new JsonObject().put("worker", "w1").put("stage", "cli-dlq"))
        .getJsonArray("tasks").getJsonObject(0);
    post("/v1/failures", new JsonObject().put("taskId", id).put("attempt", claimed.getInteger("attempt"))
        .put("leaseToken", claimed.getString("leaseToken")).put("message", "disk full"));

    Cli.Result list = Cli.run("dlq", "list", "--stage", "cli-dlq", "--url", url);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).contains(id, "FAILED", "disk full");

    Cli.Result redrive = Cli.run("dlq", "redrive", "--id", id, "--reason", "fixed the disk", "--url", url);
    assertThat(redrive.exitCode()).as(redrive.err()).isZero();
    assertThat(redrive.out()).startsWith("redriven 1 task(s) back to QUEUED:").contains(id);

    assertThat(Cli.run("dlq", "list", "--stage", "cli-dlq", "--url", url).out())
        .isEqualTo("the dead-letter queue is empty for these filters\n");
    Cli.Result after = Cli.run("tasks", "get", id, "--json", "--url", url);
    assertThat(new JsonObject(after.out().trim()).getString("state")).isEqualTo("QUEUED");
  }

  @Test
  void failuresListAndGetShowWhatWasRecorded() throws Exception {
    String failureId = UUID.randomUUID().toString();
    post("/v1/failures", new JsonObject().put("failureId", failureId).put("message", "connect ECONNREFUSED 10.0.3.17:5432")
        .put("stage", "cli-failures").put("workflowId", "wf-9").put("stackTrace", "Error: connect ECONNREFUSED\n    at x (y.js:1:1)"));
    Cli.Result list = Cli.run("failures", "list", "--stage", "cli-failures", "--free", "--url", url);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).contains("ID", "MESSAGE", failureId, "wf-9", "connect ECONNREFUSED");
    Cli.Result get = Cli.run("failures", "get", failureId, "--url", url);
    assertThat(get.exitCode()).as(get.err()).isZero();
    assertThat(get.out()).containsPattern("(?m)^failureId\\s+" + failureId + "$").contains("stack trace:", "y.js:1:1");
    Cli.Result missing = Cli.run("failures", "get", UUID.randomUUID().toString(), "--url", url);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("NOT_FOUND");
    assertThat(Cli.run("failures", "list", "--stage", "cli-none-here", "--url", url).out())
        .isEqualTo("no failure recorded for these filters\n");
  }

  @Test
  void redriveByFilterWithNothingToRedriveSaysSo() {
    Cli.Result result = Cli.run("dlq", "redrive", "--stage", "cli-nothing-here", "--json", "--url", url);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(new JsonObject(result.out().trim()).getInteger("redriven")).isZero();
  }

  @Test
  void anUnknownTaskIdPrintsTheServersErrorAndExitsOne() {
    String unknown = UUID.randomUUID().toString();

    Cli.Result result = Cli.run("tasks", "get", unknown, "--url", url);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("error: NOT_FOUND (HTTP 404): ").contains(unknown, "does not exist");
  }

  @Test
  void aMalformedIdIsRefusedByTheServerWithItsCode() {
    Cli.Result result = Cli.run("tasks", "history", "not-a-uuid", "--url", url);
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: BAD_REQUEST (HTTP 400): ");
  }

  // ------------------------------------------------------------------ usage errors and the placeholder

  @Test
  void usageErrorsExitTwoWithoutCallingTheServer() {
    Cli.Result badState = Cli.run("tasks", "list", "--state", "SLEEPING", "--url", url);
    assertThat(badState.exitCode()).isEqualTo(2);
    assertThat(badState.err()).contains("--state", "SLEEPING");

    Cli.Result nothingToRedrive = Cli.run("dlq", "redrive", "--url", url);
    assertThat(nothingToRedrive.exitCode()).isEqualTo(2);
    assertThat(nothingToRedrive.err()).contains("Say what to redrive");

    Cli.Result both = Cli.run("dlq", "redrive", "--id", UUID.randomUUID().toString(), "--stage", "s", "--url", url);
    assertThat(both.exitCode()).isEqualTo(2);

    assertThat(Cli.run("tasks", "list", "--url", "ftp://nowhere").exitCode()).isEqualTo(2);
    assertThat(Cli.run("tasks").exitCode()).isEqualTo(2);
  }

  @Test
  void aServerThatDoesNotAnswerIsReportedWithAHint() {
    Cli.Result result = Cli.run("tasks", "list", "--url", "http://127.0.0.1:1");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("cannot reach Rebound at http://127.0.0.1:1", "REBOUND_URL");
  }

  @Test
  void theAnalyzerIsServedOnTheSamePort() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/classify"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"connect ECONNREFUSED 10.1.2.3:5432\"}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("fingerprint")).matches("[0-9a-f]{16}");
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.body()).contains("analyzer");
  }

  // ------------------------------------------------------------------ helpers

  // ------------------------------------------------------------------ people's interventions

  @Test
  void tasksParkResumeAndRetryMoveATaskAndItsHistoryNamesTheReason() throws Exception {
    String id = enqueue(new JsonObject().put("stage", "cli-park"));
    Cli.Result parked = Cli.run("tasks", "park", id, "--reason", "waiting for the fix", "--url", url);
    assertThat(parked.exitCode()).as(parked.err()).isZero();
    assertThat(parked.out()).contains("task " + id + " parked: now BLOCKED");
    Cli.Result again = Cli.run("tasks", "park", id, "--url", url);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).startsWith("error: ILLEGAL_TRANSITION (HTTP 409): ").contains("BLOCKED");

    Cli.Result resumed = Cli.run("tasks", "resume", id, "--json", "--url", url);
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(new JsonObject(resumed.out().trim()).getString("state")).isEqualTo("QUEUED");
    Cli.Result retried = Cli.run("tasks", "retry", id, "--url", url);
    assertThat(retried.exitCode()).isEqualTo(1);
    assertThat(retried.err()).contains("ILLEGAL_TRANSITION", "QUEUED");
    assertThat(Cli.run("tasks", "history", id, "--url", url).out()).contains("waiting for the fix");
    assertThat(Cli.run("tasks", "resume", UUID.randomUUID().toString(), "--url", url).err())
        .startsWith("error: NOT_FOUND (HTTP 404): ");
  }

  @Test
  void stagesPauseListAndResumeAStage() throws Exception {
    Cli.Result paused = Cli.run("stages", "pause", "cli-stage", "--reason", "deploying", "--url", url);
    assertThat(paused.exitCode()).as(paused.err()).isZero();
    assertThat(paused.out()).contains("stage cli-stage is paused");
    Cli.Result list = Cli.run("stages", "list", "--url", url);
    assertThat(list.out()).contains("STAGE", "STATE", "SINCE", "BY", "REASON");
    assertThat(list.out().lines().filter(l -> l.startsWith("cli-stage"))).singleElement().asString()
        .contains("PAUSED", "http", "deploying");
    Cli.Result resumed = Cli.run("stages", "resume", "cli-stage", "--url", url);
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("stage cli-stage is resumed");
    Cli.Result twice = Cli.run("stages", "resume", "cli-stage", "--url", url);
    assertThat(twice.exitCode()).isEqualTo(1);
    assertThat(twice.err()).contains("ILLEGAL_TRANSITION", "is not paused");
    assertThat(new JsonObject(Cli.run("stages", "list", "--json", "--url", url).out().trim()).getJsonArray("stages")
        .stream().map(o -> ((JsonObject) o).getString("stage"))).doesNotContain("cli-stage");
  }

  @Test
  void circuitsListShowsTheRetryServicesCircuitsOfTheRun() {
    Cli.Result list = Cli.run("circuits", "list", "--json", "--url", url);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(new JsonObject(list.out().trim()).getJsonArray("circuits")).isNotNull();
  }

  @Test
  void circuitsCommandsSayWhenNoRetryServiceAnswers() throws Exception {
    // a Rebound without the retry service (a ledger alone) has no route for /v1/circuits
    HttpServer ledgerAlone = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ledgerAlone.createContext("/", exchange -> {
      byte[] bytes = ("{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no route for "
          + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + "\"}}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(404, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    ledgerAlone.start();
    try {
      String noRetry = "http://127.0.0.1:" + ledgerAlone.getAddress().getPort();
      Cli.Result list = Cli.run("circuits", "list", "--url", noRetry);
      assertThat(list.exitCode()).isEqualTo(1);
      assertThat(list.err()).startsWith("error: no retry service at " + noRetry).contains("GET /v1/circuits");
      Cli.Result open = Cli.run("circuits", "open", "stage:tests", "--url", noRetry);
      assertThat(open.exitCode()).isEqualTo(1);
      assertThat(open.err()).contains("no retry service", "POST /v1/circuits/stage%3Atests/open");
    } finally {
      ledgerAlone.stop(0);
    }
    Cli.Result down = Cli.run("circuits", "list", "--url", "http://127.0.0.1:1");
    assertThat(down.exitCode()).isEqualTo(1);
    assertThat(down.err()).contains("cannot reach Rebound at http://127.0.0.1:1");
    assertThat(Cli.run("circuits", "--url", url).exitCode()).isEqualTo(2);
  }

  @Test
  void circuitsCommandsSendTheirRequestsToTheRetryServicesApi() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fake.createContext("/v1/circuits", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " " + body);
      String path = exchange.getRequestURI().getPath();
      String answer = path.equals("/v1/circuits")
          ? "{\"circuits\":[{\"name\":\"stage:tests\",\"state\":\"OPEN\",\"reason\":\"5 consecutive failures\"}]}"
          : "{\"name\":\"stage:tests\",\"state\":\"" + switch (path.substring(path.lastIndexOf('/') + 1)) {
            case "open" -> "FORCED_OPEN";
            case "disable" -> "DISABLED";
            default -> "CLOSED";
          } + "\"}";
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    fake.start();
    try {
      String fakeUrl = "http://127.0.0.1:" + fake.getAddress().getPort();
      Cli.Result list = Cli.run("circuits", "list", "--url", fakeUrl);
      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.out()).contains("NAME", "STATE").contains("stage:tests").contains("OPEN", "5 consecutive failures");
      assertThat(Cli.run("circuits", "open", "stage:tests", "--reason", "GitHub is down", "--url", fakeUrl).out())
          .contains("circuit stage:tests is now FORCED_OPEN");
      assertThat(Cli.run("circuits", "close", "stage:tests", "--url", fakeUrl).out()).contains("now CLOSED");
      assertThat(Cli.run("circuits", "disable", "stage:tests", "--url", fakeUrl).out()).contains("now DISABLED");
      Cli.Result reset = Cli.run("circuits", "reset", "stage:tests", "--json", "--url", fakeUrl);
      assertThat(new JsonObject(reset.out().trim()).getString("state")).isEqualTo("CLOSED");
      assertThat(requests).containsExactly(
          "GET /v1/circuits ",
          "POST /v1/circuits/stage%3Atests/open {\"reason\":\"GitHub is down\"}",
          "POST /v1/circuits/stage%3Atests/close {}",
          "POST /v1/circuits/stage%3Atests/disable {}",
          "POST /v1/circuits/stage%3Atests/reset {}");
    } finally {
      fake.stop(0);
    }
  }

  // ------------------------------------------------------------------ alerts and silences

  @Test
  void alertsListPrintsARaisedAlertAsAnAlignedTableAndAsTheServersJson() throws Exception {
    String id = raiseAlert("cli-alerts-list", "disk full on cli-1");

    Cli.Result table = Cli.run("alerts", "list", "--label", "stage=cli-alerts-list", "--url", url);
    assertThat(table.exitCode()).as(table.err()).isZero();
    String[] lines = table.out().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith("ID").contains("STATE", "SEVERITY", "KIND", "OPENED", "SUMMARY");
    assertThat(lines[1]).startsWith(id).contains("firing", "critical", "cli-test", "disk full on cli-1");
    assertThat(lines[1].indexOf("firing")).isEqualTo(lines[0].indexOf("STATE"));
    assertThat(lines[1].indexOf("disk full")).isEqualTo(lines[0].indexOf("SUMMARY"));

    Cli.Result json = Cli.run("alerts", "list", "--state", "firing", "--label", "stage=cli-alerts-list",
        "--label", "kind=cli-test", "--limit", "5", "--json", "--url", url);
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonArray alerts = new JsonObject(json.out().trim()).getJsonArray("alerts");
    assertThat(alerts).hasSize(1);
    assertThat(alerts.getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(alerts.getJsonObject(0).getJsonObject("labels").getString("stage")).isEqualTo("cli-alerts-list");

    assertThat(Cli.run("alerts", "list", "--label", "stage=cli-no-such-stage", "--url", url).out())
        .isEqualTo("no alerts\n");
  }

  @Test
  void alertsAckAndResolveMoveAnAlertAndNameWhoDidIt() throws Exception {
    String id = raiseAlert("cli-alerts-ack", "queue backed up");

    Cli.Result ack = Cli.run("alerts", "ack", id, "--by", "alice", "--comment", "looking", "--url", url);
    assertThat(ack.exitCode()).as(ack.err()).isZero();
    assertThat(ack.out()).isEqualTo("alert " + id + " is acknowledged\n");
    Cli.Result again = Cli.run("alerts", "ack", id, "--url", url);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).startsWith("error: ILLEGAL_TRANSITION (HTTP 409): ");

    Cli.Result resolve = Cli.run("alerts", "resolve", id, "--by", "alice", "--comment", "drained", "--json",
        "--url", url);
    assertThat(resolve.exitCode()).as(resolve.err()).isZero();
    JsonObject resolved = new JsonObject(resolve.out().trim());
    assertThat(resolved.getString("id")).isEqualTo(id);
    assertThat(resolved.getString("state")).isEqualTo("resolved");
    assertThat(resolved.getString("acknowledgedBy")).isEqualTo("alice");

    JsonObject stored = new JsonObject(get("/v1/alerts/" + id).body());
    assertThat(stored.getJsonArray("history").stream().map(h -> ((JsonObject) h).getString("by")))
        .contains("alice");
    assertThat(stored.getJsonArray("history").encode()).contains("looking", "drained");
    assertThat(Cli.run("alerts", "list", "--state", "open", "--label", "stage=cli-alerts-ack", "--url", url).out())
        .isEqualTo("no alerts\n");
  }

  @Test
  void anUnknownAlertIdPrintsTheServersNotFoundAndExitsOne() {
    String unknown = UUID.randomUUID().toString();

    for (String action : List.of("ack", "resolve")) {
      Cli.Result result = Cli.run("alerts", action, unknown, "--url", url);
      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out()).isEmpty();
      assertThat(result.err()).startsWith("error: NOT_FOUND (HTTP 404): ").contains(unknown, "does not exist");
    }
    Cli.Result expire = Cli.run("silence", "expire", unknown, "--url", url);
    assertThat(expire.exitCode()).isEqualTo(1);
    assertThat(expire.err()).startsWith("error: NOT_FOUND (HTTP 404): ").contains(unknown);
  }

  @Test
  void silenceAddListAndExpireASilence() throws Exception {
    Cli.Result add = Cli.run("silence", "add", "stage=\"cli-silence\"", "kind=~\"cli-.*\"", "--for", "2h",
        "--by", "bob", "--comment", "maintenance window", "--url", url);
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(add.out()).matches("silence [0-9a-f-]{36} until \\S+\n");
    String id = add.out().split(" ")[1];

    Cli.Result list = Cli.run("silence", "list", "--state", "active", "--url", url);
    assertThat(list.exitCode()).as(list.err()).isZero();
    String[] lines = list.out().split("\n");
    assertThat(lines[0]).startsWith("ID").contains("STATE", "ENDS", "BY", "MATCHERS", "COMMENT");
    String row = List.of(lines).stream().filter(l -> l.startsWith(id)).findFirst().orElseThrow();
    assertThat(row).contains("active", "bob", "stage=\"cli-silence\",kind=~\"cli-.*\"", "maintenance window");
    assertThat(row.indexOf("active")).isEqualTo(lines[0].indexOf("STATE"));

    JsonObject test = post("/v1/routes/test", new JsonObject().put("labels", new JsonObject()
        .put("stage", "cli-silence").put("kind", "cli-test")));
    assertThat(test.getBoolean("silenced")).isTrue();

    Cli.Result json = Cli.run("silence", "list", "--json", "--url", url);
    assertThat(new JsonObject(json.out().trim()).getJsonArray("silences").stream()
        .map(s -> ((JsonObject) s).getString("id"))).contains(id);

    Cli.Result expire = Cli.run("silence", "expire", id, "--url", url);
    assertThat(expire.exitCode()).as(expire.err()).isZero();
    assertThat(expire.out()).isEqualTo("silence " + id + " is expired\n");
    Cli.Result expired = Cli.run("silence", "list", "--state", "expired", "--json", "--url", url);
    assertThat(new JsonObject(expired.out().trim()).getJsonArray("silences").stream()
        .filter(s -> id.equals(((JsonObject) s).getString("id"))).map(s -> ((JsonObject) s).getString("state")))
        .containsExactly("expired");
    assertThat(Cli.run("silence", "list", "--state", "active", "--url", url).out()).doesNotContain(id);
  }

  @Test
  void alertAndSilenceUsageErrorsExitTwoWithoutCallingTheServer() {
    Cli.Result noSubcommand = Cli.run("alerts");
    assertThat(noSubcommand.exitCode()).isEqualTo(2);
    assertThat(noSubcommand.err()).contains("Missing subcommand");
    assertThat(Cli.run("silence").exitCode()).isEqualTo(2);

    Cli.Result badState = Cli.run("alerts", "list", "--state", "sleeping", "--url", url);
    assertThat(badState.exitCode()).isEqualTo(2);
    assertThat(badState.err()).contains("--state", "sleeping", "firing, acknowledged, resolved or open");
    Cli.Result badSilenceState = Cli.run("silence", "list", "--state", "loud", "--url", url);
    assertThat(badSilenceState.exitCode()).isEqualTo(2);
    assertThat(badSilenceState.err()).contains("--state", "loud");

    Cli.Result noId = Cli.run("alerts", "ack", "--url", url);
    assertThat(noId.exitCode()).isEqualTo(2);
    assertThat(noId.err()).contains("ID");

    Cli.Result badLabel = Cli.run("alerts", "list", "--label", "no-equals-sign", "--url", url);
    assertThat(badLabel.exitCode()).isEqualTo(2);

    Cli.Result noComment = Cli.run("silence", "add", "stage=\"x\"", "--by", "bob", "--url", url);
    assertThat(noComment.exitCode()).isEqualTo(2);
    assertThat(noComment.err()).contains("--comment");

    Cli.Result noMatcher = Cli.run("silence", "add", "--by", "bob", "--comment", "why", "--url", url);
    assertThat(noMatcher.exitCode()).isEqualTo(2);
    assertThat(noMatcher.err()).contains("MATCHER");

    assertThat(Cli.run("silence", "list", "--url", "ftp://nowhere").exitCode()).isEqualTo(2);
  }

  private static String raiseAlert(String stage, String summary) throws Exception {
    return post("/v1/alerts", new JsonObject().put("labels", new JsonObject().put("kind", "cli-test")
        .put("stage", stage).put("severity", "critical")).put("summary", summary)).getString("id");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject post(String path, JsonObject body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + " -> " + response.body()).isBetween(200, 299);
    return new JsonObject(response.body());
  }

  private static String enqueue(JsonObject task) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/tasks"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(task.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body()).getJsonObject("task").getString("id");
  }
}
