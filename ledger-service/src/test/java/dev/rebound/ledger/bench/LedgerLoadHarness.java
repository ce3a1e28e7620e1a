package dev.rebound.ledger.bench;

import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.ledger.LedgerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
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
 * Load harness for the ledger (not a test): full lifecycles enqueue → claim (batches) → complete,
 * through the event-bus API or HTTP, then the claim wake-up latency of long-polling claimers.
 * Starts a real ledger in this JVM on a fresh database of the local PostgreSQL.
 *
 * <pre>
 * mvn -q -pl ledger-service -am install -DskipTests
 * mvn -q -pl ledger-service test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.rebound.ledger.bench.LedgerLoadHarness -Dexec.args="--mode eventbus --tasks 50000"
 * </pre>
 * Options: --scenarios (comma-separated, default
 * {@code dbscheduler,single,eventbus:8,eventbus:512,http:8,http-batch:8,dbscheduler}: db-scheduler's
 * baseline, one request at a time, then {@code mode:producers}; modes eventbus, http (one task per
 * request), http-batch (100 tasks per enqueue, one complete request per claim)), or --mode M
 * --producers N for one; --tasks N, --workers N (claim loops; db-scheduler's executor threads),
 * --batch N (claim limit; 50 over HTTP, else 100), --singles N, --wakeups N (0 to skip).
 */
public final class LedgerLoadHarness {
  private final Map<String, String> opts;
  private Vertx vertx;
  private LedgerClient client;
  private WebClient http;
  private int port;

  private LedgerLoadHarness(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    new LedgerLoadHarness(opts).run();
    System.exit(0);
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, String.valueOf(def)));
  }

  private void run() throws Exception {
    int tasks = opt("tasks", 50_000);
    int workers = opt("workers", 8);
    int wakeups = opt("wakeups", 300);
    // default: the comparison of issue 12, db-scheduler first and last to bracket the noise of the shared machine
    String scenarios = opts.getOrDefault("scenarios", opts.containsKey("mode")
        ? opts.get("mode") + ":" + opt("producers", 512)
        : "dbscheduler,single,eventbus:8,eventbus:512,http:8,http-batch:8,dbscheduler");
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    TestDatabase db = await(TestDatabase.create(vertx, "bench"));
    try {
      Map<String, String> o = new HashMap<>(db.settingsOverrides());
      o.put("http.port", "0");
      o.put("pg.pool-size", opts.getOrDefault("pool", "8"));
      Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(o);
      LedgerVerticle ledger = new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
      await(vertx.deployVerticle(ledger));
      port = ledger.actualPort();
      client = new LedgerClient(vertx, 60_000);
      http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
      System.out.printf("machine: %d cores, %s, JDK %s; tasks=%d workers=%d; load average at start: %s%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("java.version"),
          tasks, workers, loadAverage());
      Set<String> warmed = new HashSet<>();
      for (String scenario : scenarios.split(",")) {
        String[] parts = scenario.trim().split(":");
        String mode = parts[0];
        int producers = parts.length > 1 ? Integer.parseInt(parts[1]) : 8;
        if ("dbscheduler".equals(mode)) {
          DbSchedulerLifecycles.run(db.options(), "run" + UUID.randomUUID().toString().substring(0, 6), tasks, producers, workers);
        } else if ("single".equals(mode)) {
          singleRequests(opt("singles", 2_000));
        } else {
          int batch = opt("batch", "http".equals(mode) ? 50 : 100);
          if (warmed.add(mode)) {
            // warm-up: JIT, prepared statements, connections
            lifecycles(mode, "warmup", Math.min(5_000, tasks), Math.max(8, producers), workers, batch);
          }
          lifecycles(mode, "measured", tasks, producers, workers, batch);
        }
        System.out.printf("  (load average: %s)%n", loadAverage());
      }
      if (wakeups > 0) {
        wakeupLatency("eventbus", wakeups);
        wakeupLatency("http", wakeups);
      }
      await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
    } finally {
      await(db.drop(vertx));
      await(vertx.close());
    }
  }

  private static String loadAverage() {
    try {
      return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * The cost of one request with nothing else in flight: sequential enqueues over HTTP and the
   * event bus, then sequential claim(1) + complete, each timed from send to answer.
   */
  private void singleRequests(int n) throws Exception {
    String stage = "single-" + UUID.randomUUID().toString().substring(0, 6);
    for (String mode : List.of("http", "eventbus")) {
      for (int round = 0; round < 2; round++) {  // the first round warms up
        long[] enq = new long[n];
        long[] claim = new long[n];
        long[] complete = new long[n];
        for (int i = 0; i < n; i++) {
          EnqueueRequest task = EnqueueRequest.builder(stage).payload(new JsonObject().put("i", i)).build();
          long t0 = System.nanoTime();
          await("http".equals(mode)
              ? http.post(port, "127.0.0.1", "/v1/tasks").sendJsonObject(task.toJson()).map(r -> r.bodyAsJsonObject())
              : client.enqueue(task));
          enq[i] = System.nanoTime() - t0;
        }
        for (int i = 0; i < n; i++) {
          ClaimRequest req = ClaimRequest.builder("single").stage(stage).limit(1).build();
          long t0 = System.nanoTime();
          JsonObject t = await("http".equals(mode)
              ? http.post(port, "127.0.0.1", "/v1/tasks/claim").sendJsonObject(req.toJson())
                  .map(r -> r.bodyAsJsonObject().getJsonArray("tasks").getJsonObject(0))
              : client.claim(req).map(l -> new JsonObject().put("id", l.get(0).id().toString())
                  .put("leaseToken", l.get(0).leaseToken().toString())));
          claim[i] = System.nanoTime() - t0;
          t0 = System.nanoTime();
          await("http".equals(mode)
              ? http.post(port, "127.0.0.1", "/v1/tasks/" + t.getString("id") + "/complete")
                  .sendJsonObject(new JsonObject().put("leaseToken", t.getString("leaseToken"))).mapEmpty()
              : client.complete(CompleteRequest.of(UUID.fromString(t.getString("id")),
                  UUID.fromString(t.getString("leaseToken")), null)).mapEmpty());
          complete[i] = System.nanoTime() - t0;
        }
        if (round == 1) {
          System.out.printf("one request at a time, %s (%d each): enqueue %s; claim(1) %s; complete %s%n", mode, n,
              summary(enq), summary(claim), summary(complete));
        }
      }
    }
  }

  private static String summary(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format("mean %.2f ms, p50 %.2f ms, p99 %.2f ms", Arrays.stream(sorted).average().orElse(0) / 1e6,
        pct(sorted, 0.5) / 1e6, pct(sorted, 0.99) / 1e6);
  }

  /** Enqueue N tasks with a window of in-flight requests while workers claim and complete them. */
  private void lifecycles(String mode, String label, int n, int producers, int workers, int batch) throws Exception {
    String stage = "bench-" + label + "-" + UUID.randomUUID().toString().substring(0, 6);
    Map<String, Long> enqueuedAt = new ConcurrentHashMap<>(n * 2);
    long[] latencies = new long[n];
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    Promise<Void> allDone = Promise.promise();
    long start = System.nanoTime();
    vertx.runOnContext(v -> {
      for (int p = 0; p < producers; p++) {
        produce(mode, stage, n, sent, enqueuedAt);
      }
      for (int w = 0; w < workers; w++) {
        work(mode, stage, "w" + w, batch, n, completed, enqueuedAt, latencies, allDone, start);
      }
    });
    await(allDone.future());
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] lat = Arrays.copyOf(latencies, completed.get());
    Arrays.sort(lat);
    System.out.printf("%s %s: %d lifecycles in %.2f s = %.0f lifecycles/s; lifecycle latency p50 %.1f ms, p99 %.1f ms%n",
        mode, label, n, seconds, n / seconds, pct(lat, 0.50) / 1e6, pct(lat, 0.99) / 1e6);
  }

  private void produce(String mode, String stage, int n, AtomicInteger sent, Map<String, Long> enqueuedAt) {
    int i = sent.getAndIncrement();
    if (i >= n) {
      return;
    }
    long t0 = System.nanoTime();
    if ("http-batch".equals(mode)) {
      // a request of up to 100 tasks: this one and the next 99
      JsonArray tasks = new JsonArray().add(EnqueueRequest.builder(stage).payload(new JsonObject().put("i", i)).build().toJson());
      while (tasks.size() < 100) {
        int j = sent.getAndIncrement();
        if (j >= n) {
          break;
        }
        tasks.add(EnqueueRequest.builder(stage).payload(new JsonObject().put("i", j)).build().toJson());
      }
      http.post(port, "127.0.0.1", "/v1/tasks/batch").putHeader("Content-Type", "application/json").sendBuffer(tasks.toBuffer()).onSuccess(r -> {
        if (r.statusCode() != 200 && r.statusCode() != 201) {
          throw new IllegalStateException("batch enqueue answered " + r.statusCode() + ": " + r.bodyAsString());
        }
        for (Object item : r.bodyAsJsonObject().getJsonArray("items")) {
          enqueuedAt.put(((JsonObject) item).getJsonObject("task").getString("id"), t0);
        }
        produce(mode, stage, n, sent, enqueuedAt);
      }).onFailure(t -> System.err.println("batch enqueue failed: " + t.getMessage()));
      return;
    }
    EnqueueRequest task = EnqueueRequest.builder(stage).payload(new JsonObject().put("i", i)).build();
    Future<JsonObject> f = "http".equals(mode)
        ? http.post(port, "127.0.0.1", "/v1/tasks").sendJsonObject(task.toJson()).map(r -> r.bodyAsJsonObject())
        : client.enqueue(task);
    f.onSuccess(r -> {
      enqueuedAt.put(r.getJsonObject("task").getString("id"), t0);
      produce(mode, stage, n, sent, enqueuedAt);
    }).onFailure(t -> {
      System.err.println("enqueue failed: " + t.getMessage());
      sent.decrementAndGet();
      produce(mode, stage, n, sent, enqueuedAt);
    });
  }

  private void work(String mode, String stage, String worker, int batch, int n, AtomicInteger completed,
                    Map<String, Long> enqueuedAt, long[] latencies, Promise<Void> allDone, long start) {
    if (completed.get() >= n) {
      allDone.tryComplete();
      return;
    }
    ClaimRequest req = ClaimRequest.builder(worker).stage(stage).limit(batch).waitMs(1000).build();
    Future<List<JsonObject>> claimed = mode.startsWith("http")
        ? http.post(port, "127.0.0.1", "/v1/tasks/claim").sendJsonObject(req.toJson())
            .map(r -> r.bodyAsJsonObject().getJsonArray("tasks").stream().map(o -> (JsonObject) o).toList())
        : client.claim(req).map(list -> list.stream().map(t -> new JsonObject().put("id", t.id().toString())
            .put("leaseToken", t.leaseToken().toString())).toList());
    claimed.compose(tasks -> {
      if ("http-batch".equals(mode)) {
        if (tasks.isEmpty()) {
          return Future.succeededFuture();
        }
        JsonArray completions = new JsonArray();
        tasks.forEach(t -> completions.add(new JsonObject().put("id", t.getString("id")).put("leaseToken", t.getString("leaseToken"))));
        return http.post(port, "127.0.0.1", "/v1/tasks/complete").putHeader("Content-Type", "application/json").sendBuffer(completions.toBuffer()).map(r -> {
          for (Object item : r.bodyAsJsonObject().getJsonArray("items")) {
            JsonObject answer = (JsonObject) item;
            if (answer.getInteger("status") == 200) {
              Long t0 = enqueuedAt.get(answer.getString("id"));
              int k = completed.getAndIncrement();
              if (k < latencies.length) {
                latencies[k] = System.nanoTime() - (t0 == null ? start : t0);
              }
            }
          }
          return null;
        });
      }
      List<Future<?>> done = new ArrayList<>(tasks.size());
      for (JsonObject t : tasks) {
        String id = t.getString("id");
        UUID token = UUID.fromString(t.getString("leaseToken"));
        Future<?> c = "http".equals(mode)
            ? http.post(port, "127.0.0.1", "/v1/tasks/" + id + "/complete")
                .sendJsonObject(new JsonObject().put("leaseToken", token.toString()))
                .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(r) : Future.failedFuture(r.bodyAsString()))
            : client.complete(CompleteRequest.of(UUID.fromString(id), token, null));
        done.add(c.onSuccess(x -> {
          Long t0 = enqueuedAt.get(id);
          int k = completed.getAndIncrement();
          if (k < latencies.length) {
            latencies[k] = System.nanoTime() - (t0 == null ? start : t0);
          }
        }));
      }
      return Future.all(done);
    }).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("worker " + worker + ": " + ar.cause().getMessage());
      }
      work(mode, stage, worker, batch, n, completed, enqueuedAt, latencies, allDone, start);
    });
  }

  /**
   * An idle claimer long-polls a stage; a task is enqueued; the wake-up latency is the time from
   * sending the enqueue to the claim's reply (so it includes the enqueue's own commit).
   */
  private void wakeupLatency(String mode, int samples) throws Exception {
    String stage = "wake-" + UUID.randomUUID().toString().substring(0, 6);
    long[] lat = new long[samples];
    for (int i = 0; i < samples; i++) {
      Promise<Long> claimedAt = Promise.promise();
      ClaimRequest req = ClaimRequest.builder("waiter").stage(stage).limit(1).waitMs(10_000).build();
      Future<JsonArray> claim = "http".equals(mode)
          ? http.post(port, "127.0.0.1", "/v1/tasks/claim").sendJsonObject(req.toJson()).map(r -> r.bodyAsJsonObject().getJsonArray("tasks"))
          : client.claim(req).map(l -> new JsonArray(new ArrayList<>(l)));
      claim.onSuccess(t -> claimedAt.complete(System.nanoTime()));
      Thread.sleep(20);  // the claim is parked and waiting
      EnqueueRequest task = EnqueueRequest.builder(stage).build();
      long sent = System.nanoTime();
      await("http".equals(mode)
          ? http.post(port, "127.0.0.1", "/v1/tasks").sendJsonObject(task.toJson()).mapEmpty()
          : client.enqueue(task).mapEmpty());
      long got = await(claimedAt.future());
      // from the enqueue request (not its acknowledgement) to the claim's reply: never negative
      lat[i] = got - sent;
    }
    Arrays.sort(lat);
    System.out.printf("%s claim wake-up from enqueue request to claim reply: %d samples, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", mode, samples,
        pct(lat, 0.5) / 1e6, pct(lat, 0.99) / 1e6, lat[lat.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
