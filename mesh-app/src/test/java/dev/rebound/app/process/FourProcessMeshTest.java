package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.client.LedgerTransport;
import dev.rebound.client.ReboundWorker;
import dev.rebound.client.TaskHandler;
import dev.rebound.client.cluster.ReboundCluster;
import dev.rebound.common.Addresses;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.client.RetryClient;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.ListTasksRequest;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole mesh as compose deploys it: the ledger, the analyzer, the retry service and the notifier each in a JVM
 * of its own (their main classes, as their {@code -all} jars run them), configured by environment variables and one
 * YAML file in {@code REBOUND_CONFIG} for the map-valued settings (policies, circuits, receivers, the route), in one
 * Hazelcast cluster on loopback with one fresh database. The notifier delivers to local Slack and PagerDuty stubs
 * ({@link AlertReceivers}) that enforce their payloads. Workers and "a user's application" are a fifth member
 * joined with rebound-client's {@link ReboundCluster#join(Map)}, the one call a user makes.
 *
 * <p>Retry schedules run at {@value #SCALE} of real time ({@code retry.time-scale}); the ledger's provisional
 * retry is ten minutes out and its provisional budget eight attempts, so every schedule seen is the retry
 * service's. Each scenario asserts what a user sees (task states, histories, the dead-letter queue, alerts as the
 * stubs received them) and prints the time from the failure to the alert ({@code e2e figure:} lines). Process
 * output: {@code mesh-app/target/process-logs/FourProcessMeshTest-*.log}.
 */
class FourProcessMeshTest {
  static final double SCALE = 0.02;
  private static final Duration LIMIT = Duration.ofSeconds(45);
  private static final Path LOGS = Path.of("target", "process-logs");
  private static final String ROUTING_KEY = "R0UTINGKEYe2e0123456789abcdef012";
  private static final String TEAM_SLACK = "/slack/T0TEAM/B0TEAM/teamSECRET";
  private static final String ESCALATION_SLACK = "/slack/T0ESC/B0ESC/escalationSECRET";
  /** Stages whose own circuit is off: a run of failures there is about the policy or the abort alone. */
  private static final String BACKOFF_STAGE = "fetch";
  private static final String ABORT_STAGE = "nightly";
  /** The circuit scenario's stage: open for 150 s × {@value #SCALE} = 3 s. */
  private static final String CIRCUIT_STAGE = "publish";
  /** Its dead letters page the on-call engineer and escalate to a second Slack channel. */
  private static final String PAGED_STAGE = "payments";

  private static LoopbackCluster cluster;
  private static final List<ServiceProcess> processes = new ArrayList<>();
  private static ServiceProcess ledgerProcess;
  private static ServiceProcess analyzerProcess;
  private static ServiceProcess retryProcess;
  private static ServiceProcess notifierProcess;
  private static Vertx app;
  private static TestDatabase db;
  private static Pool pg;
  private static WebClient http;
  private static LedgerClient ledger;
  private static RetryClient retry;
  private static final AlertReceivers receivers = new AlertReceivers();
  private static final List<JsonObject> classified = new CopyOnWriteArrayList<>();
  private static final List<JsonObject> circuitEvents = new CopyOnWriteArrayList<>();
  private final List<ReboundWorker> workers = new ArrayList<>();

  @BeforeAll
  static void startTheMesh() throws Exception {
    cluster = LoopbackCluster.of("rebound-e2e", 5);
    Map<String, String> mine = new HashMap<>();
    cluster.processSettings(4).forEach((k, v) -> {
      if (k.startsWith("cluster.") && !k.equals("cluster.enabled")) {
        mine.put(k, v);
      }
    });
    // the user's way in: one call, the same cluster.* settings as the services
    app = await(ReboundCluster.join(mine), LIMIT, "joining the cluster with ReboundCluster.join");
    db = await(TestDatabase.create(app, "e2e"), LIMIT, "creating the test database");
    pg = db.pool(app, 2);
    http = WebClient.create(app, new WebClientOptions().setConnectTimeout(2000));
    int stubPort = await(receivers.start(app), LIMIT, "starting the Slack and PagerDuty stubs");
    Files.createDirectories(LOGS);
    Path yaml = LOGS.resolve("FourProcessMeshTest-rebound.yaml");
    Files.writeString(yaml, config("http://127.0.0.1:" + stubPort), StandardCharsets.UTF_8);

    Map<String, String> common = new HashMap<>(db.settingsOverrides());
    common.put("pg.pool-size", "4");
    Map<String, String> ledgerSettings = new HashMap<>(common);
    ledgerSettings.put("ledger.retry.base", "10m");
    ledgerSettings.put("ledger.retry.cap", "1h");
    ledgerSettings.put("ledger.retry.jitter", "none");
    ledgerSettings.put("ledger.release-sweep-interval", "100ms");
    ledgerSettings.put("ledger.lease-sweep-interval", "500ms");
    Map<String, String> retrySettings = new HashMap<>(common);
    retrySettings.put("retry.time-scale", String.valueOf(SCALE));
    retrySettings.put("retry.sweep-interval", "100ms");
    Map<String, String> notifierSettings = new HashMap<>(common);
    notifierSettings.put("notifier.sweep-interval", "200ms");

    ledgerProcess = start(0, "ledger", "dev.rebound.ledger.LedgerMain", ledgerSettings, yaml);
    analyzerProcess = start(1, "analyzer", "dev.rebound.analyzer.AnalyzerMain", common, yaml);
    retryProcess = start(2, "retry", "dev.rebound.retry.RetryMain", retrySettings, yaml);
    notifierProcess = start(3, "notifier", "dev.rebound.notifier.NotifierMain", notifierSettings, yaml);
    for (ServiceProcess p : processes) {
      p.awaitReady(http);
    }

    await(app.eventBus().<JsonObject>consumer(Addresses.EVENTS_CLASSIFIED, m -> classified.add(m.body())).completion(),
        LIMIT, "listening for classified failures");
    await(app.eventBus().<JsonObject>consumer(Addresses.EVENTS_CIRCUITS, m -> circuitEvents.add(m.body())).completion(),
        LIMIT, "listening for circuit events");
    ledger = new LedgerClient(app, 10_000);
    retry = new RetryClient(app, 10_000);
    BoundedWait.until("the ledger and the retry service answering across the cluster", LIMIT,
        () -> await(ledger.stats().compose(s -> retry.circuits()).map(true).otherwise(false), LIMIT, "probe"),
        () -> "no answer yet");
  }

  private static ServiceProcess start(int seat, String service, String mainClass, Map<String, String> settings,
      Path yaml) throws Exception {
    Map<String, String> s = new HashMap<>(settings);
    s.putAll(cluster.processSettings(seat));
    ServiceProcess p = ServiceProcess.start(service, mainClass, s, yaml, LOGS.resolve("FourProcessMeshTest-" + service + ".log"));
    processes.add(p);
    return p;
  }

  /** The map-valued settings of every service in one file, as an operator writes it. */
  static String config(String stubs) {
    return """
        retry:
          budgets:
            stage: {min-retries-per-second: 1000}
            global: {min-retries-per-second: 1000}
          circuits:
            names:
              "stage:%2$s": {enabled: false}
              "stage:%3$s": {enabled: false}
              "stage:%4$s": {open-duration: 150s}
        notifier:
          delivery: {retry-base: 100ms, retry-max: 1s}
          receivers:
            - name: team-slack
              slack: {url: %1$s%5$s}
            - name: escalation-slack
              slack: {url: %1$s%6$s}
            - name: oncall-pagerduty
              pagerduty: {routing-key: %7$s, url: %1$s/pd}
          route:
            receiver: team-slack
            group-by: [kind, stage, workflow]
            group-wait: 3s
            group-interval: 1s
            repeat-interval: 1h
            routes:
              - matchers: ['stage="%8$s"']
                receiver: oncall-pagerduty
                group-by: ['...']
                group-wait: 0s
                group-interval: 500ms
                escalation:
                  steps: [{after: 2s, receivers: [escalation-slack]}]
        """.formatted(stubs, BACKOFF_STAGE, ABORT_STAGE, CIRCUIT_STAGE, TEAM_SLACK, ESCALATION_SLACK, ROUTING_KEY,
        PAGED_STAGE);
  }

  @AfterEach
  void stopWorkers() {
    for (ReboundWorker w : workers) {
      await(w.stop(), LIMIT, "stopping worker " + w.name());
    }
    assertThat(receivers.invalid).as("payloads the Slack and PagerDuty stubs refused").isEmpty();
  }

  @AfterAll
  static void stopTheMesh() {
    List<Runnable> steps = new ArrayList<>();
    processes.forEach(p -> steps.add(p::killQuietly));
    steps.add(() -> await(receivers.stop(), LIMIT, "stopping the stubs"));
    steps.add(() -> await(pg.close(), LIMIT, "closing the pool"));
    steps.add(() -> await(db.drop(app), LIMIT, "dropping the database"));
    steps.add(() -> await(app.close(), LIMIT, "leaving the cluster"));
    BoundedWait.closeAll(steps);
  }

  // ------------------------------------------------------------------ a scrape with broken tabs

  @Test
  void aTenTabScrapeWithThreeBrokenTabsEndsWithSevenDoneThreeDeadLetteredAndOneGroupedAlert() {
    String job = "scrape-" + UUID.randomUUID();
    Set<Integer> broken = Set.of(3, 6, 9);
    for (int tab = 1; tab <= 10; tab++) {
      enqueue(EnqueueRequest.builder("scrape").workflowId(job).payload(new JsonObject().put("tab", tab)
          .put("url", "https://shop.example.com/catalog?page=" + tab)));
    }
    work("scrape", 10, ctx -> {
      int tab = ctx.payload().getInteger("tab");
      return broken.contains(tab)
          ? Future.failedFuture(new ReboundWorker.Failure("HTTP 404 Not Found: GET https://shop.example.com/catalog?page="
              + tab).httpStatus(404))
          : Future.succeededFuture(new JsonObject().put("tab", tab).put("rows", 20));
    });

    Map<TaskState, List<TaskView>> byState = awaitWorkflow(job, 10);
    assertThat(byState.keySet()).as(byState.toString()).containsOnly(TaskState.DONE, TaskState.FAILED);
    assertThat(byState.get(TaskState.DONE)).as("the job carried on past its broken tabs").hasSize(7);
    List<TaskView> dlq = deadLetters(new DeadLetterQuery(null, job, null, null, 100));
    assertThat(dlq).hasSize(3).allSatisfy(v -> {
      assertThat(v.attempt()).as("a 404 is not retried").isEqualTo(1);
      assertThat(v.lastError()).isEqualTo("HTTP 404 Not Found: GET https://shop.example.com/catalog?page="
          + ((JsonObject) v.payload()).getInteger("tab"));
    });
    assertThat(dlq.stream().map(v -> ((JsonObject) v.payload()).getInteger("tab"))).containsExactlyInAnyOrderElementsOf(broken);

    // one Slack message for the group (kind, stage, workflow) that names all three
    List<String> ids = dlq.stream().map(v -> v.id().toString()).toList();
    Predicate<AlertReceivers.Received> aboutJob = r -> ids.stream().anyMatch(id -> r.text().contains(id));
    BoundedWait.until("the grouped dead-letter alert in Slack", LIMIT,
        () -> receivers.slack.stream().anyMatch(aboutJob), () -> receivers.slack.toString());
    AlertReceivers.Received alert = receivers.slack.stream().filter(aboutJob).findFirst().orElseThrow();
    assertThat(alert.path()).isEqualTo(TEAM_SLACK);
    assertThat(ids).allSatisfy(id -> assertThat(alert.text()).contains(id));
    BoundedWait.sleep(1500); // a second notification of the group would come group-interval (1 s) after the first
    assertThat(receivers.slack.stream().filter(aboutJob)).as("Slack messages about the job").hasSize(1);
    Instant firstFailure = dlq.stream().map(v -> TaskTimeline.of(ledger, v.id()).failed(1).orElseThrow()).min(Instant::compareTo)
        .orElseThrow();
    figure("10-tab scrape, 3 dead letters → one grouped Slack alert (group-wait 3 s)", firstFailure, alert.at());
  }

  // ------------------------------------------------------------------ the default policy

  @Test
  void anInjectedNetworkTimeoutIsRetriedAfter1To16ScaledSecondsThenDeadLetteredAndAlerted() {
    UUID id = enqueue(EnqueueRequest.builder(BACKOFF_STAGE).payload(new JsonObject().put("url", "https://api.example.com/feed")));
    work(BACKOFF_STAGE, 1, ctx -> Future.failedFuture(new SocketTimeoutException("Read timed out")));

    // the ledger's provisional rule dead-letters the fifth failure until the retry service's RETRY replaces it:
    // the dead letter that stands is the sixth attempt's
    BoundedWait.until("task " + id + " dead-lettered at attempt 6", LIMIT,
        () -> get(id).state() == TaskState.FAILED && get(id).attempt() == 6,
        () -> get(id) + "\n" + TaskTimeline.of(ledger, id));
    TaskView failed = get(id);
    TaskTimeline t = TaskTimeline.of(ledger, id);
    List<Long> nominal = List.of(1L, 2L, 4L, 8L, 16L);
    for (int attempt = 1; attempt <= 5; attempt++) {
      AppliedDecision d = appliedDecision(id, attempt);
      assertThat(d.action()).as("attempt %d; %s", attempt, t).isEqualTo("RETRY");
      // full jitter: 0 to the nominal delay after the failure, scaled
      assertThat(Duration.between(t.failed(attempt).orElseThrow(), d.runAt())).as(t.toString()).isGreaterThanOrEqualTo(Duration.ZERO);
      assertThat(Duration.between(d.appliedAt(), d.runAt())).as(t.toString())
          .isLessThanOrEqualTo(scaled(Duration.ofSeconds(nominal.get(attempt - 1))));
      assertThat(t.started(attempt + 1).orElseThrow()).as("attempt %d; %s", attempt + 1, t).isAfterOrEqualTo(d.runAt());
    }
    assertThat(appliedDecision(id, 6).action()).isEqualTo("DEAD_LETTER");
    assertThat(deadLetters(new DeadLetterQuery(BACKOFF_STAGE, null, null, null, 100))).filteredOn(v -> v.id().equals(id))
        .singleElement().satisfies(v -> assertThat(v.lastError()).isEqualTo("Read timed out"));
    AlertReceivers.Received alert = awaitSlack(r -> r.text().contains(id.toString()));
    // the error itself is not in the alert: the FAILED transition of a retry-service decision carries none
    assertThat(alert.text()).contains("dead-lettered after attempt 6");
    figure("network timeout, 6th failure dead-lettered → Slack alert", t.failed(6).orElseThrow(), alert.at());
  }

  // ------------------------------------------------------------------ a CI pipeline

  @Test
  void aCiPipelineOverFiveStagesRetriesEachStagesTypicalFailureOnItsOwnPolicyAndFinishes() {
    String pipeline = "ci-" + UUID.randomUUID();
    // stage → its typical transient failure, and the first delay of its policy (equal jitter: half to all of it)
    Map<String, ReboundWorker.Failure> failures = new LinkedHashMap<>();
    failures.put("repository", new ReboundWorker.Failure("fatal: unable to access 'https://github.com/acme/api.git/': "
        + "Failed to connect to github.com port 443: Connection timed out"));
    failures.put("analysis", new ReboundWorker.Failure("SonarQube server https://sonar.acme.dev is unavailable: "
        + "HTTP 503 Service Unavailable").httpStatus(503));
    failures.put("tests", new ReboundWorker.Failure("java.net.SocketTimeoutException: Read timed out in "
        + "CheckoutIT.paysWithACard"));
    failures.put("coverage", new ReboundWorker.Failure("Codecov upload failed: HTTP 502 Bad Gateway").httpStatus(502));
    failures.put("pull-request", new ReboundWorker.Failure(
        "GitHub API rate limit exceeded: HTTP 429 Too Many Requests, Retry-After: 120").httpStatus(429));
    Map<String, Duration> firstDelay = Map.of("repository", Duration.ofSeconds(30), "analysis", Duration.ofSeconds(60),
        "tests", Duration.ofSeconds(30), "coverage", Duration.ofSeconds(30), "pull-request", Duration.ofSeconds(120));
    failures.forEach((stage, failure) -> work(stage, 1, ctx -> ctx.task().attempt() == 1
        ? Future.failedFuture(failure) : Future.succeededFuture(new JsonObject().put("stage", stage))));

    // one stage after another, as a pipeline runs: each is enqueued once the previous one is DONE
    for (String stage : failures.keySet()) {
      UUID id = enqueue(EnqueueRequest.builder(stage).workflowId(pipeline).payload(new JsonObject().put("repo", "acme/api")));
      TaskView done = awaitState(id, TaskState.DONE);
      assertThat(done.attempt()).as(stage).isEqualTo(2);
      TaskTimeline t = TaskTimeline.of(ledger, id);
      AppliedDecision d = appliedDecision(id, 1);
      Duration delay = Duration.between(t.failed(1).orElseThrow(), d.runAt());
      Duration nominal = scaled(firstDelay.get(stage));
      if (stage.equals("pull-request")) {
        assertThat(delay).as("never sooner than Retry-After; %s", t).isGreaterThanOrEqualTo(nominal);
      } else {
        assertThat(delay).as("%s: half to all of its policy's first delay; %s", stage, t)
            .isGreaterThanOrEqualTo(nominal.dividedBy(2));
        assertThat(Duration.between(d.appliedAt(), d.runAt())).as("%s; %s", stage, t).isLessThanOrEqualTo(nominal);
      }
      assertThat(t.started(2).orElseThrow()).as(t.toString()).isAfterOrEqualTo(d.runAt());
      System.out.printf("e2e figure: CI stage %-12s failed once, retried after %4d ms (policy's first delay %s scaled: %d ms)%n",
          stage, delay.toMillis(), firstDelay.get(stage), nominal.toMillis());
    }
    assertThat(tasksOf(pipeline)).hasSize(5).allSatisfy(v -> assertThat(v.state()).isEqualTo(TaskState.DONE));
  }

  @Test
  void aStageWhoseDependencyIsDownOpensItsCircuitPausesProbesAndRecovers() {
    String circuit = "stage:" + CIRCUIT_STAGE;
    AtomicBoolean registryDown = new AtomicBoolean(true);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ids.add(enqueue(EnqueueRequest.builder(CIRCUIT_STAGE).payload(new JsonObject().put("artifact", "api-" + i + ".jar"))));
    }
    work(CIRCUIT_STAGE, 8, ctx -> ctx.call("artifact-registry", () -> registryDown.get()
        ? Future.failedFuture(new ConnectException("Connection refused: registry.acme.dev/10.0.4.2:443"))
        : Future.succeededFuture(new JsonObject().put("published", true))));

    BoundedWait.until(circuit + " open", LIMIT, () -> "OPEN".equals(circuitState(circuit)), circuitEvents::toString);
    Instant openedAt = transitionAt(circuit, "OPEN");
    AlertReceivers.Received opened = awaitSlack(r -> r.text().contains(circuit));
    figure("dependency down, circuit " + circuit + " opened → Slack alert", openedAt, opened.at());
    // paused: the ledger hands out none of the stage's tasks while it is open
    UUID fresh = enqueue(EnqueueRequest.builder(CIRCUIT_STAGE).payload(new JsonObject().put("artifact", "late.jar")));
    ids.add(fresh);
    assertThat(get(fresh).state()).isEqualTo(TaskState.QUEUED);

    registryDown.set(false);
    BoundedWait.until(circuit + " closed", LIMIT, () -> "CLOSED".equals(circuitState(circuit)), circuitEvents::toString);
    BoundedWait.until("every task of the stage done", LIMIT,
        () -> ids.stream().map(this::get).allMatch(v -> v.state() == TaskState.DONE), () -> states(ids));
    Instant halfOpenAt = transitionAt(circuit, "HALF_OPEN");
    Instant closedAt = transitionAt(circuit, "CLOSED");
    assertThat(Duration.between(openedAt, halfOpenAt)).isGreaterThanOrEqualTo(scaled(Duration.ofSeconds(150)));
    long probes = ids.stream().map(id -> TaskTimeline.of(ledger, id)).flatMap(t -> t.entries().stream())
        .filter(e -> "RUNNING".equals(e.to()) && !e.at().isBefore(halfOpenAt) && e.at().isBefore(closedAt)).count();
    assertThat(probes).as("claims while half-open").isEqualTo(1);
    // the circuit-open alert resolved by itself when the circuit closed
    BoundedWait.until("the circuit-open alert resolved", LIMIT, () -> alerts("circuit-open").stream()
        .anyMatch(a -> circuit.equals(a.getJsonObject("labels").getString("circuit")) && "resolved".equals(a.getString("state"))),
        () -> alerts("circuit-open").toString());
  }

  // ------------------------------------------------------------------ a workflow aborted

  @Test
  void aWorkflowWithMoreThanHalfOfItsLastTenAttemptsFailingIsAbortedItsTasksCancelledAndAlertedWithTheAnalysis() {
    String workflow = "nightly-etl-" + UUID.randomUUID();
    for (int i = 0; i < 4; i++) {
      enqueue(EnqueueRequest.builder(ABORT_STAGE).workflowId(workflow).priority(10).payload(new JsonObject().put("ok", true)));
    }
    for (int i = 0; i < 6; i++) {
      enqueue(EnqueueRequest.builder(ABORT_STAGE).workflowId(workflow).payload(new JsonObject().put("ok", false)));
    }
    work(ABORT_STAGE, 1, ctx -> ctx.payload().getBoolean("ok")
        ? Future.succeededFuture()
        : Future.failedFuture(new ReboundWorker.Failure("connect ECONNREFUSED 10.0.3.17:5432")));

    Map<TaskState, List<TaskView>> byState = awaitWorkflow(workflow, 10);
    assertThat(byState.keySet()).as(byState.toString()).containsOnly(TaskState.DONE, TaskState.CANCELLED);
    assertThat(byState.get(TaskState.DONE)).hasSize(4);
    assertThat(byState.get(TaskState.CANCELLED)).hasSize(6).allSatisfy(v -> assertThat(TaskTimeline.of(ledger, v.id())
        .entries()).anySatisfy(e -> {
          assertThat(e.to()).isEqualTo("CANCELLED");
          assertThat(e.actor()).isEqualTo(TaskTimeline.RETRY_SERVICE);
        }));
    JsonObject alert = awaitAlert("workflow-aborted", a -> workflow.equals(a.getJsonObject("labels").getString("workflow")));
    JsonObject details = alert.getJsonObject("details");
    assertThat(details.getInteger("failures")).isGreaterThanOrEqualTo(6);
    assertThat(details.getJsonArray("failedTasks")).isNotEmpty();
    AlertReceivers.Received slack = awaitSlack(r -> r.text().contains(workflow));
    assertThat(slack.text()).contains("aborted");
    Instant lastFailure = byState.get(TaskState.CANCELLED).stream()
        .map(v -> TaskTimeline.of(ledger, v.id()).failed(1)).flatMap(java.util.Optional::stream).max(Instant::compareTo)
        .orElseThrow();
    figure("workflow aborted (6 of 10 failed) → Slack alert", lastFailure, slack.at());
    System.out.println("e2e figure: the abort alert's analysis: " + details.encode());
  }

  // ------------------------------------------------------------------ an application's own failure

  @Test
  void aFailureNotTiedToATaskEmittedByAnApplicationIsRecordedClassifiedAlertedAndListed() {
    UUID failureId = UUID.randomUUID();
    Instant at = Instant.now();
    FailureEvent failure = FailureEvent.builder().failureId(failureId).source("checkout-api").stage("checkout")
        .errorType("org.postgresql.util.PSQLException")
        .message("FATAL: remaining connection slots are reserved for non-replication superuser connections")
        .sqlState("53300").occurredAt(at).build();
    // what a user's application does: a request to rebound.failures, answered once the ledger committed it
    JsonObject ack = await(app.eventBus().<JsonObject>request(Addresses.FAILURES, failure.toJson()), LIMIT,
        "reporting the failure").body();
    assertThat(ack.encode()).contains(failureId.toString());

    // recorded
    long recorded = await(pg.preparedQuery("SELECT count(*) FROM ledger.failures WHERE id = $1 AND task_id IS NULL")
        .execute(Tuple.of(failureId)), LIMIT, "reading the ledger").iterator().next().getLong(0);
    assertThat(recorded).isEqualTo(1);
    // classified
    BoundedWait.until("the failure classified", LIMIT,
        () -> classified.stream().anyMatch(c -> failureId.toString().equals(c.getString("failureId"))), classified::toString);
    JsonObject verdict = classified.stream().filter(c -> failureId.toString().equals(c.getString("failureId"))).findFirst()
        .orElseThrow().getJsonObject("verdict");
    assertThat(verdict.getString("category")).isNotBlank();
    // alerted
    AlertReceivers.Received slack = awaitSlack(r -> r.text().contains("remaining connection slots"));
    figure("an application's own failure on rebound.failures → Slack alert", at, slack.at());
    // listed: among the notifier's alerts and the analyzer's fingerprints
    JsonObject alert = awaitAlert("failure", a -> verdict.getString("fingerprint").equals(a.getJsonObject("labels")
        .getString("fingerprint")));
    assertThat(alert.getJsonObject("labels").getString("category")).isEqualTo(verdict.getString("category"));
    assertThat(alert.getJsonObject("details").getString("source")).isEqualTo("checkout-api");
    JsonObject fingerprint = getJson(analyzerProcess, "/v1/fingerprints/" + verdict.getString("fingerprint"));
    assertThat(fingerprint.encode()).contains(verdict.getString("fingerprint"));
  }

  // ------------------------------------------------------------------ a run resumed from its checkpoint

  @Test
  void aRunInterruptedAfter400Of1000ItemsResumesFromItsCheckpointAtItem401WithoutRepeatingWork() {
    int items = 1000;
    Map<Integer, Integer> processed = new ConcurrentHashMap<>();
    List<Integer> resumedAt = new CopyOnWriteArrayList<>();
    UUID id = enqueue(EnqueueRequest.builder("import").payload(new JsonObject().put("items", items)));
    work("import", 1, ctx -> {
      int from = ctx.lastCheckpoint().map(c -> c.state().getInteger("next")).orElse(1);
      resumedAt.add(from);
      int stopAt = ctx.task().attempt() == 1 ? 400 : items;
      return processBlocks(ctx, from, stopAt, processed).compose(v -> ctx.task().attempt() == 1
          ? Future.failedFuture(new ReboundWorker.Failure("java.io.IOException: Connection reset by peer"))
          : Future.succeededFuture(new JsonObject().put("items", items)));
    });

    TaskView done = awaitState(id, TaskState.DONE);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(resumedAt).containsExactly(1, 401);
    assertThat(processed).hasSize(items);
    assertThat(processed.values()).as("each item processed once").containsOnly(1);
    JsonObject checkpoint = await(ledger.latestCheckpoint(id), LIMIT, "the latest checkpoint");
    assertThat(checkpoint.encode()).contains("\"next\":1001");
  }

  /** Items {@code from}..{@code to}, a checkpoint after every hundred. */
  private static Future<Void> processBlocks(dev.rebound.client.TaskContext ctx, int from, int to, Map<Integer, Integer> done) {
    if (from > to) {
      return Future.succeededFuture();
    }
    int end = Math.min(to, from + 99);
    for (int i = from; i <= end; i++) {
      done.merge(i, 1, Integer::sum);
    }
    return ctx.checkpoint(end, new JsonObject().put("next", end + 1)).compose(v -> processBlocks(ctx, end + 1, to, done));
  }

  // ------------------------------------------------------------------ escalation and healing

  @Test
  void anUnacknowledgedAlertIsEscalatedAndResolvedByItselfWhenTheTaskHeals() {
    AtomicBoolean credentialsFixed = new AtomicBoolean(false);
    UUID id = enqueue(EnqueueRequest.builder(PAGED_STAGE).payload(new JsonObject().put("invoice", "INV-1042")));
    work(PAGED_STAGE, 1, ctx -> credentialsFixed.get()
        ? Future.succeededFuture(new JsonObject().put("charged", true))
        : Future.failedFuture(new ReboundWorker.Failure("HttpError: Bad credentials (payment gateway)").httpStatus(401)));

    awaitState(id, TaskState.FAILED);
    Instant failedAt = TaskTimeline.of(ledger, id).failed(1).orElseThrow();
    AlertReceivers.Received trigger = awaitPagerDuty(e -> "trigger".equals(e.body().getString("event_action"))
        && e.body().getJsonObject("payload").getString("summary").contains(id.toString()));
    String dedupKey = trigger.body().getString("dedup_key");
    figure("dead letter on " + PAGED_STAGE + " → PagerDuty trigger", failedAt, trigger.at());
    // nobody acknowledges: the escalation step (2 s) reaches the second channel
    AlertReceivers.Received escalated = awaitSlack(r -> r.path().equals(ESCALATION_SLACK) && r.text().contains(id.toString()));
    assertThat(escalated.at()).isAfter(trigger.at());
    figure("unacknowledged alert → escalated to the second Slack channel (step after 2 s)", failedAt, escalated.at());
    JsonObject alert = awaitAlert("dead-letter", a -> id.toString().equals(a.getJsonObject("labels").getString("task")));
    assertThat(alert.getString("state")).isEqualTo("firing");

    // the task heals: a person fixes the credentials and redrives it; nobody touches the alert
    credentialsFixed.set(true);
    await(ledger.redrive(new DeadLetterSelection(List.of(id), null, 10, "payment gateway credentials rotated")), LIMIT,
        "redriving the dead letter");
    awaitState(id, TaskState.DONE);
    AlertReceivers.Received resolve = awaitPagerDuty(e -> "resolve".equals(e.body().getString("event_action"))
        && dedupKey.equals(e.body().getString("dedup_key")));
    figure("task healed → PagerDuty resolve with the same dedup_key", TaskTimeline.of(ledger, id).entries().stream()
        .filter(e -> "DONE".equals(e.to())).map(TaskTimeline.Entry::at).findFirst().orElseThrow(), resolve.at());
    BoundedWait.until("the alert resolved", LIMIT, () -> alerts("dead-letter").stream()
        .anyMatch(a -> alert.getString("id").equals(a.getString("id")) && "resolved".equals(a.getString("state"))),
        () -> alerts("dead-letter").toString());
  }

  // ------------------------------------------------------------------ helpers

  /** The ledger's record of the retry service's decision for (task, attempt). */
  record AppliedDecision(int attempt, String action, Instant runAt, Instant appliedAt) {
  }

  private static AppliedDecision appliedDecision(UUID task, int attempt) {
    BoundedWait.until("the decision of attempt " + attempt + " of " + task, LIMIT, () -> await(pg.preparedQuery(
        "SELECT count(*) FROM ledger.decisions WHERE task_id = $1 AND attempt = $2").execute(Tuple.of(task, attempt)),
        LIMIT, "counting decisions").iterator().next().getLong(0) == 1, () -> TaskTimeline.of(ledger, task).toString());
    Row r = await(pg.preparedQuery("SELECT action, run_at, at FROM ledger.decisions WHERE task_id = $1 AND attempt = $2")
        .execute(Tuple.of(task, attempt)), LIMIT, "reading the decision").iterator().next();
    return new AppliedDecision(attempt, r.getString("action"),
        r.getOffsetDateTime("run_at") == null ? null : r.getOffsetDateTime("run_at").toInstant(),
        r.getOffsetDateTime("at").toInstant());
  }

  private static Duration scaled(Duration d) {
    return Duration.ofMillis(Math.round(d.toMillis() * SCALE));
  }

  private static void figure(String what, Instant failure, Instant alert) {
    System.out.printf("e2e figure: %s: %d ms%n", what, Duration.between(failure, alert).toMillis());
  }

  private ReboundWorker work(String stage, int concurrency, TaskHandler handler) {
    ReboundWorker w = ReboundWorker.builder(app, LedgerTransport.eventBus(app))
        .name(stage + "-worker-" + workers.size()).stage(stage).concurrency(concurrency)
        .lease(Duration.ofSeconds(10)).claimWait(Duration.ofMillis(500)).stopTimeout(Duration.ofSeconds(5)).build();
    workers.add(w);
    await(w.work(handler), LIMIT, "starting a worker on " + stage);
    return w;
  }

  private static UUID enqueue(EnqueueRequest.Builder task) {
    return UUID.fromString(await(ledger.enqueue(task.build()), LIMIT, "enqueue").getJsonObject("task").getString("id"));
  }

  private TaskView get(UUID id) {
    return await(ledger.get(id), LIMIT, "get " + id);
  }

  private TaskView awaitState(UUID id, TaskState state) {
    BoundedWait.until("task " + id + " " + state, LIMIT, () -> get(id).state() == state,
        () -> get(id) + "\n" + TaskTimeline.of(ledger, id));
    return get(id);
  }

  private static List<TaskView> tasksOf(String workflow) {
    return await(ledger.list(new ListTasksRequest(null, null, workflow, null, null, 100)), LIMIT, "list")
        .getJsonArray("tasks").stream().map(o -> TaskView.fromJson((JsonObject) o)).toList();
  }

  /** Waits until the workflow's {@code n} tasks are all finished; answers them by state. */
  private static Map<TaskState, List<TaskView>> awaitWorkflow(String workflow, int n) {
    Set<TaskState> finished = Set.of(TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED);
    BoundedWait.until("workflow " + workflow + " finished", LIMIT, () -> {
      List<TaskView> all = tasksOf(workflow);
      return all.size() == n && all.stream().allMatch(v -> finished.contains(v.state()));
    }, () -> tasksOf(workflow).stream().map(v -> v.id() + " " + v.state()).toList().toString());
    return tasksOf(workflow).stream().collect(Collectors.groupingBy(TaskView::state));
  }

  private static List<TaskView> deadLetters(DeadLetterQuery q) {
    return await(ledger.deadLetters(q), LIMIT, "the dead-letter queue").getJsonArray("tasks").stream()
        .map(o -> TaskView.fromJson((JsonObject) o)).toList();
  }

  private static String circuitState(String name) {
    return await(retry.circuit(name), LIMIT, "circuit " + name).getString("state");
  }

  /** When the circuit last moved to {@code to}, from its event (published after the state is stored: it may trail it). */
  private static Instant transitionAt(String circuit, String to) {
    BoundedWait.until("an event of " + circuit + " to " + to, LIMIT, () -> circuitEvents.stream()
        .anyMatch(e -> circuit.equals(e.getString("name")) && to.equals(e.getString("to"))), circuitEvents::toString);
    return circuitEvents.stream().filter(e -> circuit.equals(e.getString("name")) && to.equals(e.getString("to")))
        .map(e -> Instant.parse(e.getString("at"))).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no transition of " + circuit + " to " + to + " in " + circuitEvents));
  }

  private static JsonObject getJson(ServiceProcess service, String path) {
    return await(http.get(service.port(), "127.0.0.1", path).send().map(r -> {
      if (r.statusCode() != 200) {
        throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
      }
      return r.bodyAsJsonObject();
    }), LIMIT, "GET " + path);
  }

  /** The notifier's alerts of a kind, as {@code GET /v1/alerts} lists them. */
  private static List<JsonObject> alerts(String kind) {
    JsonArray all = getJson(notifierProcess, "/v1/alerts?labels=kind=" + kind + "&limit=1000").getJsonArray("alerts");
    return all.stream().map(o -> (JsonObject) o).toList();
  }

  private static JsonObject awaitAlert(String kind, Predicate<JsonObject> which) {
    Supplier<List<JsonObject>> matching = () -> alerts(kind).stream().filter(which).toList();
    BoundedWait.until("a " + kind + " alert", LIMIT, () -> !matching.get().isEmpty(), () -> alerts(kind).toString());
    return matching.get().get(0);
  }

  private static AlertReceivers.Received awaitSlack(Predicate<AlertReceivers.Received> which) {
    BoundedWait.until("a Slack message", LIMIT, () -> receivers.slack.stream().anyMatch(which),
        () -> receivers.slack.toString() + "\n" + notifierProcess.tail());
    return receivers.slack.stream().filter(which).findFirst().orElseThrow();
  }

  private static AlertReceivers.Received awaitPagerDuty(Predicate<AlertReceivers.Received> which) {
    BoundedWait.until("a PagerDuty event", LIMIT, () -> receivers.pagerduty.stream().anyMatch(which),
        () -> receivers.pagerduty.toString() + "\n" + notifierProcess.tail());
    return receivers.pagerduty.stream().filter(which).findFirst().orElseThrow();
  }

  private String states(List<UUID> ids) {
    StringBuilder sb = new StringBuilder();
    for (UUID id : ids) {
      TaskView v = get(id);
      sb.append('\n').append(id).append(' ').append(v.state());
      if (v.state() != TaskState.DONE) {
        sb.append('\n').append(TaskTimeline.of(ledger, id));
      }
    }
    return sb.append("\ncircuit events: ").append(circuitEvents).toString();
  }
}
