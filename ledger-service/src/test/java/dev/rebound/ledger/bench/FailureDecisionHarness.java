package dev.rebound.ledger.bench;

import dev.rebound.common.Addresses;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.ledger.LedgerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Load harness for the ledger's half of the failure flow (not a test): N claimed tasks each report a
 * failure ({@code rebound.failures}), then each failed attempt gets a decision
 * ({@code rebound.ledger.decide}, 90 % PARK, 10 % RETRY), W requests in flight (closed loop), through
 * the event bus, against a real ledger in this JVM on a fresh database. A fake analyzer acknowledges
 * the outbox's sends. The analyzer and retry service are left out on purpose: this measures what the
 * ledger alone sustains.
 *
 * <pre>
 * mvn -B -q -o -pl ledger-service -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp ledger-service/target/test-classes:ledger-service/target/classes:$(cat ledger-service/cp.txt) \
 *   dev.rebound.ledger.bench.FailureDecisionHarness --tasks 20000 --inflight 256
 * </pre>
 * Options: --tasks N, --inflight W, --warmup N (2,000), --pool N (PostgreSQL connections, 8).
 */
public final class FailureDecisionHarness {
  private final Map<String, String> opts;
  private Vertx vertx;
  private LedgerClient client;

  private FailureDecisionHarness(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    new FailureDecisionHarness(opts).run();
    System.exit(0);
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, String.valueOf(def)));
  }

  private void run() throws Exception {
    int tasks = opt("tasks", 20_000);
    int inflight = opt("inflight", 256);
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    TestDatabase db = await(TestDatabase.create(vertx, "fdbench"));
    try {
      Map<String, String> o = new HashMap<>(db.settingsOverrides());
      o.put("http.enabled", "false");
      o.put("pg.pool-size", opts.getOrDefault("pool", "8"));
      Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(o);
      await(vertx.deployVerticle(new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(),
          Clock.systemUTC())));
      await(vertx.eventBus().<JsonObject>consumer(Addresses.ANALYZER_FAILURES,
          m -> m.reply(new JsonObject().put("received", true))).completion());
      client = new LedgerClient(vertx, 120_000);
      System.out.printf("machine: %d cores, JDK %s; loadavg before: %s; tasks=%d inflight=%d%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadavg(), tasks, inflight);
      phase("warmup", opt("warmup", 2_000), inflight);
      phase("measured", tasks, inflight);
    } finally {
      await(db.drop(vertx));
      await(vertx.close());
    }
  }

  private void phase(String label, int n, int inflight) throws Exception {
    String stage = "fd-" + label + "-" + UUID.randomUUID().toString().substring(0, 6);
    closedLoop(n, inflight, i -> client.enqueue(EnqueueRequest.builder(stage).agent("agent-" + (i % 3)).build())
        .mapEmpty());
    List<TaskView> claimed = new ArrayList<>(n);
    while (claimed.size() < n) {
      claimed.addAll(await(client.claim(ClaimRequest.builder("w").stage(stage).limit(500).build())));
    }
    String load = loadavg();
    double failures = closedLoop(n, inflight, i -> {
      TaskView t = claimed.get(i);
      return client.fail(FailureEvent.builder().taskId(t.id()).attempt(t.attempt()).leaseToken(t.leaseToken())
          .source("bench").message("java.net.SocketTimeoutException: Read timed out").build()).mapEmpty();
    });
    Instant runAt = Instant.now().plusSeconds(3600);
    double decisions = closedLoop(n, inflight, i -> {
      TaskView t = claimed.get(i);
      Decision d = i % 10 == 0 ? new Decision(t.id(), t.attempt(), DecisionAction.RETRY, runAt, "transient", "retry-service")
          : new Decision(t.id(), t.attempt(), DecisionAction.PARK, null, "circuit open", "retry-service");
      return client.decide(d).mapEmpty();
    });
    System.out.printf("%s (loadavg before %s): %d failures recorded at %.0f/s; %d decisions applied at %.0f/s%n",
        label, load, n, failures, n, decisions);
  }

  /** Runs {@code call(0..n-1)} with {@code inflight} outstanding; returns calls per second. */
  private double closedLoop(int n, int inflight, IntFunction<Future<Void>> call) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Promise<Void> all = Promise.promise();
    long start = System.nanoTime();
    vertx.runOnContext(v -> {
      for (int k = 0; k < Math.min(inflight, n); k++) {
        step(n, call, next, done, failed, all);
      }
    });
    await(all.future());
    double seconds = (System.nanoTime() - start) / 1e9;
    if (failed.get() > 0) {
      System.out.printf("  %d of %d calls failed%n", failed.get(), n);
    }
    return n / seconds;
  }

  private void step(int n, IntFunction<Future<Void>> call, AtomicInteger next, AtomicInteger done,
                    AtomicInteger failed, Promise<Void> all) {
    int i = next.getAndIncrement();
    if (i >= n) {
      return;
    }
    call.apply(i).onComplete(ar -> {
      if (ar.failed()) {
        failed.incrementAndGet();
      }
      if (done.incrementAndGet() == n) {
        all.complete();
      } else {
        step(n, call, next, done, failed, all);
      }
    });
  }

  private static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "?";
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
