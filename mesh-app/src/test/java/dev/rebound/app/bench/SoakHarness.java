package dev.rebound.app.bench;

import dev.rebound.app.bench.HeapSamples.Sample;
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
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 10 §5's soak (not a test): {@code rebound run} in this JVM (ledger, analyzer, retry service, notifier on
 * one local event bus) on a fresh database, fed failures at {@code --rate} per second (open loop, on a 1 ms
 * schedule) for {@code --minutes}, while the heap after a full GC and the process's RSS are sampled every
 * {@code --sample} seconds.
 *
 * <p>A feeder keeps a stock of claimed tasks: it enqueues tasks in batches of 500 over {@code --stages} stages (their
 * circuits off, so that a storm of timeouts does not pause them) and claims them 500 at a time; tasks retried by the
 * retry service come back due ({@code retry.time-scale} 0.01) and are claimed and failed again until their policy
 * dead-letters them, which raises alerts — every path of the failure flow is exercised. 90 % of the failures are a
 * transient read timeout, 10 % a permanent 401. A failure counts as decided when the ledger publishes the retry
 * service's transition of its task; latency runs from the failure's scheduled time. When the feeder has no claimed
 * task at a failure's time, that failure is skipped and counted ("starved").
 *
 * <p>Per minute: failures sent, decided, starved, latency percentiles, mean heap after GC and RSS. At the end:
 * memory flat or not (the last minute's mean heap after GC against the first minute's, and the least-squares slope
 * over the run after its first minute).
 *
 * <pre>
 * java -Xmx1g -cp mesh-app/target/test-classes:mesh-app/target/classes:$(cat mesh-app/cp.txt) \
 *   dev.rebound.app.bench.SoakHarness --minutes 10 --rate 1000
 * </pre>
 */
public final class SoakHarness {
  private static final String DECIDED_BY = "retry-service";
  private static final int BATCH = 500;

  private final Map<String, String> opts;
  private Vertx vertx;
  private LedgerClient ledger;
  private final ArrayDeque<TaskView> stock = new ArrayDeque<>();
  private final Map<UUID, Long> pending = new ConcurrentHashMap<>();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger starved = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger decided = new AtomicInteger();
  private final AtomicInteger undecided = new AtomicInteger();
  private final AtomicLong enqueued = new AtomicLong();
  private volatile long[] minuteLatencies = new long[0];
  private final AtomicInteger minuteDecided = new AtomicInteger();
  private boolean enqueueing;
  private boolean claiming;
  private int nextStage;
  private long backlog;

  private SoakHarness(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    new SoakHarness(opts).run();
    System.exit(0);
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, String.valueOf(def)));
  }

  private void run() throws Exception {
    int minutes = opt("minutes", 10);
    int rate = opt("rate", 1_000);
    int stages = opt("stages", 4);
    int sampleSeconds = opt("sample", 5);
    Vertx admin = Vertx.vertx();
    TestDatabase db = await(TestDatabase.create(admin, "soak"));
    ReboundRun run = null;
    try {
      Path yaml = Files.createTempFile("rebound-soak", ".yaml");
      StringBuilder circuits = new StringBuilder();
      for (int s = 0; s < stages; s++) {
        circuits.append("      \"stage:soak-").append(s).append("\": {enabled: false}\n");
      }
      Files.writeString(yaml, """
          retry:
            budgets:
              stage: {min-retries-per-second: 100000}
              global: {min-retries-per-second: 100000}
            circuits:
              names:
          %s""".formatted(circuits), StandardCharsets.UTF_8);
      Map<String, String> o = new HashMap<>(db.settingsOverrides());
      String password = db.options().getPassword();
      if (password != null && !password.isEmpty()) {
        o.put("pg.password", password);
      }
      o.put("run.host", "127.0.0.1");
      o.put("run.port", "0");
      o.put("shutdown.timeout", "5s");
      o.put("retry.time-scale", "0.01");
      Settings settings = Settings.load(Map.of(), Optional.of(yaml)).withOverrides(o);
      run = ReboundRun.start(settings, ReboundRun.SERVICES, PostgresProvisioner.system());
      vertx = run.runningService().vertx();
      ledger = new LedgerClient(vertx, 60_000);
      MessageConsumer<JsonObject> events = vertx.eventBus().consumer(Addresses.EVENTS_TASKS, m -> decided(m.body()));
      await(events.completion());
      System.out.printf("machine: %d cores, JDK %s, max heap %d MB; loadavg before: %s; minutes=%d rate=%d stages=%d%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
          Runtime.getRuntime().maxMemory() >> 20, HostileInputHarness.loadavg(), minutes, rate, stages);
      soak(minutes, rate, stages, sampleSeconds);
      await(events.unregister());
    } finally {
      if (run != null) {
        run.stop();
      }
      await(db.drop(admin));
      await(admin.close());
    }
  }

  private void soak(int minutes, int rate, int stages, int sampleSeconds) throws Exception {
    long start = System.nanoTime();
    long end = start + TimeUnit.MINUTES.toNanos(minutes);
    double perNano = rate / 1e9;
    long[] scheduled = {0};
    minuteLatencies = new long[rate * 90];
    vertx.runOnContext(v -> {
      vertx.setPeriodic(20, id -> feed(stages, rate));
      // a failure not decided within a minute is counted and forgotten: the harness's own memory stays bounded
      vertx.setPeriodic(5_000, id -> pending.entrySet().removeIf(e -> {
        boolean stale = System.nanoTime() - e.getValue() > TimeUnit.SECONDS.toNanos(60);
        if (stale) {
          undecided.incrementAndGet();
        }
        return stale;
      }));
      vertx.setPeriodic(1, id -> {
        long now = System.nanoTime();
        if (now >= end) {
          vertx.cancelTimer(id);
          return;
        }
        long due = (long) Math.floor((now - start) * perNano) + 1;
        while (scheduled[0] < due) {
          long at = start + (long) (scheduled[0] / perNano);
          scheduled[0]++;
          TaskView t = stock.poll();
          if (t == null) {
            starved.incrementAndGet();
          } else {
            report(t, at);
          }
        }
      });
    });
    List<Sample> samples = new ArrayList<>();
    List<String> minuteLines = new ArrayList<>();
    int lastSent = 0;
    int lastStarved = 0;
    int minute = 0;
    long nextMinute = start + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < end) {
      Thread.sleep(sampleSeconds * 1000L);
      samples.add(sample(start));
      if (System.nanoTime() >= nextMinute || System.nanoTime() >= end) {
        minute++;
        nextMinute += TimeUnit.MINUTES.toNanos(1);
        long[] lat = minuteLatencies;
        int n = Math.min(minuteDecided.getAndSet(0), lat.length);
        minuteLatencies = new long[rate * 90];
        long[] sorted = Arrays.copyOf(lat, n);
        Arrays.sort(sorted);
        int s = sent.get();
        int st = starved.get();
        double from = (minute - 1) * 60.0;
        double to = minute * 60.0;
        List<Sample> inMinute = samples.stream().filter(x -> x.atSeconds() > from && x.atSeconds() <= to + 1).toList();
        String line = String.format("minute %2d: sent %6d, decided %6d (%.0f/s), starved %5d; latency p50 %.0f ms, p95 %.0f ms,"
                + " p99 %.0f ms, max %.0f ms; heap after GC %.0f MB, RSS %.0f MB; loadavg %s", minute, s - lastSent, n, n / 60.0,
            st - lastStarved, HeapSamples.pct(sorted, 0.5), HeapSamples.pct(sorted, 0.95), HeapSamples.pct(sorted, 0.99),
            sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6,
            inMinute.stream().mapToLong(Sample::heapAfterGcMb).average().orElse(0),
            inMinute.stream().mapToLong(Sample::rssMb).average().orElse(0), HostileInputHarness.loadavg());
        System.out.println(line);
        minuteLines.add(line);
        lastSent = s;
        lastStarved = st;
      }
    }
    Thread.sleep(5_000);
    double seconds = minutes * 60.0;
    List<Sample> first = samples.stream().filter(x -> x.atSeconds() <= 60).toList();
    List<Sample> last = samples.stream().filter(x -> x.atSeconds() > seconds - 60).toList();
    double firstHeap = first.stream().mapToLong(Sample::heapAfterGcMb).average().orElse(0);
    double lastHeap = last.stream().mapToLong(Sample::heapAfterGcMb).average().orElse(0);
    double firstRss = first.stream().mapToLong(Sample::rssMb).average().orElse(0);
    double lastRss = last.stream().mapToLong(Sample::rssMb).average().orElse(0);
    double slope = HeapSamples.slope(samples.stream().filter(x -> x.atSeconds() > 60).toList());
    boolean flat = lastHeap <= firstHeap * 1.10 + 16;
    System.out.printf("--- soak: %d min at %d failures/s: sent %d (starved %d: no claimed task ready), refused %d,"
            + " decided %d = %.0f/s over the run, not decided within 60 s %d%n", minutes, rate, sent.get(), starved.get(),
        refused.get(), decided.get(), decided.get() / seconds, undecided.get());
    System.out.printf("  heap after GC: first minute %.0f MB, last minute %.0f MB, slope after the first minute %.2f MB/min"
            + " → %s; RSS first minute %.0f MB, last minute %.0f MB; tasks enqueued %d; loadavg after %s%n", firstHeap,
        lastHeap, slope, flat ? "flat" : "GROWING", firstRss, lastRss, enqueued.get(), HostileInputHarness.loadavg());
    System.out.println("  samples (s: heap MB/RSS MB): " + samples.stream().map(x -> String.format("%.0f:%d/%d",
        x.atSeconds(), x.heapAfterGcMb(), x.rssMb())).toList());
  }

  /** Keeps a stock of claimed tasks of about a fifth of a second of failures, and a backlog of queued tasks. */
  private void feed(int stages, int rate) {
    if (!enqueueing && backlog < 4 * BATCH) {
      enqueueing = true;
      List<EnqueueRequest> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        long n = enqueued.getAndIncrement();
        batch.add(EnqueueRequest.builder("soak-" + (n % stages)).agent("soak-agent-" + (n % 3))
            .payload(new JsonObject().put("n", n)).build());
      }
      backlog += BATCH;
      ledger.enqueueAll(batch).onComplete(ar -> {
        enqueueing = false;
        if (ar.failed()) {
          backlog -= BATCH;
          System.err.println("enqueue batch failed: " + ar.cause());
        }
      });
    }
    if (!claiming && stock.size() < Math.max(BATCH, rate / 5)) {
      claiming = true;
      String stage = "soak-" + (nextStage++ % stages);
      ledger.claim(ClaimRequest.builder("soak").stage(stage).limit(BATCH).leaseMs(600_000).waitMs(0).build())
          .onComplete(ar -> {
            claiming = false;
            if (ar.succeeded()) {
              for (TaskView t : ar.result()) {
                if (t.attempt() == 1) {
                  backlog--;
                }
                stock.add(t);
              }
            } else {
              System.err.println("claim failed: " + ar.cause());
            }
          });
    }
  }

  private void report(TaskView t, long from) {
    boolean permanent = Math.floorMod(t.id().hashCode(), 10) == 0;
    FailureEvent.Builder f = FailureEvent.builder().taskId(t.id()).attempt(t.attempt()).leaseToken(t.leaseToken())
        .stage(t.stage()).source("soak-worker");
    if (permanent) {
      f.errorType("HttpError").message("HttpError: Bad credentials").httpStatus(401);
    } else {
      f.errorType("java.net.SocketTimeoutException").message("java.net.SocketTimeoutException: Read timed out");
    }
    sent.incrementAndGet();
    pending.put(t.id(), from);
    ledger.fail(f.build()).onFailure(e -> {
      if (pending.remove(t.id()) != null) {
        refused.incrementAndGet();
      }
    });
  }

  private void decided(JsonObject transition) {
    if (!DECIDED_BY.equals(transition.getString("actor"))) {
      return;
    }
    Long from = pending.remove(UUID.fromString(transition.getString("taskId")));
    if (from == null) {
      return;
    }
    decided.incrementAndGet();
    long[] lat = minuteLatencies;
    int k = minuteDecided.getAndIncrement();
    if (k < lat.length) {
      lat[k] = System.nanoTime() - from;
    }
  }

  private static Sample sample(long start) throws java.io.IOException {
    return new Sample((System.nanoTime() - start) / 1e9,
        HeapSamples.heapAfterFullGcMb(ManagementFactory.getPlatformMBeanServer()), HeapSamples.rssMb("self"));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
  }
}
