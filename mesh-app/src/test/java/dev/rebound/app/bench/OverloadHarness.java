package dev.rebound.app.bench;

import dev.rebound.app.bench.HeapSamples.Sample;
import dev.rebound.app.process.BoundedWait;
import dev.rebound.app.process.ServiceProcess;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;

/**
 * Issue 10 §4's overload run (not a test): "a load at twice the sustainable rate → 429s, no crash, accepted requests'
 * p99 bounded, heap flat".
 *
 * <p>The ledger ({@code LedgerMain}) runs in a JVM of its own ({@link ServiceProcess}, {@code -Xmx} fixed by
 * {@code --xmx}, serial GC, full JIT) on a fresh database, with its default bounds. The generator is this JVM, on its
 * own event loops ({@code --lanes}); each lane owns its connections. The mix: {@code POST /v1/tasks} (an enqueue), and
 * {@code --failures} percent {@code POST /v1/failures} (a free-standing failure report).
 *
 * <ol>
 *   <li>The sustainable rate: closed loops of {@code --probe} clients (comma-separated; each client one connection,
 *   sending its next request when the last is answered) for {@code --probe-seconds} each after 2 s of warm-up; the
 *   highest rate of 2xx answers is the sustainable rate (or {@code --rate}, which skips the probe).</li>
 *   <li>An open loop at {@code --factor} (2) times that rate for {@code --seconds}: requests are due on a fixed
 *   schedule, whatever the answers; a due request takes an idle connection, or opens a new one while fewer than
 *   {@code --max-connections} are open, or is dropped and counted as a <em>client-side drop</em> — nothing waits in
 *   the generator. Latency runs from the request's scheduled time; the generator's own lag (scheduled time to the
 *   moment it dispatched the request) is reported, to show it was not the bottleneck.</li>
 * </ol>
 *
 * <p>Every {@code --sample} seconds the harness forces a full GC in the ledger's JVM (over JMX, through the attach API)
 * and records the heap that collection left and the process's RSS. Every {@code --window} seconds: sent, 2xx, 429
 * (with and without {@code Retry-After}), other statuses, errors and timeouts, client-side drops, p50/p99 of the 2xx,
 * p99 of the 429s, connections open, the heap. At the end: the totals, whether the ledger process is alive, and
 * {@code /health/ready} after the load. Exits 1 when the process died, readiness is not UP, no 429 came, a 429 lacked
 * {@code Retry-After}, or the heap after GC grew (last third of the run against the first sample after the ramp, by
 * more than 10 % + 16 MB).
 *
 * <pre>
 * mvn -B -q -o -pl mesh-app -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp mesh-app/target/test-classes:mesh-app/target/classes:$(cat mesh-app/cp.txt) \
 *   dev.rebound.app.bench.OverloadHarness --seconds 60 --factor 2 --probe 64,512
 * </pre>
 * The ledger's output: {@code mesh-app/target/process-logs/OverloadHarness-ledger.log}.
 */
public final class OverloadHarness {
  private static final Path LOGS = Path.of("mesh-app", "target", "process-logs");
  private static final Duration LIMIT = Duration.ofSeconds(120);

  private final Map<String, String> opts;

  private OverloadHarness(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int problems = new OverloadHarness(opts).run();
    System.exit(problems == 0 ? 0 : 1);
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, String.valueOf(def)));
  }

  private int run() throws Exception {
    int seconds = opt("seconds", 60);
    double factor = Double.parseDouble(opts.getOrDefault("factor", "2"));
    int lanes = opt("lanes", 2);
    int maxConnections = opt("max-connections", 16_000);
    int failures = opt("failures", 20);
    int probeSeconds = opt("probe-seconds", 10);
    int sampleSeconds = opt("sample", 5);
    int windowSeconds = opt("window", 10);
    int timeoutSeconds = opt("timeout", 30);
    String xmx = opts.getOrDefault("xmx", "256m");
    List<Integer> probe = Arrays.stream(opts.getOrDefault("probe", "64,512").split(",")).map(String::trim)
        .map(Integer::parseInt).toList();
    System.out.printf("machine: %d cores, JDK %s; loadavg before: %s; seconds=%d factor=%.1f lanes=%d max-connections=%d"
            + " failures=%d%% ledger -Xmx%s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        HostileInputHarness.loadavg(), seconds, factor, lanes, maxConnections, failures, xmx);

    Vertx admin = Vertx.vertx();
    TestDatabase db = BoundedWait.await(TestDatabase.create(admin, "overload"), LIMIT, "creating the database");
    ServiceProcess ledger = null;
    Vertx generator = null;
    JMXConnector jmx = null;
    try {
      Map<String, String> settings = new HashMap<>(db.settingsOverrides());
      String password = db.options().getPassword();
      if (password != null && !password.isEmpty()) {
        settings.put("pg.password", password);
      }
      settings.put("ledger.retention-sweep-interval", "1h");
      // --set key=value,key=value: the ledger's settings beyond its defaults (its bounds, to compare)
      for (String kv : opts.getOrDefault("set", "").split(",")) {
        if (kv.contains("=")) {
          settings.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
        }
      }
      System.out.println("ledger settings beyond the defaults: " + settings.entrySet().stream()
          .filter(e -> !e.getKey().startsWith("pg.")).toList());
      ledger = ServiceProcess.start("ledger", "dev.rebound.ledger.LedgerMain",
          List.of("-Xmx" + xmx, "-XX:+UseSerialGC"), settings, null, LOGS.resolve("OverloadHarness-ledger.log"));
      WebClient http = WebClient.create(admin);
      ledger.awaitReady(http);
      jmx = HeapSamples.attach(ledger.pid());
      MBeanServerConnection mbs = jmx.getMBeanServerConnection();
      System.out.printf("ledger pid %d on port %d (its JVM: -Xmx%s -XX:+UseSerialGC); heap after GC at start %d MB, RSS %d MB%n",
          ledger.pid(), ledger.port(), xmx, HeapSamples.heapAfterFullGcMb(mbs), HeapSamples.rssMb(Long.toString(ledger.pid())));

      generator = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(lanes)).build();
      List<Lane> all = new ArrayList<>();
      for (int i = 0; i < lanes; i++) {
        Lane lane = new Lane(i, ledger.port(), Math.max(1, maxConnections / lanes), failures, timeoutSeconds * 1000L);
        BoundedWait.await(generator.deployVerticle(lane), LIMIT, "deploying lane " + i);
        all.add(lane);
      }

      double sustainable;
      if (opts.containsKey("rate")) {
        sustainable = Double.parseDouble(opts.get("rate"));
        System.out.printf("sustainable rate given: %.0f/s%n", sustainable);
      } else {
        sustainable = 0;
        for (int clients : probe) {
          double r = closedLoop(all, clients, probeSeconds);
          sustainable = Math.max(sustainable, r);
        }
        System.out.printf("sustainable rate (the best closed loop): %.0f/s%n", sustainable);
      }
      double rate = sustainable * factor;
      long[] gcBefore = HeapSamples.gcCountAndMillis(mbs);
      Overload o = openLoop(all, rate, seconds, sampleSeconds, windowSeconds, mbs, ledger);
      if (ledger.isAlive()) {
        long[] gcAfter = HeapSamples.gcCountAndMillis(mbs);
        System.out.printf("ledger JVM during the open loop: %d collections (%d of them forced by the sampler), %.1f s in GC%n",
            gcAfter[0] - gcBefore[0], o.samples().size(), (gcAfter[1] - gcBefore[1]) / 1e3);
      }
      return verdict(o, ledger, http, mbs, sustainable, rate, seconds);
    } finally {
      if (jmx != null) {
        try {
          jmx.close();
        } catch (Exception e) {
          // the process may be gone
        }
      }
      if (generator != null) {
        BoundedWait.await(generator.close(), LIMIT, "closing the generator");
      }
      if (ledger != null) {
        ledger.killQuietly();
      }
      BoundedWait.await(db.drop(admin), LIMIT, "dropping the database");
      BoundedWait.await(admin.close(), LIMIT, "closing");
    }
  }

  // ------------------------------------------------------------------ the two phases

  private double closedLoop(List<Lane> lanes, int clients, int seconds) {
    for (int i = 0; i < lanes.size(); i++) {
      int mine = clients / lanes.size() + (i < clients % lanes.size() ? 1 : 0);
      Lane lane = lanes.get(i);
      lane.context().runOnContext(v -> lane.startClosed(mine));
    }
    BoundedWait.sleep(2_000);
    snapshot(lanes);
    long t0 = System.nanoTime();
    BoundedWait.sleep(seconds * 1000L);
    Window w = snapshot(lanes);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    for (Lane lane : lanes) {
      lane.context().runOnContext(v -> lane.stopClosed());
    }
    BoundedWait.until("the closed loop's last answers", LIMIT, () -> snapshot(lanes).outstanding == 0, () -> "");
    long[] ok = w.okLatencies.sorted();
    double rate = w.ok / elapsed;
    System.out.printf("closed loop, %d clients, %d s: %.0f 2xx/s; 429 %d, other %s, errors %d, timeouts %d; latency of the 2xx"
            + " p50 %.1f ms, p99 %.1f ms, max %.1f ms; loadavg %s%n", clients, seconds, rate, w.refused, w.other, w.errors,
        w.timeouts, HeapSamples.pct(ok, 0.5), HeapSamples.pct(ok, 0.99), HeapSamples.pct(ok, 1.0), HostileInputHarness.loadavg());
    return rate;
  }

  private record Overload(Window total, List<Sample> samples, List<String> rows, double sentSeconds, double drainSeconds,
                          long outstandingAfterDrain) {
  }

  private Overload openLoop(List<Lane> lanes, double rate, int seconds, int sampleSeconds, int windowSeconds,
      MBeanServerConnection mbs, ServiceProcess ledger) throws Exception {
    System.out.printf("open loop at %.0f/s for %d s; loadavg %s%n", rate, seconds, HostileInputHarness.loadavg());
    System.out.println("  window | sent | 2xx | 429 | other | errors+timeouts | client drops | 2xx p50 / p99 / max ms"
        + " | 429 p99 ms | generator lag max ms | open conns | heap after GC MB | RSS MB | loadavg");
    snapshot(lanes);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    for (Lane lane : lanes) {
      lane.context().runOnContext(v -> lane.startOpen(rate / lanes.size(), start, end));
    }
    Window total = new Window();
    List<Sample> samples = new ArrayList<>();
    List<String> rows = new ArrayList<>();
    long nextSample = start + TimeUnit.SECONDS.toNanos(sampleSeconds);
    long nextWindow = start + TimeUnit.SECONDS.toNanos(windowSeconds);
    Sample lastSample = null;
    while (true) {
      long now = System.nanoTime();
      if (now >= nextSample) {
        lastSample = sample(mbs, ledger, start);
        samples.add(lastSample);
        nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
      }
      if (now >= nextWindow || now >= end) {
        Window w = snapshot(lanes);
        total.merge(w);
        long[] ok = w.okLatencies.sorted();
        long[] refused = w.refusedLatencies.sorted();
        String row = String.format("  %3.0f s | %d | %d | %d | %s | %d+%d | %d | %.0f / %.0f / %.0f | %.0f | %.0f | %d | %s | %s | %s",
            (Math.min(now, end) - start) / 1e9, w.sent, w.ok, w.refused, w.other, w.errors, w.timeouts, w.drops,
            HeapSamples.pct(ok, 0.5), HeapSamples.pct(ok, 0.99), HeapSamples.pct(ok, 1.0), HeapSamples.pct(refused, 0.99),
            w.maxLagNanos / 1e6, w.open, lastSample == null ? "-" : lastSample.heapAfterGcMb(),
            lastSample == null ? "-" : lastSample.rssMb(), HostileInputHarness.loadavg());
        System.out.println(row);
        rows.add(row);
        nextWindow += TimeUnit.SECONDS.toNanos(windowSeconds);
        if (now >= end) {
          break;
        }
      }
      BoundedWait.sleep(Math.max(1, Math.min(nextSample, Math.min(nextWindow, end)) - System.nanoTime()) / 1_000_000 + 1);
    }
    double sentSeconds = (System.nanoTime() - start) / 1e9;
    // the answers still owed: drained, or timed out by the lanes (counted), never left behind silently
    long drainStart = System.nanoTime();
    long drainLimit = drainStart + TimeUnit.SECONDS.toNanos(opt("timeout", 30) + 5L);
    Window last = snapshot(lanes);
    total.merge(last);
    while (last.outstanding > 0 && System.nanoTime() < drainLimit) {
      BoundedWait.sleep(200);
      last = snapshot(lanes);
      total.merge(last);
    }
    double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
    samples.add(sample(mbs, ledger, start));
    return new Overload(total, samples, rows, sentSeconds, drainSeconds, last.outstanding);
  }

  private static Sample sample(MBeanServerConnection mbs, ServiceProcess ledger, long start) {
    long heap;
    try {
      heap = HeapSamples.heapAfterFullGcMb(mbs);
    } catch (Exception e) {
      heap = -1;
    }
    return new Sample((System.nanoTime() - start) / 1e9, heap, HeapSamples.rssMb(Long.toString(ledger.pid())));
  }

  private int verdict(Overload o, ServiceProcess ledger, WebClient http, MBeanServerConnection mbs, double sustainable,
      double rate, int seconds) {
    Window t = o.total();
    long[] ok = t.okLatencies.sorted();
    long[] refused = t.refusedLatencies.sorted();
    boolean alive = ledger.isAlive();
    String ready = alive ? BoundedWait.await(http.get(ledger.port(), "127.0.0.1", "/health/ready").timeout(5_000).send()
        .map(r -> r.statusCode() + " " + r.bodyAsString()).otherwise(e -> "no answer: " + e), LIMIT, "readiness") : "process gone";
    boolean readyUp = ready.startsWith("200");
    List<Sample> s = o.samples();
    // the first sample after the ramp (the first window) against the last third of the run
    List<Sample> steady = s.stream().filter(x -> x.atSeconds() > Math.min(10, seconds / 3.0) && x.heapAfterGcMb() >= 0).toList();
    double firstHeap = steady.isEmpty() ? 0 : steady.get(0).heapAfterGcMb();
    double lastHeap = steady.stream().filter(x -> x.atSeconds() > seconds * 2 / 3.0).mapToLong(Sample::heapAfterGcMb)
        .average().orElse(firstHeap);
    boolean flat = lastHeap <= firstHeap * 1.10 + 16;
    System.out.printf("--- overload: %.0f/s (%.1f x the sustainable %.0f/s) for %d s (sending %.1f s, draining %.1f s)%n",
        rate, rate / sustainable, sustainable, seconds, o.sentSeconds(), o.drainSeconds());
    System.out.printf("  sent %d (%.0f/s); accepted 2xx %d (%.0f/s); refused 429 %d (without Retry-After %d; by %s); other statuses %s;"
            + " errors %d, timeouts %d; client-side drops (no connection under the cap) %d; unanswered after draining %d%n",
        t.sent, t.sent / o.sentSeconds(), t.ok, t.ok / o.sentSeconds(), t.refused, t.refusedWithoutRetryAfter, t.refusedBy, t.other,
        t.errors, t.timeouts, t.drops, o.outstandingAfterDrain());
    System.out.printf("  latency from the scheduled time: 2xx p50 %.0f ms, p99 %.0f ms, max %.0f ms; 429 p50 %.0f ms, p99 %.0f ms;"
            + " generator lag max %.0f ms; connections opened %d%n", HeapSamples.pct(ok, 0.5), HeapSamples.pct(ok, 0.99),
        HeapSamples.pct(ok, 1.0), HeapSamples.pct(refused, 0.5), HeapSamples.pct(refused, 0.99), t.maxLagNanos / 1e6,
        t.connectionsOpened);
    System.out.printf("  heap after GC (MB, every sample): %s; first after the ramp %.0f MB, last third %.0f MB -> %s;"
            + " RSS %s MB%n", s.stream().map(x -> String.format("%.0fs:%d", x.atSeconds(), x.heapAfterGcMb())).toList(),
        firstHeap, lastHeap, flat ? "flat" : "GROWING", s.stream().map(Sample::rssMb).toList());
    System.out.printf("  ledger process alive: %s; /health/ready after the load: %s; loadavg after %s%n", alive,
        ready.length() > 200 ? ready.substring(0, 200) : ready, HostileInputHarness.loadavg());
    int problems = (alive ? 0 : 1) + (readyUp ? 0 : 1) + (t.refused > 0 ? 0 : 1) + (t.refusedWithoutRetryAfter > 0 ? 1 : 0)
        + (flat ? 0 : 1);
    System.out.println(problems == 0 ? "  verdict: refused with 429 + Retry-After, alive and ready, heap flat"
        : "  verdict: " + problems + " problem(s) (see above)");
    return problems;
  }

  private static Window snapshot(List<Lane> lanes) {
    Window w = new Window();
    for (Lane lane : lanes) {
      Promise<Window> p = Promise.promise();
      lane.context().runOnContext(v -> p.complete(lane.take()));
      Window lw = BoundedWait.await(p.future(), LIMIT, "a lane's figures");
      w.merge(lw);
      w.open += lw.open;
      w.outstanding += lw.outstanding;
    }
    return w;
  }

  // ------------------------------------------------------------------ the generator

  /** Nanosecond values, growing. */
  static final class Longs {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    void addAll(Longs other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
    }

    long[] sorted() {
      long[] s = Arrays.copyOf(values, size);
      Arrays.sort(s);
      return s;
    }
  }

  /** What happened in a window (counters), and the gauges at its end (connections open, requests outstanding). */
  static final class Window {
    long sent;
    long ok;
    long refused;
    long refusedWithoutRetryAfter;
    final Map<Integer, Long> other = new TreeMap<>();
    final Map<String, Long> refusedBy = new TreeMap<>();
    long errors;
    long timeouts;
    long drops;
    long connectionsOpened;
    long maxLagNanos;
    final Longs okLatencies = new Longs();
    final Longs refusedLatencies = new Longs();
    /** Gauges, summed over the lanes by a snapshot, not by {@link #merge}. */
    long open;
    long outstanding;

    void merge(Window w) {
      sent += w.sent;
      ok += w.ok;
      refused += w.refused;
      refusedWithoutRetryAfter += w.refusedWithoutRetryAfter;
      w.other.forEach((k, v) -> other.merge(k, v, Long::sum));
      w.refusedBy.forEach((k, v) -> refusedBy.merge(k, v, Long::sum));
      errors += w.errors;
      timeouts += w.timeouts;
      drops += w.drops;
      connectionsOpened += w.connectionsOpened;
      maxLagNanos = Math.max(maxLagNanos, w.maxLagNanos);
      okLatencies.addAll(w.okLatencies);
      refusedLatencies.addAll(w.refusedLatencies);
    }
  }

  /**
   * One event loop of the generator with its own connections (HTTP/1.1 keep-alive, one request at a time on each): a
   * closed loop of clients, or an open loop on a fixed schedule. Confined to its context.
   */
  static final class Lane extends VerticleBase {
    private final int index;
    private final int port;
    private final int maxConnections;
    private final int failuresPercent;
    private final long timeoutMs;
    private final ArrayDeque<HttpClientConnection> idle = new ArrayDeque<>();
    private HttpClientAgent client;
    private Window window = new Window();
    private int open;
    private int outstanding;
    private long sequence;
    private boolean closedLoop;
    private long timer = -1;

    Lane(int index, int port, int maxConnections, int failuresPercent, long timeoutMs) {
      this.index = index;
      this.port = port;
      this.maxConnections = maxConnections;
      this.failuresPercent = failuresPercent;
      this.timeoutMs = timeoutMs;
    }

    io.vertx.core.Context context() {
      return context;
    }

    @Override
    public Future<?> start() {
      client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0).setTcpNoDelay(true));
      return Future.succeededFuture();
    }

    /** This window's figures (the next one starts empty), with the gauges now. */
    Window take() {
      Window w = window;
      window = new Window();
      w.open = open;
      w.outstanding = outstanding;
      return w;
    }

    void startClosed(int clients) {
      closedLoop = true;
      for (int i = 0; i < clients; i++) {
        acquire(System.nanoTime(), true);
      }
    }

    void stopClosed() {
      closedLoop = false;
    }

    /** Requests due at {@code start + k / rate} until {@code end}, dispatched on a 1 ms tick. */
    void startOpen(double rate, long start, long end) {
      double perNano = rate / 1e9;
      long[] scheduled = {0};
      timer = vertx.setPeriodic(1, id -> {
        long now = System.nanoTime();
        long due = (long) Math.floor((Math.min(now, end) - start) * perNano);
        while (scheduled[0] < due) {
          long at = start + (long) (scheduled[0] / perNano);
          scheduled[0]++;
          window.maxLagNanos = Math.max(window.maxLagNanos, now - at);
          acquire(at, false);
        }
        if (now >= end) {
          vertx.cancelTimer(id);
        }
      });
    }

    /** An idle connection, else a new one under the cap, else a client-side drop. */
    private void acquire(long at, boolean closed) {
      HttpClientConnection idleOne = idle.pollFirst();
      if (idleOne != null) {
        send(idleOne, at, closed);
        return;
      }
      if (open >= maxConnections) {
        window.drops++;
        return;
      }
      open++;
      outstanding++;
      window.connectionsOpened++;
      client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port).setConnectTimeout(timeoutMs))
          .onComplete(ar -> {
            outstanding--;
            if (ar.failed()) {
              open--;
              window.sent++;
              window.errors++;
              return;
            }
            HttpClientConnection c = ar.result();
            c.closeHandler(v -> {
              open--;
              idle.remove(c);
            });
            send(c, at, closed);
          });
    }

    private void send(HttpClientConnection c, long at, boolean closed) {
      long n = sequence++;
      boolean failure = n % 100 < failuresPercent;
      String id = index + "-" + n;
      Buffer body = Buffer.buffer(failure
          ? "{\"source\":\"overload\",\"stage\":\"overload-free\",\"errorType\":\"java.io.IOException\","
              + "\"message\":\"connection reset by peer #" + id + "\"}"
          : "{\"stage\":\"overload-" + (n & 3) + "\",\"payload\":{\"n\":\"" + id + "\"}}");
      window.sent++;
      outstanding++;
      c.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(failure ? "/v1/failures" : "/v1/tasks")
              .setIdleTimeout(timeoutMs).putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(body))
          .compose(resp -> resp.body().map(b -> {
            record(resp, b, System.nanoTime() - at);
            return resp;
          }))
          .onComplete(ar -> {
            outstanding--;
            if (ar.succeeded()) {
              if (closed && closedLoop) {
                send(c, System.nanoTime(), true);
              } else {
                idle.addFirst(c);
              }
            } else {
              if (ar.cause() instanceof TimeoutException || String.valueOf(ar.cause().getMessage()).contains("timeout")) {
                window.timeouts++;
              } else {
                window.errors++;
              }
              c.close();
              if (closed && closedLoop) {
                vertx.setTimer(100, t -> acquire(System.nanoTime(), true));
              }
            }
          });
    }

    private void record(HttpClientResponse resp, Buffer body, long latency) {
      int status = resp.statusCode();
      if (status / 100 == 2) {
        window.ok++;
        window.okLatencies.add(latency);
      } else if (status == 429) {
        window.refused++;
        window.refusedLatencies.add(latency);
        if (resp.getHeader("Retry-After") == null) {
          window.refusedWithoutRetryAfter++;
        }
        // which bound refused: the server's connections, GroupCommit's count or age, the pool's wait queue, another
        String text = body.toString();
        String bound = text.contains("connections open already") ? "connections" : text.contains("already waiting")
            ? "queued writes (count)" : text.contains("have waited") ? "queued writes (age)"
            : text.contains("waiting for the database") ? "pool wait queue" : "other";
        window.refusedBy.merge(bound, 1L, Long::sum);
      } else {
        window.other.merge(status, 1L, Long::sum);
      }
    }
  }
}
