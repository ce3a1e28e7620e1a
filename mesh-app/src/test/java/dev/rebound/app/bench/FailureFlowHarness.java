package dev.rebound.app.bench;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.common.Addresses;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load harness for the failure flow of {@code rebound run} (not a test): failure reported to the ledger →
 * committed with a provisional retry → classified by the analyzer → decided by the retry service → the
 * decision applied by the ledger. Starts {@code rebound run} in this JVM (ledger, retry, analyzer, notifier on
 * one local event bus) on a fresh database of the local PostgreSQL.
 *
 * <p>Per phase, N tasks are enqueued in S fresh stages (workflows of 8 tasks, below the abort window of 10) and
 * all claimed first (a stage whose circuit opens is paused for claims); then one failure per task is reported
 * through {@code LedgerClient.fail}: 90 % a transient {@code java.net.SocketTimeoutException: Read timed out},
 * 10 % a permanent {@code HttpError: Bad credentials} (401). A decision counts as applied when the ledger
 * publishes the task's transition by the retry service on {@code rebound.events.tasks} — sent right after the
 * decision's commit, on the same bus, so it costs one local message per decision and is exact to the
 * event-loop turn (polling {@code ledger.decisions} would add load and blur latency by its interval).
 *
 * <ul>
 *   <li>{@code max}: closed loop, W failures in flight, where in flight means reported and not yet decided;
 *   <li>{@code rate}: open loop, failures sent on a 1 ms schedule at R/s whatever the system does; latency is
 *       measured from each failure's scheduled time (no coordinated omission).
 * </ul>
 *
 * <pre>
 * mvn -B -q -o -pl mesh-app -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp mesh-app/target/test-classes:mesh-app/target/classes:$(cat mesh-app/cp.txt) \
 *   dev.rebound.app.bench.FailureFlowHarness --mode both --failures 20000 --rate 1000 --inflight 256 --stages 4
 * </pre>
 * Options: --mode max|rate|both, --failures N (per phase), --rate R (failures/s, rate mode), --inflight W
 * (max mode), --stages S, --permanent P (percent, 10), --warmup N (a max-mode phase first, 3000; 0 skips),
 * --timeout S (seconds a phase may take to drain after its last failure, 60), --pool N (PostgreSQL connections
 * of each service; default {@code pg.pool-size}'s, 8), --set k=v[,k=v…] (any other setting of {@code rebound run}).
 */
public final class FailureFlowHarness {
  private static final int WORKFLOW_SIZE = 8;
  private static final String DECIDED_BY = "retry-service";

  private final Map<String, String> opts;
  private Vertx vertx;
  private LedgerClient ledger;
  private Pool pool;
  private final Map<UUID, Long> pending = new ConcurrentHashMap<>();
  private volatile Phase phase;
  private long postmaster;

  private FailureFlowHarness(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    new FailureFlowHarness(opts).run();
    System.exit(0);
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, String.valueOf(def)));
  }

  private void run() throws Exception {
    String mode = opts.getOrDefault("mode", "both");
    int n = opt("failures", 20_000);
    int rate = opt("rate", 1_000);
    int inflight = opt("inflight", 256);
    int stages = opt("stages", 4);
    int warmup = opt("warmup", 3_000);
    Vertx admin = Vertx.vertx();
    TestDatabase db = await(TestDatabase.create(admin, "flow"));
    ReboundRun run = null;
    try {
      Map<String, String> o = new HashMap<>(db.settingsOverrides());
      String password = db.options().getPassword();
      if (password != null && !password.isEmpty()) {
        o.put("pg.password", password);
      }
      o.put("run.host", "127.0.0.1");
      o.put("run.port", "0");
      o.put("shutdown.timeout", "5s");
      if (opts.containsKey("pool")) {
        o.put("pg.pool-size", opts.get("pool"));
      }
      for (String kv : opts.getOrDefault("set", "").split(",")) {
        if (kv.contains("=")) {
          o.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
        }
      }
      Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(o);
      run = ReboundRun.start(settings, ReboundRun.SERVICES, PostgresProvisioner.system());
      vertx = run.runningService().vertx();
      ledger = new LedgerClient(vertx, 60_000);
      pool = db.pool(admin, 2);
      postmaster = CpuAccount.postmasterOf(await(pool.query("SELECT pg_backend_pid()").execute())
          .iterator().next().getInteger(0));
      MessageConsumer<JsonObject> events = vertx.eventBus().consumer(Addresses.EVENTS_TASKS, m -> decided(m.body()));
      await(events.completion());
      System.out.printf("machine: %d cores, %s, JDK %s; loadavg before: %s; mode=%s failures=%d rate=%d inflight=%d"
              + " stages=%d permanent=%d%%%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
          System.getProperty("java.version"), HostileInputHarness.loadavg(), mode, n, rate, inflight, stages, opt("permanent", 10));
      if (warmup > 0) {
        phase("warmup", warmup, stages, inflight, 0);
      }
      if (!mode.equals("rate")) {
        phase("max", n, stages, inflight, 0);
      }
      if (!mode.equals("max")) {
        phase("rate", n, stages, 0, rate);
      }
      await(events.unregister());
    } finally {
      if (run != null) {
        run.stop();
      }
      if (pool != null) {
        await(pool.close());
      }
      await(db.drop(admin));
      await(admin.close());
    }
  }

  // ------------------------------------------------------------------ one phase

  /** What one phase measures; latencies are written by the event loop that sees the decision. */
  private static final class Phase {
    final String label;
    final String prefix;
    final int n;
    final long[] latencies;
    final AtomicInteger decided = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final Promise<Void> done = Promise.promise();
    final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    volatile Runnable onDecided = () -> { };

    Phase(String label, int n) {
      this.label = label;
      this.prefix = "flow-" + label + "-" + UUID.randomUUID().toString().substring(0, 6);
      this.n = n;
      this.latencies = new long[n];
    }

    void settled() {
      if (decided.get() + failed.get() >= n) {
        done.tryComplete();
      }
    }
  }

  private record Claimed(UUID id, int attempt, UUID leaseToken, String stage) {
  }

  private void phase(String label, int n, int stages, int inflight, int rate) throws Exception {
    Phase p = new Phase(label, n);
    List<Claimed> tasks = prepare(p, n, stages);
    String load = HostileInputHarness.loadavg();
    phase = p;
    CpuAccount cpuBefore = CpuAccount.now(postmaster);
    long start = System.nanoTime();
    long[] lastSent = new long[1];
    if (rate > 0) {
      openLoop(p, tasks, rate, start, lastSent);
    } else {
      closedLoop(p, tasks, inflight, lastSent);
    }
    int timeout = opt("timeout", 60);
    try {
      await(p.done.future(), n / (rate > 0 ? rate : 100) + timeout);
    } catch (java.util.concurrent.TimeoutException e) {
      System.out.println("  (timed out: " + (n - p.decided.get() - p.failed.get()) + " failures never decided)");
    }
    long end = System.nanoTime();
    CpuAccount cpuAfter = CpuAccount.now(postmaster);
    phase = null;
    int decided = p.decided.get();
    long[] lat = Arrays.copyOf(p.latencies, Math.min(decided, n));
    Arrays.sort(lat);
    double seconds = (end - start) / 1e9;
    Stats s = stats(p);
    String how = rate > 0 ? "open loop at " + rate + "/s" : "closed loop, " + inflight + " in flight";
    System.out.printf("%s (%s; loadavg before %s): %d failures, %d decided and applied in %.2f s = %.0f failures/s"
            + " fully decided (sending took %.2f s); reports refused %d%n", label, how, load, n, decided, seconds,
        decided / seconds, (lastSent[0] - start) / 1e9, p.failed.get());
    System.out.printf("  failure sent → decision applied: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        pct(lat, 0.50) / 1e6, pct(lat, 0.95) / 1e6, pct(lat, 0.99) / 1e6,
        lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
    System.out.printf("  applied transitions %s; retry.decisions: %d, degraded %d, by action %s%n", p.outcomes,
        s.decisions, s.degraded, s.byAction);
    System.out.println("  " + cpuAfter.perOperationSince(cpuBefore, decided, "failure decided"));
  }

  /** Enqueues N tasks over S stages and claims them all (long leases), before any failure is reported. */
  private List<Claimed> prepare(Phase p, int n, int stages) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> producers = new ArrayList<>();
    for (int w = 0; w < 64; w++) {
      Promise<Void> producer = Promise.promise();
      producers.add(producer.future());
      vertx.runOnContext(v -> enqueue(p, n, stages, next, producer));
    }
    await(Future.all(producers));
    List<Claimed> claimed = new ArrayList<>(n);
    for (int s = 0; s < stages; s++) {
      String stage = p.prefix + "-s" + s;
      while (true) {
        List<TaskView> batch = await(ledger.claim(ClaimRequest.builder("bench").stage(stage).limit(500)
            .leaseMs(1_800_000).build()));
        if (batch.isEmpty()) {
          break;
        }
        batch.forEach(t -> claimed.add(new Claimed(t.id(), t.attempt(), t.leaseToken(), t.stage())));
      }
    }
    if (claimed.size() != n) {
      throw new IllegalStateException("claimed " + claimed.size() + " of " + n + " tasks");
    }
    // interleave the stages as a real mesh would report them
    claimed.sort((a, b) -> a.id().compareTo(b.id()));
    return claimed;
  }

  private void enqueue(Phase p, int n, int stages, AtomicInteger next, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= n) {
      done.tryComplete();
      return;
    }
    int stage = i % stages;
    EnqueueRequest task = EnqueueRequest.builder(p.prefix + "-s" + stage)
        .workflowId(p.prefix + "-wf" + stage + "-" + (i / stages / WORKFLOW_SIZE)).agent("bench-agent-" + (i % 3))
        .payload(new JsonObject().put("i", i)).build();
    ledger.enqueue(task).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
      } else {
        enqueue(p, n, stages, next, done);
      }
    });
  }

  private void closedLoop(Phase p, List<Claimed> tasks, int inflight, long[] lastSent) {
    AtomicInteger next = new AtomicInteger();
    Runnable sendNext = () -> {
      int i = next.getAndIncrement();
      if (i < tasks.size()) {
        report(p, tasks.get(i), i, System.nanoTime());
        lastSent[0] = System.nanoTime();
      }
    };
    p.onDecided = sendNext;
    vertx.runOnContext(v -> {
      for (int k = 0; k < inflight; k++) {
        sendNext.run();
      }
    });
  }

  /** Every millisecond, sends what the schedule says is due; each failure's latency starts at its scheduled time. */
  private void openLoop(Phase p, List<Claimed> tasks, int rate, long start, long[] lastSent) {
    int[] sent = {0};
    double perNano = rate / 1e9;
    vertx.runOnContext(v -> vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      int due = (int) Math.min(tasks.size(), Math.floor((now - start) * perNano) + 1);
      while (sent[0] < due) {
        int i = sent[0]++;
        report(p, tasks.get(i), i, start + (long) (i / perNano));
      }
      lastSent[0] = now;
      if (sent[0] >= tasks.size()) {
        vertx.cancelTimer(id);
      }
    }));
  }

  private void report(Phase p, Claimed t, int i, long from) {
    boolean permanent = i % 100 < opt("permanent", 10);
    FailureEvent.Builder f = FailureEvent.builder().taskId(t.id()).attempt(t.attempt()).leaseToken(t.leaseToken())
        .stage(t.stage()).source("bench-worker");
    if (permanent) {
      f.errorType("HttpError").message("HttpError: Bad credentials").httpStatus(401);
    } else {
      f.errorType("java.net.SocketTimeoutException").message("java.net.SocketTimeoutException: Read timed out")
          .stackTrace("java.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl"
              + ".timedRead(NioSocketImpl.java:288)");
    }
    pending.put(t.id(), from);
    ledger.fail(f.build()).onFailure(e -> {
      if (pending.remove(t.id()) != null) {
        System.err.println("failure report refused: " + e.getMessage());
        p.failed.incrementAndGet();
        p.onDecided.run();
        p.settled();
      }
    });
  }

  /** A transition by the retry service: the first one of a pending task is its decision, applied. */
  private void decided(JsonObject transition) {
    Phase p = phase;
    if (p == null || !DECIDED_BY.equals(transition.getString("actor"))) {
      return;
    }
    Long from = pending.remove(UUID.fromString(transition.getString("taskId")));
    if (from == null) {
      return;
    }
    long latency = System.nanoTime() - from;
    int k = p.decided.getAndIncrement();
    if (k < p.latencies.length) {
      p.latencies[k] = latency;
    }
    p.outcomes.computeIfAbsent(transition.getString("to"), x -> new AtomicInteger()).incrementAndGet();
    p.onDecided.run();
    p.settled();
  }

  private record Stats(long decisions, long degraded, Map<String, Long> byAction) {
  }

  private Stats stats(Phase p) throws Exception {
    var rows = await(pool.preparedQuery("""
        SELECT action, count(*) AS n, count(*) FILTER (WHERE degraded) AS degraded FROM retry.decisions
        WHERE stage LIKE $1 GROUP BY action ORDER BY action""").execute(Tuple.of(p.prefix + "-%")));
    long total = 0;
    long degraded = 0;
    Map<String, Long> byAction = new java.util.TreeMap<>();
    for (Row r : rows) {
      total += r.getLong("n");
      degraded += r.getLong("degraded");
      byAction.put(r.getString("action"), r.getLong("n"));
    }
    return new Stats(total, degraded, byAction);
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static <T> T await(Future<T> f) throws Exception {
    return await(f, 600);
  }

  private static <T> T await(Future<T> f, long seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
