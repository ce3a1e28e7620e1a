package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code rebound emit}, {@code rebound demo} and {@code rebound completion} against an in-JVM {@code rebound run}
 * (every service on one port, a fresh database), as a user types them. The retry rules run ten times faster
 * ({@code retry.time-scale=0.1}) so the demo's open circuit half-opens in 3 s instead of 30.
 */
class EmitAndDemoTest {
  private static Vertx vertx;
  private static TestDatabase db;
  private static ReboundRun run;
  private static String url;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    db = TestDatabase.create(vertx, "emitdemo").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, String> overrides = new HashMap<>(db.settingsOverrides());
    String password = db.options().getPassword();
    if (password != null && !password.isEmpty()) {
      overrides.put("pg.password", password);
    }
    overrides.put("run.port", "0");
    overrides.put("retry.time-scale", "0.1");
    overrides.put("ledger.retention-sweep-interval", "1h");
    overrides.put("shutdown.timeout", "5s");
    run = ReboundRun.start(Settings.load(Map.of(), Optional.empty()).withOverrides(overrides), ReboundRun.SERVICES,
        PostgresProvisioner.system());
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

  @Test
  void emitRecordsAFailureTiedToNoTaskAndPrintsItsIdAndClassification() throws Exception {
    Cli.Result result = Cli.run("emit", "connect ECONNREFUSED 10.0.3.17:5432", "--stage", "emit-cli",
        "--workflow", "wf-emit", "--url", url);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("^failure [0-9a-f-]{36} recorded \\(tied to no task, stage emit-cli, "
        + "workflow wf-emit\\)\n");
    assertThat(result.out()).containsPattern("(?m)^category\\s+NETWORK \\(transient: worth retrying\\)$")
        .containsPattern("(?m)^fingerprint\\s+[0-9a-f]{16}$");
    String id = result.out().split(" ")[1];
    HttpResponse<String> fingerprints = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/fingerprints?stage=emit-cli"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(fingerprints.statusCode()).isEqualTo(200);
  }

  @Test
  void emitOfATasksFailedAttemptSaysWhatBecameOfTheTask() throws Exception {
    String task = post("/v1/tasks", new JsonObject().put("stage", "emit-task")).getJsonObject("task").getString("id");
    JsonObject claimed = post("/v1/tasks/claim", new JsonObject().put("worker", "w").put("stage", "emit-task"))
        .getJsonArray("tasks").getJsonObject(0);

    Cli.Result result = Cli.run("emit", "java.net.SocketTimeoutException: Read timed out", "--task", task,
        "--attempt", String.valueOf(claimed.getInteger("attempt")), "--url", url);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("recorded for task " + task + " attempt 1: the task is now RETRY");
  }

  @Test
  void emitJsonInputSendsEachFailureOfStdinAndJsonPrintsTheServersAnswers() {
    String lines = "{\"message\":\"disk full on /var/lib/data\",\"stage\":\"emit-json\",\"exitCode\":28}\n\n"
        + "{\"message\":\"HTTP 503 from api.example\",\"httpStatus\":503}\n";
    Cli.Result result = withStdin(lines, () -> Cli.run("emit", "--json-input", "--json", "--url", url));

    assertThat(result.exitCode()).as(result.err()).isZero();
    String[] answers = result.out().split("\n");
    assertThat(answers).hasSize(2);
    for (String answer : answers) {
      JsonObject o = new JsonObject(answer);
      assertThat(o.getBoolean("recorded")).isTrue();
      assertThat(o.getString("failureId")).matches("[0-9a-f-]{36}");
    }
  }

  @Test
  void emitRefusesABadFailureBeforeSendingIt() {
    Cli.Result unknownField = withStdin("{\"message\":\"x\",\"colour\":\"red\"}\n",
        () -> Cli.run("emit", "--json-input", "--url", "http://127.0.0.1:1"));
    assertThat(unknownField.exitCode()).isEqualTo(2);
    assertThat(unknownField.err()).contains("line 1", "colour");

    Cli.Result noMessage = Cli.run("emit", "--url", url);
    assertThat(noMessage.exitCode()).isEqualTo(2);
    assertThat(noMessage.err()).contains("MESSAGE");

    Cli.Result taskWithoutAttempt = Cli.run("emit", "boom", "--task", "00000000-0000-0000-0000-000000000001",
        "--url", url);
    assertThat(taskWithoutAttempt.exitCode()).isEqualTo(2);
    assertThat(taskWithoutAttempt.err()).contains("--task and --attempt go together");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void demoQuickPlaysEveryScenarioAsScriptedAndSaysWhereToLook() {
    Cli.Result result = Cli.run("demo", "--quick", "--scenario-timeout", "90", "--url", url);

    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    String out = result.out();
    assertThat(out).containsPattern("(?m)^10-tab scrape: ok +7 DONE, 3 dead-lettered")
        .containsPattern("(?m)^  dead-lettered tab 3: .*404")
        .containsPattern("(?m)^timeout retried: ok +3 attempts, retried after [0-9.]+ s, [0-9.]+ s, then DONE")
        .containsPattern("(?m)^dependency down: ok +circuit opened, probed and CLOSED; 8 DONE")
        .containsPattern("(?m)^workflow aborted: ok +aborted: .*CANCELLED")
        .containsPattern("(?m)^free-standing failure: ok +recorded as [0-9a-f-]{36}, classified ")
        .containsPattern("(?m)^checkpointed run: ok +killed at item 80, resumed at item 81; 200 of 200 items processed, none twice")
        .contains("Every scenario ended as scripted.")
        .contains(url + "/ui ", url + "/ui/dlq ", url + "/ui/circuits ", url + "/ui/alerts ");
  }

  @Test
  void completionPrintsABashScriptOfTheCommandTreeAndAZshPreamble() {
    Cli.Result bash = Cli.run("completion", "bash");
    assertThat(bash.exitCode()).as(bash.err()).isZero();
    assertThat(bash.out()).contains("complete -F", "rebound").contains("emit", "demo", "dlq", "redrive", "--json-input");

    Cli.Result zsh = Cli.run("completion", "zsh");
    assertThat(zsh.out()).startsWith("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n");

    assertThat(Cli.run("completion", "fish").exitCode()).isEqualTo(2);
  }

  // ------------------------------------------------------------------ helpers

  private static Cli.Result withStdin(String text, java.util.function.Supplier<Cli.Result> body) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    try {
      return body.get();
    } finally {
      System.setIn(saved);
    }
  }

  private static JsonObject post(String path, JsonObject body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + " -> " + response.body()).isBetween(200, 299);
    return new JsonObject(response.body());
  }
}
