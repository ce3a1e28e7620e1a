package dev.rebound.app.bench;

import dev.rebound.app.process.BoundedWait;
import dev.rebound.app.process.LoopbackCluster;
import dev.rebound.app.process.ServiceProcess;
import dev.rebound.client.cluster.ReboundCluster;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 10 §5's crash run (not a test): the ledger, the analyzer, the retry service and the notifier as four JVMs
 * in one Hazelcast cluster on loopback (their main classes, as {@code FourProcessMeshTest} starts them), workers in
 * a fifth member joined with {@link ReboundCluster#join}. {@code --tasks} tasks are enqueued (each with an
 * idempotency key, re-sent until acknowledged) while {@code --workers} loops claim them through
 * {@link LedgerClient} and complete them; every tenth task fails its first attempt with a transient error (a read
 * timeout) and is retried by the retry service's decision. Each service in turn is killed with SIGKILL once a
 * share of the tasks is done, and restarted at once.
 *
 * <p>Every acknowledged write is remembered (enqueues, completions, failure reports) and looked up in the database
 * once every task has finished: the run reports acknowledged writes lost, tasks with more than one DONE in their
 * history (double completions), tasks not DONE within {@code --settle} seconds of the last restart (stuck), and per
 * service the time from the kill to the restarted process's readiness and to the flow working again through it (the
 * ledger: a completion acknowledged; the analyzer and the retry service: every failure recorded before the restart
 * decided; the notifier: an alert raised over HTTP answered). Exits 1 when anything was lost, doubled or stuck.
 *
 * <pre>
 * mvn -B -q -o -pl mesh-app -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp mesh-app/target/test-classes:mesh-app/target/classes:$(cat mesh-app/cp.txt) \
 *   dev.rebound.app.bench.KillHarness --tasks 10000 --workers 16
 * </pre>
 * Process output: {@code mesh-app/target/process-logs/KillHarness-*.log}.
 */
public final class KillHarness {
  private static final Path LOGS = Path.of("mesh-app", "target", "process-logs");
  private static final Duration LIMIT = Duration.ofSeconds(120);
  private static final String STAGE = "crash";
  private static final String TRANSIENT = "java.net.SocketTimeoutException: Read timed out";

  private final Map<String, String> opts;
  private LoopbackCluster cluster;
  private Vertx app;
  private TestDatabase db;
  private Pool pg;
  private WebClient http;
  private LedgerClient ledger;
  private Path yaml;
  private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> settings = new HashMap<>();
  private final Map<String, Integer> seats = Map.of("ledger", 0, "analyzer", 1, "retry", 2, "notifier", 3);
  private final Map<String, String> mains = Map.of("ledger", "dev.rebound.ledger.LedgerMain",
      "analyzer", "dev.rebound.analyzer.AnalyzerMain", "retry", "dev.rebound.retry.RetryMain",
      "notifier", "dev.rebound.notifier.NotifierMain");

  // what the mesh acknowledged
  private final Map<Integer, UUID> enqueued = new ConcurrentHashMap<>();
  private final Map<UUID, Integer> completedAcks = new ConcurrentHashMap<>();
  private final Set<UUID> failureAcks = ConcurrentHashMap.newKeySet();
  private final Map<UUID, Integer> indexOf = new ConcurrentHashMap<>();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicLong lastCompletionAt = new AtomicLong();
  private final AtomicInteger callErrors = new AtomicInteger();
  private final AtomicInteger leaseLost = new AtomicInteger();
  private final AtomicBoolean stopping = new AtomicBoolean();

  private KillHarness(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int problems;
    KillHarness h = new KillHarness(opts);
    try {
      problems = h.run();
    } finally {
      h.stop();
    }
    System.exit(problems == 0 ? 0 : 1);
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, String.valueOf(def)));
  }

  private int run() throws Exception {
    int tasks = opt("tasks", 10_000);
    int workers = opt("workers", 16);
    int settle = opt("settle", 180);
    System.out.printf("machine: %d cores, JDK %s; loadavg before: %s; tasks=%d workers=%d%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), HostileInputHarness.loadavg(),
        tasks, workers);
    startMesh();
    long t0 = System.nanoTime();
    // the producer: a steady stream of enqueues, so that the first kill lands while tasks are still coming in
    Promise<Void> produced = Promise.promise();
    int rate = opt("enqueue-rate", 400);
    app.runOnContext(v -> produce(0, tasks, rate, System.nanoTime(), produced));
    for (int w = 0; w < workers; w++) {
      int worker = w;
      app.runOnContext(v -> work("worker-" + worker));
    }
    List<String> order = List.of("ledger", "analyzer", "retry", "notifier");
    Map<String, String> recovery = new LinkedHashMap<>();
    for (int k = 0; k < order.size(); k++) {
      int mark = tasks * (k + 1) / (order.size() + 2);
      BoundedWait.until(mark + " tasks done", Duration.ofSeconds(600), () -> done.get() >= mark,
          () -> "done " + done.get());
      recovery.put(order.get(k), killAndRestart(order.get(k)));
    }
    long lastRestart = System.nanoTime();
    BoundedWait.await(produced.future(), Duration.ofSeconds(600), "enqueueing every task");
    long deadline = System.nanoTime() + Duration.ofSeconds(settle).toNanos();
    while (System.nanoTime() < deadline && countDone() < tasks) {
      BoundedWait.sleep(500);
    }
    double runSeconds = (System.nanoTime() - t0) / 1e9;
    double settleSeconds = (System.nanoTime() - lastRestart) / 1e9;
    stopping.set(true);
    BoundedWait.sleep(1500);
    return verify(tasks, runSeconds, settleSeconds, recovery);
  }

  // ------------------------------------------------------------------ the mesh

  private void startMesh() throws Exception {
    cluster = LoopbackCluster.of("rebound-kill", 5);
    Map<String, String> mine = new HashMap<>();
    cluster.processSettings(4).forEach((k, v) -> {
      if (k.startsWith("cluster.") && !k.equals("cluster.enabled")) {
        mine.put(k, v);
      }
    });
    app = BoundedWait.await(ReboundCluster.join(mine), LIMIT, "joining the cluster");
    db = BoundedWait.await(TestDatabase.create(app, "kill"), LIMIT, "creating the database");
    pg = db.pool(app, 2);
    http = WebClient.create(app, new WebClientOptions().setConnectTimeout(2000));
    HttpServer sink = BoundedWait.await(app.createHttpServer().requestHandler(r -> r.response().setStatusCode(200).end())
        .listen(0, "127.0.0.1"), LIMIT, "the webhook sink");
    Files.createDirectories(LOGS);
    yaml = LOGS.resolve("KillHarness-rebound.yaml");
    Files.writeString(yaml, """
        retry:
          budgets:
            stage: {min-retries-per-second: 100000}
            global: {min-retries-per-second: 100000}
          circuits:
            names:
              "stage:%1$s": {enabled: false}
        notifier:
          receivers:
            - name: sink
              webhook: {url: "http://127.0.0.1:%2$d/hook"}
          route:
            receiver: sink
            group-wait: 1s
        """.formatted(STAGE, sink.actualPort()), StandardCharsets.UTF_8);
    Map<String, String> common = new HashMap<>(db.settingsOverrides());
    common.put("pg.pool-size", "4");
    Map<String, String> ledgerSettings = new HashMap<>(common);
    ledgerSettings.put("ledger.release-sweep-interval", "100ms");
    ledgerSettings.put("ledger.lease-sweep-interval", "500ms");
    ledgerSettings.put("ledger.decision-timeout", "3s");
    Map<String, String> retrySettings = new HashMap<>(common);
    retrySettings.put("retry.time-scale", "0.01");
    retrySettings.put("retry.sweep-interval", "100ms");
    Map<String, String> notifierSettings = new HashMap<>(common);
    notifierSettings.put("notifier.sweep-interval", "200ms");
    settings.put("ledger", ledgerSettings);
    settings.put("analyzer", common);
    settings.put("retry", retrySettings);
    settings.put("notifier", notifierSettings);
    for (String s : List.of("ledger", "analyzer", "retry", "notifier")) {
      processes.put(s, start(s, 0));
    }
    for (ServiceProcess p : processes.values()) {
      p.awaitReady(http);
    }
    ledger = new LedgerClient(app, 5_000);
    BoundedWait.until("the ledger answering across the cluster", LIMIT,
        () -> BoundedWait.await(ledger.stats().map(true).otherwise(false), LIMIT, "probe"), () -> "no answer yet");
  }

  private ServiceProcess start(String service, int generation) throws Exception {
    Map<String, String> s = new HashMap<>(settings.get(service));
    s.putAll(cluster.processSettings(seats.get(service)));
    return ServiceProcess.start(service, mains.get(service), s, yaml,
        LOGS.resolve("KillHarness-" + service + (generation == 0 ? "" : "-" + generation) + ".log"));
  }

  /** SIGKILL, an immediate restart, and the times until the restarted process is ready and the flow works again. */
  private String killAndRestart(String service) throws Exception {
    String load = HostileInputHarness.loadavg();
    int doneAtKill = done.get();
    ServiceProcess victim = processes.get(service);
    long killed = System.nanoTime();
    Instant killedAt = Instant.now();
    victim.kill();
    ServiceProcess fresh = start(service, 1);
    processes.put(service, fresh);
    fresh.awaitReady(http);
    long ready = System.nanoTime();
    Instant readyAt = Instant.now();
    String flow;
    switch (service) {
      case "ledger" -> {
        long before = lastCompletionAt.get();
        BoundedWait.until("a completion acknowledged by the restarted ledger", LIMIT,
            () -> lastCompletionAt.get() > ready, () -> "last completion at " + before);
        flow = "a completion acknowledged";
      }
      case "analyzer", "retry" -> {
        BoundedWait.until("every failure recorded before the restart decided", LIMIT,
            () -> undecidedBefore(readyAt) == 0, () -> undecidedBefore(readyAt) + " undecided");
        flow = "every failure recorded before its restart decided";
      }
      default -> {
        BoundedWait.until("an alert raised through the restarted notifier", LIMIT, () -> raiseAlert(fresh), () -> "no 2xx");
        flow = "an alert raised over HTTP answered";
      }
    }
    long recovered = System.nanoTime();
    String line = String.format("%s: SIGKILL at %s with %d tasks done (loadavg %s); restarted process ready after %.1f s;"
            + " %s after %.1f s", service, killedAt, doneAtKill, load, (ready - killed) / 1e9, flow,
        (recovered - killed) / 1e9);
    System.out.println(line);
    return line;
  }

  private long undecidedBefore(Instant at) {
    return BoundedWait.await(pg.preparedQuery("SELECT count(*) FROM ledger.failures WHERE task_id IS NOT NULL"
        + " AND decided_at IS NULL AND recorded_at < $1").execute(Tuple.of(OffsetDateTime.ofInstant(at, ZoneOffset.UTC))),
        LIMIT, "undecided failures").iterator().next().getLong(0);
  }

  private boolean raiseAlert(ServiceProcess notifier) {
    JsonObject alert = new JsonObject().put("labels", new JsonObject().put("kind", "probe").put("stage", STAGE))
        .put("summary", "crash run probe");
    return BoundedWait.await(http.post(notifier.port(), "127.0.0.1", "/v1/alerts").timeout(3000).sendJsonObject(alert)
        .map(r -> r.statusCode() / 100 == 2).otherwise(false), LIMIT, "raising an alert");
  }

  private void stop() {
    for (ServiceProcess p : processes.values()) {
      p.killQuietly();
    }
    try {
      if (pg != null) {
        BoundedWait.await(pg.close(), LIMIT, "closing the pool");
      }
      if (db != null) {
        BoundedWait.await(db.drop(app), LIMIT, "dropping the database");
      }
      if (app != null) {
        BoundedWait.await(app.close(), LIMIT, "leaving the cluster");
      }
    } catch (RuntimeException | AssertionError e) {
      System.err.println("teardown: " + e);
    }
  }

  // ------------------------------------------------------------------ producer and workers

  /** Enqueues task {@code i} (re-sent with the same idempotency key until acknowledged), then the next, at {@code rate}/s. */
  private void produce(int i, int n, int rate, long start, Promise<Void> finished) {
    if (i >= n) {
      finished.tryComplete();
      return;
    }
    long due = start + (long) (i * 1e9 / rate);
    long wait = Math.max(1, (due - System.nanoTime()) / 1_000_000);
    app.setTimer(wait, t -> enqueue(i, 0).onComplete(ar -> produce(i + 1, n, rate, start, finished)));
  }

  private Future<Void> enqueue(int i, int tries) {
    EnqueueRequest task = EnqueueRequest.builder(STAGE).idempotencyKey("crash-" + i).maxAttempts(25)
        .payload(new JsonObject().put("i", i)).build();
    return ledger.enqueue(task).<Void>map(r -> {
      UUID id = UUID.fromString(r.getJsonObject("task").getString("id"));
      enqueued.put(i, id);
      indexOf.put(id, i);
      return null;
    }).recover(e -> {
      callErrors.incrementAndGet();
      if (tries > 600) {
        System.err.println("enqueue " + i + " given up: " + e);
        return Future.succeededFuture();
      }
      return later(200).compose(v -> enqueue(i, tries + 1));
    });
  }

  private void work(String name) {
    if (stopping.get()) {
      return;
    }
    ledger.claim(ClaimRequest.builder(name).stage(STAGE).limit(10).leaseMs(5_000).waitMs(300).build())
        .compose(batch -> {
          List<Future<Void>> all = new ArrayList<>();
          for (TaskView t : batch) {
            all.add(handle(t));
          }
          return Future.join(all).<Void>mapEmpty();
        })
        .recover(e -> {
          callErrors.incrementAndGet();
          return later(200);
        })
        .onComplete(ar -> work(name));
  }

  private Future<Void> handle(TaskView t) {
    int i = ((JsonObject) t.payload()).getInteger("i");
    if (i % 10 == 0 && t.attempt() == 1) {
      UUID failureId = UUID.randomUUID();
      FailureEvent f = FailureEvent.builder().failureId(failureId).taskId(t.id()).attempt(t.attempt())
          .leaseToken(t.leaseToken()).stage(t.stage()).source("crash-worker").errorType("java.net.SocketTimeoutException")
          .message(TRANSIENT).build();
      return persist(() -> ledger.fail(f), 0).map(acked -> {
        if (acked) {
          failureAcks.add(failureId);
        }
        return null;
      });
    }
    return persist(() -> ledger.complete(CompleteRequest.of(t.id(), t.leaseToken(), new JsonObject().put("i", i))), 0)
        .map(acked -> {
          if (acked) {
            if (completedAcks.merge(t.id(), 1, Integer::sum) == 1) {
              done.incrementAndGet();
            }
            lastCompletionAt.set(System.nanoTime());
          }
          return null;
        });
  }

  /**
   * A worker's write, sent again while the ledger is unreachable (a timeout, no handler, 503), until acknowledged
   * (true) or refused for good (false: the lease was lost, the task moved on).
   */
  private Future<Boolean> persist(java.util.function.Supplier<Future<JsonObject>> call, int tries) {
    return call.get().map(true).recover(e -> {
      callErrors.incrementAndGet();
      boolean refused = e instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && re.failureCode() >= 400 && re.failureCode() < 500 && re.failureCode() != 429;
      if (refused || tries >= 40) {
        leaseLost.incrementAndGet();
        return Future.succeededFuture(false);
      }
      return later(250).compose(v -> persist(call, tries + 1));
    });
  }

  private Future<Void> later(long ms) {
    Promise<Void> p = Promise.promise();
    app.setTimer(ms, t -> p.complete());
    return p.future();
  }

  // ------------------------------------------------------------------ the verdict

  private long countDone() {
    return BoundedWait.await(pg.preparedQuery("SELECT count(*) FROM ledger.tasks WHERE stage = $1 AND state = 'DONE'")
        .execute(Tuple.of(STAGE)), LIMIT, "counting DONE").iterator().next().getLong(0);
  }

  private long scalar(String sql, Object... args) {
    return BoundedWait.await(pg.preparedQuery(sql).execute(Tuple.from(args)), LIMIT, sql).iterator().next().getLong(0);
  }

  private int verify(int tasks, double runSeconds, double settleSeconds, Map<String, String> recovery) {
    UUID[] enq = enqueued.values().toArray(new UUID[0]);
    UUID[] completed = completedAcks.keySet().toArray(new UUID[0]);
    UUID[] failures = failureAcks.toArray(new UUID[0]);
    long enqueuedPresent = scalar("SELECT count(*) FROM ledger.tasks WHERE id = ANY($1)", (Object) enq);
    long completedDone = scalar("SELECT count(*) FROM ledger.tasks WHERE id = ANY($1) AND state = 'DONE'", (Object) completed);
    long completedInHistory = scalar("SELECT count(DISTINCT task_id) FROM ledger.history WHERE task_id = ANY($1)"
        + " AND to_state = 'DONE'", (Object) completed);
    long failuresPresent = scalar("SELECT count(*) FROM ledger.failures WHERE id = ANY($1)", (Object) failures);
    long rows = scalar("SELECT count(*) FROM ledger.tasks WHERE stage = $1", STAGE);
    long doubleDone = scalar("SELECT count(*) FROM (SELECT task_id FROM ledger.history h JOIN ledger.tasks t"
        + " ON t.id = h.task_id WHERE t.stage = $1 AND h.to_state = 'DONE' GROUP BY task_id HAVING count(*) > 1) d", STAGE);
    long doubleAcked = completedAcks.values().stream().filter(n -> n > 1).count();
    long stuck = scalar("SELECT count(*) FROM ledger.tasks WHERE stage = $1 AND state <> 'DONE'", STAGE);
    Map<String, Long> states = new LinkedHashMap<>();
    for (Row r : BoundedWait.await(pg.preparedQuery("SELECT state, count(*) FROM ledger.tasks WHERE stage = $1 GROUP BY 1"
        + " ORDER BY 1").execute(Tuple.of(STAGE)), LIMIT, "states")) {
      states.put(r.getString(0), r.getLong(1));
    }
    long failuresRecorded = scalar("SELECT count(*) FROM ledger.failures WHERE stage = $1", STAGE);
    long decided = scalar("SELECT count(*) FROM ledger.decisions d JOIN ledger.tasks t ON t.id = d.task_id"
        + " WHERE t.stage = $1 AND d.decided_by = 'retry-service'", STAGE);
    long rescued = scalar("SELECT count(*) FROM ledger.failures WHERE stage = $1 AND message LIKE 'lease expired%'", STAGE);
    long failuresDecided = scalar("SELECT count(*) FROM ledger.failures WHERE stage = $1 AND decided_at IS NOT NULL", STAGE);
    long lostEnqueues = enq.length - enqueuedPresent;
    long lostCompletions = Math.max(completed.length - completedDone, completed.length - completedInHistory);
    long lostFailures = failures.length - failuresPresent;
    System.out.println("--- crash run: " + tasks + " tasks, 4 services killed in turn (SIGKILL) and restarted");
    recovery.values().forEach(l -> System.out.println("  " + l));
    System.out.printf("  run %.1f s (the last %.1f s after the last restart); loadavg after %s%n", runSeconds,
        settleSeconds, HostileInputHarness.loadavg());
    System.out.printf("  acknowledged: %d enqueues, %d completions, %d failure reports; calls that failed and were re-sent"
        + " %d; writes refused for good (lease lost) %d%n", enq.length, completed.length, failures.length, callErrors.get(),
        leaseLost.get());
    System.out.printf("  acknowledged writes lost: %d (enqueues %d, completions %d, failure reports %d)%n",
        lostEnqueues + lostCompletions + lostFailures, lostEnqueues, lostCompletions, lostFailures);
    System.out.printf("  double completions: %d in history (tasks with more than one DONE), %d acknowledged twice%n",
        doubleDone, doubleAcked);
    System.out.printf("  tasks stuck (not DONE at the end): %d; task rows %d for %d tasks (duplicates %d); states %s%n",
        stuck, rows, tasks, rows - enqueued.size(), states);
    System.out.printf("  failures recorded %d (reported and acknowledged %d, leases rescued %d); failures with a decision %d;"
        + " decisions by the retry service applied or recorded %d%n", failuresRecorded, failures.length, rescued,
        failuresDecided, decided);
    return (int) (lostEnqueues + lostCompletions + lostFailures + doubleDone + doubleAcked + stuck
        + Math.abs(rows - tasks) + (tasks - enqueued.size()));
  }
}
