package dev.rebound.app.cli;

import dev.rebound.client.LedgerTransport;
import dev.rebound.client.ReboundWorker;
import dev.rebound.client.TaskHandler;
import dev.rebound.common.client.TrustedCa;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The scripted scenarios of {@code rebound demo}, played against a running Rebound over HTTP: tasks enqueued
 * with {@code POST /v1/tasks}, worked by a {@link ReboundWorker} over {@link LedgerTransport#http} whose handler
 * fails them on cue, and the outcome read back as a user would ({@code /v1/tasks}, {@code /v1/circuits},
 * {@code /v1/alerts}). Every run has its own id, so its stages, workflows and circuits are new.
 */
public final class Demo {
  /** A scenario's name and what it ended with, as the view shows it. */
  public record Outcome(String scenario, boolean passed, String summary) {
  }

  private enum State { QUEUED, RUNNING, RETRY, BLOCKED, DONE, FAILED, CANCELLED }

  private static final Duration POLL = Duration.ofMillis(300);

  private final ReboundHttpClient http;
  private final SSLContext tls;
  private final URI url;
  private final DemoView view;
  private final boolean quick;
  private final Duration scenarioTimeout;
  private final String run = UUID.randomUUID().toString().substring(0, 6);
  private final List<Outcome> outcomes = new ArrayList<>();
  private final String token;

  public Demo(String url, DemoView view, boolean quick, Duration scenarioTimeout) {
    this(url, System.getenv(ReboundHttpClient.TOKEN_ENV), System.getenv(TrustedCa.ENV), view, quick, scenarioTimeout);
  }

  /**
   * {@code token}: the bearer token to send (null: none); {@code caFile}: the PEM file of the CA to trust for an
   * {@code https} URL (null: the JDK's default store).
   */
  public Demo(String url, String token, String caFile, DemoView view, boolean quick, Duration scenarioTimeout) {
    this.token = token;
    this.http = new ReboundHttpClient(url, token, caFile);
    this.tls = caFile == null || caFile.isBlank() ? null : TrustedCa.sslContext(Path.of(caFile.trim()));
    this.url = URI.create(http.baseUrl());
    this.view = view;
    this.quick = quick;
    this.scenarioTimeout = scenarioTimeout;
  }

  public String runId() {
    return run;
  }

  /** Plays every scenario in turn; answers their outcomes. */
  public List<Outcome> play() {
    http.get("/health/ready", Map.of());
    List<Scenario> scenarios = List.of(
        new Scenario("10-tab scrape", this::scrape),
        new Scenario("timeout retried", this::timeout),
        new Scenario("dependency down", this::circuit),
        new Scenario("workflow aborted", this::abort),
        new Scenario("free-standing failure", this::freeFailure),
        new Scenario("checkpointed run", this::checkpoint));
    scenarios.forEach(s -> view.scenario(s.name(), "waiting"));
    Vertx vertx = Vertx.vertx();
    try {
      for (Scenario s : scenarios) {
        view.scenario(s.name(), "running ...");
        Outcome outcome;
        try {
          outcome = s.body().play(vertx, s.name());
        } catch (CliFailure e) {
          outcome = new Outcome(s.name(), false, e.getMessage());
        }
        outcomes.add(outcome);
        view.scenario(s.name(), (outcome.passed() ? "ok    " : "FAILED ") + outcome.summary());
        view.progress("");
        refreshAlerts();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null)
          .join();
      view.finish();
    }
    return List.copyOf(outcomes);
  }

  private record Scenario(String name, Body body) {
  }

  @FunctionalInterface
  private interface Body {
    Outcome play(Vertx vertx, String name);
  }

  // ------------------------------------------------------------------ the scenarios

  /** 10 tabs scraped, 3 of them gone for good (404): 7 DONE, 3 dead-lettered with their error, the job carries on. */
  private Outcome scrape(Vertx vertx, String name) {
    String stage = stage("scrape");
    Selection workflow = new Selection("workflowId", workflow("scrape"));
    Set<Integer> gone = Set.of(3, 6, 9);
    for (int tab = 1; tab <= 10; tab++) {
      enqueue(stage, workflow.value(), new JsonObject().put("tab", tab), 2);
    }
    ReboundWorker worker = worker(vertx, stage, 4);
    start(worker, ctx -> {
      int tab = ctx.payload().getInteger("tab");
      if (gone.contains(tab)) {
        return Future.failedFuture(new ReboundWorker.Failure("GET https://shop.example/catalog?tab=" + tab
            + " returned 404 Not Found").httpStatus(404));
      }
      return Future.succeededFuture(new JsonObject().put("tab", tab).put("rows", 25));
    });
    try {
      boolean settled = waitFor(() -> {
        Map<State, Integer> c = counts(workflow);
        return c.get(State.DONE) == 7 && c.get(State.FAILED) == 3;
      }, workflow);
      Map<State, Integer> c = counts(workflow);
      List<String> errors = tasks(workflow, "FAILED").stream()
          .map(t -> "tab " + t.getJsonObject("payload").getInteger("tab") + ": " + t.getString("lastError", "")).toList();
      errors.forEach(e -> view.note("dead-lettered " + e));
      return new Outcome(name, settled, c.get(State.DONE) + " DONE, " + c.get(State.FAILED)
          + " dead-lettered (rebound dlq list --workflow " + workflow.value() + ")");
    } finally {
      stop(worker);
    }
  }

  /** A read timeout, retried with growing delays until the fetch goes through. */
  private Outcome timeout(Vertx vertx, String name) {
    String stage = stage("fetch");
    Selection workflow = new Selection("workflowId", workflow("fetch"));
    int failures = quick ? 2 : 3;
    enqueue(stage, workflow.value(), new JsonObject().put("url", "https://api.partner.example/orders"), 6);
    List<Instant> attempts = new CopyOnWriteArrayList<>();
    ReboundWorker worker = worker(vertx, stage, 1);
    start(worker, ctx -> {
      attempts.add(Instant.now());
      view.note("attempt " + attempts.size() + (attempts.size() > 1 ? " after "
          + seconds(Duration.between(attempts.get(attempts.size() - 2), attempts.get(attempts.size() - 1))) : ""));
      return attempts.size() <= failures
          ? Future.failedFuture(new SocketTimeoutException("Read timed out after 10000 ms calling api.partner.example"))
          : Future.succeededFuture(new JsonObject().put("orders", 42));
    });
    try {
      boolean done = waitFor(() -> counts(workflow).get(State.DONE) == 1, workflow);
      List<String> gaps = new ArrayList<>();
      for (int i = 1; i < attempts.size(); i++) {
        gaps.add(seconds(Duration.between(attempts.get(i - 1), attempts.get(i))));
      }
      return new Outcome(name, done && attempts.size() == failures + 1, attempts.size() + " attempts, retried after "
          + String.join(", ", gaps) + (done ? ", then DONE" : ""));
    } finally {
      stop(worker);
    }
  }

  /**
   * A stage whose dependency is down: failures open its circuit, the stage pauses; the dependency returns, a probe
   * succeeds, the circuit closes and the parked tasks run. Independent deploys, in no workflow (one workflow
   * failing this much would be aborted, the next scenario).
   */
  private Outcome circuit(Vertx vertx, String name) {
    String stage = stage("deploy");
    String circuit = "stage:" + stage;
    for (int i = 1; i <= 8; i++) {
      enqueue(stage, null, new JsonObject().put("service", "svc-" + i), 10);
    }
    Selection workflow = new Selection("stage", stage);
    AtomicBoolean registryUp = new AtomicBoolean(false);
    ReboundWorker worker = worker(vertx, stage, 1);
    start(worker, ctx -> registryUp.get()
        ? Future.succeededFuture(new JsonObject().put("deployed", ctx.payload().getString("service")))
        : Future.failedFuture(new ReboundWorker.Failure("connect ECONNREFUSED 10.0.3.17:443 (registry.internal)")
            .detail("dependency", "registry")));
    try {
      boolean opened = waitFor(() -> circuitState(circuit).contains("OPEN"), workflow);
      view.note(circuit + " is " + circuitState(circuit) + ": the stage is paused, its tasks wait (rebound circuits list)");
      registryUp.set(true);
      view.note("the registry is back: the circuit half-opens, one probe task runs, then the rest");
      boolean recovered = opened && waitFor(() -> counts(workflow).get(State.DONE) == 8, workflow);
      String state = circuitState(circuit);
      return new Outcome(name, recovered && "CLOSED".equals(state), "circuit opened"
          + (recovered ? ", probed and " + state + "; 8 DONE" : " (" + state + "), tasks still waiting"));
    } finally {
      stop(worker);
    }
  }

  /**
   * A workflow with most of its recent attempts failing (more than 50 % of the last 10): aborted, its other tasks
   * cancelled, an alert raised with the analysis. Ten partitions load at once, so the ten attempts the policy
   * looks at come before the stage's circuit opens.
   */
  private Outcome abort(Vertx vertx, String name) {
    String stage = stage("etl");
    Selection workflow = new Selection("workflowId", workflow("etl"));
    for (int i = 1; i <= 12; i++) {
      enqueue(stage, workflow.value(), new JsonObject().put("partition", i), 5);
    }
    ReboundWorker worker = worker(vertx, stage, 10);
    start(worker, ctx -> Future.failedFuture(new ReboundWorker.Failure(
        "warehouse load failed: upstream returned 503 Service Unavailable").httpStatus(503)));
    try {
      boolean aborted = waitFor(() -> {
        Map<State, Integer> c = counts(workflow);
        return c.get(State.CANCELLED) > 0 && c.get(State.QUEUED) + c.get(State.RUNNING) + c.get(State.RETRY) == 0;
      }, workflow);
      Map<State, Integer> c = counts(workflow);
      return new Outcome(name, aborted, aborted ? "aborted: " + describe(c) : "not aborted yet: " + describe(c));
    } finally {
      stop(worker);
    }
  }

  /** A failure from a user's own service, tied to no task: recorded, classified, listed. */
  private Outcome freeFailure(Vertx vertx, String name) {
    String stage = stage("billing");
    JsonObject failure = new JsonObject().put("failureId", UUID.randomUUID().toString()).put("source", "billing-service")
        .put("stage", stage).put("workflowId", workflow("billing"))
        .put("message", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: "
            + "java.security.cert.CertificateExpiredException: NotAfter: Wed May 01 00:00:00 UTC 2024 (api.pay.example)");
    JsonObject answer = http.post("/v1/failures", failure);
    JsonObject verdict = http.post("/v1/classify", new JsonObject().put("message", failure.getString("message"))
        .put("stage", stage));
    view.note("failure " + answer.getString("failureId") + " classified " + verdict.getString("category")
        + (Boolean.TRUE.equals(verdict.getBoolean("transient")) ? " (transient)" : " (permanent)")
        + ": " + verdict.getString("rootCause", ""));
    return new Outcome(name, Boolean.TRUE.equals(answer.getBoolean("recorded")), "recorded as "
        + answer.getString("failureId") + ", classified " + verdict.getString("category"));
  }

  /** A long run killed at 40 % resumes from its last checkpoint without repeating work. */
  private Outcome checkpoint(Vertx vertx, String name) {
    String stage = stage("batch");
    Selection workflow = new Selection("workflowId", workflow("batch"));
    int items = quick ? 200 : 1000;
    int every = items / 20;
    int killedAt = items * 2 / 5;
    enqueue(stage, workflow.value(), new JsonObject().put("items", items), 3);
    Map<Integer, Integer> processed = new ConcurrentHashMap<>();
    AtomicInteger resumedAt = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    ReboundWorker worker = worker(vertx, stage, 1);
    start(worker, ctx -> {
      int from = ctx.lastCheckpoint().map(c -> c.state().getInteger("next")).orElse(1);
      if (from > 1) {
        resumedAt.set(from);
        view.note("attempt " + ctx.task().attempt() + " resumes from its checkpoint at item " + from);
      }
      return processFrom(ctx, from, items, every, killedAt, killed, processed);
    });
    try {
      boolean done = waitFor(() -> counts(workflow).get(State.DONE) == 1, workflow);
      long repeated = processed.values().stream().filter(n -> n > 1).count();
      return new Outcome(name, done && resumedAt.get() == killedAt + 1 && repeated == 0 && processed.size() == items,
          "killed at item " + killedAt + ", resumed at item " + resumedAt.get() + "; " + processed.size() + " of "
              + items + " items processed, " + (repeated == 0 ? "none twice" : repeated + " twice"));
    } finally {
      stop(worker);
    }
  }

  private static Future<Object> processFrom(dev.rebound.client.TaskContext ctx, int item, int items, int every,
      int killedAt, AtomicBoolean killed, Map<Integer, Integer> processed) {
    for (int i = item; i <= items; i++) {
      processed.merge(i, 1, Integer::sum);
      if (i == killedAt && killed.compareAndSet(false, true)) {
        int at = i;
        return ctx.checkpoint(at, new JsonObject().put("next", at + 1)).compose(v -> Future.failedFuture(
            new java.net.SocketException("Connection reset by peer: the worker's node was preempted after item " + at)));
      }
      if (i % every == 0 && i < items) {
        int next = i + 1;
        return ctx.checkpoint(i, new JsonObject().put("next", next))
            .compose(v -> processFrom(ctx, next, items, every, killedAt, killed, processed));
      }
    }
    return Future.succeededFuture(new JsonObject().put("items", items));
  }

  // ------------------------------------------------------------------ helpers

  private String stage(String what) {
    return "demo-" + what + "-" + run;
  }

  private String workflow(String what) {
    return "demo-" + run + "-" + what;
  }

  /** {@code workflow} null: a task of no workflow. */
  private void enqueue(String stage, String workflow, JsonObject payload, int maxAttempts) {
    JsonObject task = new JsonObject().put("stage", stage).put("payload", payload).put("maxAttempts", maxAttempts);
    if (workflow != null) {
      task.put("workflowId", workflow);
    }
    http.post("/v1/tasks", task);
  }

  private ReboundWorker worker(Vertx vertx, String stage, int concurrency) {
    return ReboundWorker.builder(vertx, LedgerTransport.http(vertx, url, url, token,
        Duration.ofSeconds(30), tls)).name("rebound-demo-" + run).stage(stage)
        .concurrency(concurrency).claimBatch(concurrency).claimWait(Duration.ofSeconds(1))
        .circuitRefresh(Duration.ofSeconds(1)).stopTimeout(Duration.ofSeconds(5)).build();
  }

  private static void start(ReboundWorker worker, TaskHandler handler) {
    await(worker.work(handler), "the demo worker did not start");
  }

  private static void stop(ReboundWorker worker) {
    try {
      await(worker.stop(), "the demo worker did not stop");
    } catch (CliFailure ignored) {
      // the next scenario has its own worker and stage
    }
  }

  private static void await(Future<?> future, String what) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(CliFailure.FAILED, "interrupted");
    } catch (Exception e) {
      throw new CliFailure(CliFailure.FAILED, what + ": " + e);
    }
  }

  /** Polls until {@code done} (showing the workflow's tasks by state), or the scenario's time is up. */
  private boolean waitFor(BooleanSupplier done, Selection workflow) {
    long deadline = System.nanoTime() + scenarioTimeout.toNanos();
    int polls = 0;
    while (System.nanoTime() < deadline) {
      view.progress(workflow.value() + ": " + describe(counts(workflow)));
      if (++polls % 10 == 0) {
        refreshAlerts();
      }
      if (done.getAsBoolean()) {
        view.progress(workflow.value() + ": " + describe(counts(workflow)));
        return true;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliFailure(CliFailure.FAILED, "interrupted");
      }
    }
    return false;
  }

  /** The tasks a scenario looks at: those of its workflow, or of its stage. */
  private record Selection(String param, String value) {
  }

  private List<JsonObject> tasks(Selection selection, String state) {
    JsonArray tasks = http.get("/v1/tasks", Map.of(selection.param(), selection.value(),
        "state", state == null ? "" : state, "limit", "100")).getJsonArray("tasks", new JsonArray());
    List<JsonObject> list = new ArrayList<>();
    tasks.forEach(t -> list.add((JsonObject) t));
    return list;
  }

  private Map<State, Integer> counts(Selection workflow) {
    Map<State, Integer> counts = new EnumMap<>(State.class);
    for (State s : State.values()) {
      counts.put(s, 0);
    }
    for (JsonObject t : tasks(workflow, null)) {
      counts.merge(State.valueOf(t.getString("state")), 1, Integer::sum);
    }
    return counts;
  }

  private static String describe(Map<State, Integer> counts) {
    String text = counts.entrySet().stream().filter(e -> e.getValue() > 0)
        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    return text.isEmpty() ? "no tasks" : text;
  }

  private String circuitState(String circuit) {
    try {
      return http.get("/v1/circuits/" + ReboundHttpClient.segment(circuit), Map.of()).getString("state", "?");
    } catch (CliFailure e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** The alerts this run raised: open ones by kind, and the newest summary. */
  private void refreshAlerts() {
    try {
      JsonArray alerts = http.get("/v1/alerts", Map.of("state", "open", "limit", "200"))
          .getJsonArray("alerts", new JsonArray());
      Map<String, Integer> byKind = new TreeMap<>();
      String newest = null;
      for (Object a : alerts) {
        JsonObject alert = (JsonObject) a;
        if (!alert.encode().contains(run)) {
          continue;
        }
        byKind.merge(alert.getJsonObject("labels", new JsonObject()).getString("kind", "alert"), 1, Integer::sum);
        if (newest == null) {
          newest = alert.getString("summary");
        }
      }
      view.alerts(byKind.isEmpty() ? "none open yet" : byKind.entrySet().stream()
          .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")) + " — newest: " + newest);
    } catch (CliFailure e) {
      view.alerts("unavailable (" + e.getMessage() + ")");
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
