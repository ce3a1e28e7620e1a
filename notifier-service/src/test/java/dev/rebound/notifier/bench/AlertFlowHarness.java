package dev.rebound.notifier.bench;

import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.notifier.NotifierConfig;
import dev.rebound.notifier.NotifierVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Alert flow benchmark (issue 8), a main method, not a test. Everything runs on 127.0.0.1: a notifier
 * ({@link NotifierVerticle}, in this JVM, on a fresh schema), a webhook sink (a Vert.x HTTP server that timestamps each
 * alert's arrival) and, unless {@code --alertmanager none}, an Alertmanager process started from the given binary with
 * its own temporary storage and no cluster gossip.
 *
 * <ol>
 *   <li><b>ingest</b>: {@code --ingest N} alerts with distinct label sets (so distinct dedup keys), {@code --window W}
 *       requests in flight, to Rebound's {@code POST /api/v2/alerts}, then to {@code POST /v1/alerts}, then to
 *       Alertmanager's {@code /api/v2/alerts}; one alert per request; committed (answered 200) alerts/s. Each ingest
 *       alert is its own group, with a group-wait of 1h (nothing is sent during the run).</li>
 *   <li><b>storm</b> ({@code --storm N}, off by default): N alerts of one group (group-wait 1s, group-interval 1s)
 *       to a webhook with the default 10/s limit, W in flight: the intake rate, how many notifications they became,
 *       what is left in the outbox, how many alerts were stored.</li>
 *   <li><b>latency</b>: an open-loop stream at {@code --rate} alerts/s for {@code --seconds}; each alert (distinct
 *       labels) is posted to Rebound and to Alertmanager in the same tick, the same JSON. Both route with
 *       {@code group_by: ['...']} and group-wait 0 to a webhook on the sink (Rebound's in Alertmanager's format,
 *       {@code max-per-second} raised so that its rate limit does not queue them). Latency is from the alert's
 *       scheduled send time to its arrival at the sink. Before it, unless {@code --warmup 0}, the same stream runs for
 *       {@code --warmup S} seconds to both, not measured, and the harness waits until both sides delivered it (or 30
 *       s): the latency phase measures warm JVMs, not the JIT compiling the flush and send paths during it.</li>
 * </ol>
 *
 * <p>Options: {@code --ingest N} (20000), {@code --window W} (64), {@code --rate R} (500), {@code --seconds S} (20), {@code --warmup S} (5), {@code --storm N} (0),
 * {@code --sweep D} (the notifier's sweep-interval, 1s), {@code --alertmanager PATH} (/usr/bin/prometheus-alertmanager,
 * or none), {@code --pool N} (PostgreSQL connections, 8).
 */
public final class AlertFlowHarness {
  private static final long NO_ARRIVAL = Long.MIN_VALUE;

  private final Map<String, String> opts;
  private final Vertx vertx = Vertx.vertx();
  private WebClient client;
  private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
  private final AtomicInteger stormPosts = new AtomicInteger();
  private final AtomicLong stormAlertsListed = new AtomicLong();
  private final AtomicInteger sinkRequests = new AtomicInteger();

  private AlertFlowHarness(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int code = 0;
    AlertFlowHarness h = new AlertFlowHarness(opts);
    try {
      h.run();
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    }
    System.exit(code); // the Alertmanager child is destroyed in run(); nothing else to wait for
  }

  private String opt(String name, String fallback) {
    return opts.getOrDefault(name, fallback);
  }

  private void run() throws Exception {
    int ingest = Integer.parseInt(opt("ingest", "20000"));
    int window = Integer.parseInt(opt("window", "64"));
    int rate = Integer.parseInt(opt("rate", "500"));
    int seconds = Integer.parseInt(opt("seconds", "20"));
    String sweep = opt("sweep", "1s");
    String amBinary = opt("alertmanager", "/usr/bin/prometheus-alertmanager");
    String runId = Long.toString(System.currentTimeMillis(), 36);

    client = WebClient.wrap(vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true))
        .with(new PoolOptions().setHttp1MaxSize(Math.max(window, 64))).build());
    HttpServer sink = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      long at = System.nanoTime();
      sinkRequests.incrementAndGet();
      JsonArray alerts = body.toJsonObject().getJsonArray("alerts", new JsonArray());
      if (req.path().endsWith("/storm")) {
        stormPosts.incrementAndGet();
        stormAlertsListed.addAndGet(alerts.size());
      } else {
        String side = req.path().endsWith("/am") ? "am:" : "rb:";
        for (int i = 0; i < alerts.size(); i++) {
          String seq = alerts.getJsonObject(i).getJsonObject("labels").getString("seq");
          arrivals.putIfAbsent(side + seq, at);
        }
      }
      req.response().end();
    })).listen(0, "127.0.0.1"));
    String sinkUrl = "http://127.0.0.1:" + sink.actualPort();

    System.out.printf("machine: %d cpus, java %s, loadavg %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), loadavg());
    TestDatabase db = await(TestDatabase.create(vertx, "nbench"));
    Path dir = Files.createTempDirectory("alert-flow");
    Files.writeString(dir.resolve("rebound.yaml"), """
        notifier:
          sweep-interval: %2$s
          receivers:
            - name: sink
              webhook: {url: %1$s/rebound, alertmanager-format: true, send-resolved: false, max-per-second: 100000}
            - name: storm
              webhook: {url: %1$s/storm, alertmanager-format: true, send-resolved: false}
          route:
            receiver: sink
            group-by: ['...']
            group-wait: 0s
            group-interval: 1s
            repeat-interval: 4h
            routes:
              - matchers: ['phase="ingest"']
                receiver: storm
                group-wait: 1h
              - matchers: ['phase="storm"']
                receiver: storm
                group-by: [phase]
                group-wait: 1s
        """.formatted(sinkUrl, sweep));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    o.put("pg.pool-size", opt("pool", "8"));
    Settings settings = Settings.load(Map.of(), Optional.of(dir.resolve("rebound.yaml"))).withOverrides(o);
    NotifierVerticle notifier = new NotifierVerticle(NotifierConfig.from(settings), settings.pgConnectOptions(),
        Clock.systemUTC());
    String deployment = await(vertx.deployVerticle(notifier));
    int rbPort = notifier.actualPort();

    Process am = null;
    int amPort = -1;
    if (!"none".equals(amBinary)) {
      amPort = freePort();
      Files.writeString(dir.resolve("alertmanager.yml"), """
          route:
            receiver: sink
            group_by: ['...']
            group_wait: 0s
            group_interval: 1s
            repeat_interval: 4h
            routes:
              - matchers: ['phase="ingest"']
                receiver: blackhole
          receivers:
            - name: sink
              webhook_configs: [{url: '%s/am', send_resolved: false}]
            - name: blackhole
          """.formatted(sinkUrl));
      Files.createDirectories(dir.resolve("am-data"));
      am = new ProcessBuilder(amBinary, "--config.file=" + dir.resolve("alertmanager.yml"),
          "--storage.path=" + dir.resolve("am-data"), "--web.listen-address=127.0.0.1:" + amPort,
          "--cluster.listen-address=", "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
      waitReady(amPort);
      System.out.println("alertmanager: " + version(amBinary) + " on 127.0.0.1:" + amPort + ", log "
          + dir.resolve("alertmanager.log"));
    }

    try {
      // ---- ingest (and storm into one group)
      if (ingest > 0) {
        warm(rbPort, runId);
        System.out.println("loadavg before ingest: " + loadavg());
        ingest("rebound /api/v2/alerts", rbPort, "/api/v2/alerts", ingest, window,
            i -> new JsonArray().add(amAlert("ingest", runId + "-v2-" + i)));
        ingest("rebound /v1/alerts", rbPort, "/v1/alerts", ingest, window,
            i -> new JsonObject().put("labels", new JsonObject().put("phase", "ingest").put("alertname", "BenchIngest")
                .put("seq", runId + "-v1-" + i)).put("summary", "ingest " + i));
        if (am != null) {
          ingest("alertmanager /api/v2/alerts", amPort, "/api/v2/alerts", ingest, window,
              i -> new JsonArray().add(amAlert("ingest", runId + "-am-" + i)));
        }
      }
      int storm = Integer.parseInt(opt("storm", "0"));
      if (storm > 0) {
        System.out.println("loadavg before storm: " + loadavg());
        ingest("rebound storm, one group", rbPort, "/api/v2/alerts", storm, window,
            i -> new JsonArray().add(amAlert("storm", runId + "-storm-" + i)));
        stormReport(db, storm);
      }

      // ---- latency, side by side
      if (rate > 0 && seconds > 0) {
        int warmup = Integer.parseInt(opt("warmup", "5"));
        if (warmup > 0) {
          System.out.printf("%nloadavg before warm-up: %s%n", loadavg());
          latency(rbPort, amPort, rate, warmup, runId + "w", sweep, false);
        }
        System.out.printf("%nloadavg before latency: %s%n", loadavg());
        latency(rbPort, amPort, rate, seconds, runId, sweep, true);
      }
    } finally {
      if (am != null) {
        am.destroy();
        am.waitFor(10, TimeUnit.SECONDS);
      }
      await(vertx.undeploy(deployment));
      await(db.drop(vertx));
    }
  }

  private static JsonObject amAlert(String phase, String seq) {
    return new JsonObject()
        .put("labels", new JsonObject().put("alertname", "Bench" + phase).put("phase", phase).put("seq", seq)
            .put("instance", "127.0.0.1:9100").put("severity", "warning"))
        .put("annotations", new JsonObject().put("summary", "benchmark alert " + seq))
        .put("startsAt", Instant.now().toString());
  }

  private void warm(int port, String runId) throws Exception {
    ingest(null, port, "/api/v2/alerts", 2000, 32, i -> new JsonArray().add(amAlert("ingest", runId + "-warm-" + i)));
  }

  private void ingest(String label, int port, String path, int n, int window, IntFunction<Object> body)
      throws Exception {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long t0 = System.nanoTime();
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      Object b = body.apply(i);
      Buffer buf = b instanceof JsonArray a ? a.toBuffer() : ((JsonObject) b).toBuffer();
      client.post(port, "127.0.0.1", path).putHeader("content-type", "application/json").sendBuffer(buf)
          .onComplete(ar -> {
            if (ar.failed() || ar.result().statusCode() / 100 != 2) {
              failed.incrementAndGet();
            }
            if (finished.incrementAndGet() == n) {
              done.complete();
            } else {
              send[0].run();
            }
          });
    };
    vertx.runOnContext(v -> {
      for (int w = 0; w < window; w++) {
        send[0].run();
      }
    });
    await(done.future());
    double s = (System.nanoTime() - t0) / 1e9;
    if (label != null) {
      System.out.printf("ingest %-28s %,d alerts, %d in flight: %.1f s, %,.0f committed alerts/s, %d failed%n",
          label, n, window, s, (n - failed.get()) / s, failed.get());
    }
  }

  private void stormReport(TestDatabase db, int stormAlerts) throws Exception {
    var pool = db.pool(vertx, 1);
    long deadline = System.currentTimeMillis() + 60_000;
    long pending;
    do {
      Thread.sleep(500);
      pending = await(pool.query("SELECT count(*) FROM notifier.deliveries WHERE status IN ('PENDING', 'SENDING')")
          .execute()).iterator().next().getLong(0);
    } while ((pending > 0 || stormPosts.get() == 0) && System.currentTimeMillis() < deadline);
    var rows = await(pool.query("SELECT status, count(*) AS n FROM notifier.deliveries WHERE endpoint_key LIKE"
        + " 'webhook:%' GROUP BY status ORDER BY status").execute());
    StringBuilder statuses = new StringBuilder();
    rows.forEach(r -> statuses.append(r.getString("status")).append('=').append(r.getLong("n")).append(' '));
    long stored = await(pool.query("SELECT count(*) FROM notifier.alerts WHERE labels ->> 'phase' = 'storm'")
        .execute()).iterator().next().getLong(0);
    System.out.printf("storm: %,d alerts into one group (group-wait 1s, group-interval 1s, webhook"
        + " 10/s): %,d alerts stored, %d notifications received listing %,d alerts in all; outbox: %s(pending at end:"
        + " %d); the sink never answers 429%n", stormAlerts, stored, stormPosts.get(), stormAlertsListed.get(),
        statuses, pending);
    await(pool.close());
  }

  private void latency(int rbPort, int amPort, int rate, int seconds, String runId, String sweep, boolean measured)
      throws Exception {
    int n = rate * seconds;
    long[] scheduled = new long[n];
    AtomicInteger rbFailed = new AtomicInteger();
    AtomicInteger amFailed = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    Promise<Void> sent = Promise.promise();
    long t0 = System.nanoTime() + 50_000_000L;
    double interval = 1e9 / rate;
    long timer = vertx.setPeriodic(2, id -> {
      long now = System.nanoTime();
      while (next.get() < n && t0 + (long) (next.get() * interval) <= now) {
        int i = next.getAndIncrement();
        scheduled[i] = t0 + (long) (i * interval);
        Buffer body = new JsonArray().add(amAlert("latency", runId + "-" + i)).toBuffer();
        client.post(rbPort, "127.0.0.1", "/api/v2/alerts").putHeader("content-type", "application/json")
            .sendBuffer(body).onComplete(ar -> count(ar, rbFailed));
        if (amPort > 0) {
          client.post(amPort, "127.0.0.1", "/api/v2/alerts").putHeader("content-type", "application/json")
              .sendBuffer(body).onComplete(ar -> count(ar, amFailed));
        }
      }
      if (next.get() >= n) {
        sent.tryComplete();
      }
    });
    await(sent.future());
    vertx.cancelTimer(timer);
    long waitUntil = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < waitUntil && (countArrived("rb:", runId, n) < n
        || (amPort > 0 && countArrived("am:", runId, n) < n))) {
      Thread.sleep(100);
    }
    if (!measured) {
      System.out.printf("warm-up: %,d alerts at %d/s for %d s, not measured; arrived: Rebound %,d, Alertmanager %s%n",
          n, rate, seconds, countArrived("rb:", runId, n), amPort > 0 ? countArrived("am:", runId, n) : "-");
      return;
    }
    System.out.printf("latency: %,d alerts at %d/s (open loop, %d s), group-wait 0, group_by ['...'], Rebound"
        + " sweep-interval %s%n", n, rate, seconds, sweep);
    report("Rebound      alert -> webhook", "rb:", runId, scheduled, rbFailed.get());
    if (amPort > 0) {
      report("Alertmanager alert -> webhook", "am:", runId, scheduled, amFailed.get());
    }
    System.out.println("loadavg after: " + loadavg() + ", sink requests " + sinkRequests.get());
  }

  private static void count(io.vertx.core.AsyncResult<HttpResponse<Buffer>> ar, AtomicInteger failed) {
    if (ar.failed() || ar.result().statusCode() / 100 != 2) {
      failed.incrementAndGet();
    }
  }

  private int countArrived(String side, String runId, int n) {
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (arrivals.containsKey(side + runId + "-" + i)) {
        c++;
      }
    }
    return c;
  }

  private void report(String label, String side, String runId, long[] scheduled, int failed) {
    int n = scheduled.length;
    double[] ms = new double[n];
    int got = 0;
    for (int i = 0; i < n; i++) {
      long at = arrivals.getOrDefault(side + runId + "-" + i, NO_ARRIVAL);
      if (at != NO_ARRIVAL) {
        ms[got++] = (at - scheduled[i]) / 1e6;
      }
    }
    double[] l = Arrays.copyOf(ms, got);
    Arrays.sort(l);
    if (got == 0) {
      System.out.printf("%s: nothing arrived (%d POSTs failed)%n", label, failed);
      return;
    }
    System.out.printf("%s: arrived %,d/%,d, POSTs failed %d; p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        label, got, n, failed, pct(l, 50), pct(l, 95), pct(l, 99), l[got - 1]);
  }

  private static double pct(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private void waitReady(int port) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<Buffer> r = await(client.get(port, "127.0.0.1", "/-/ready").send());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (Exception e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("alertmanager did not become ready on port " + port);
  }

  private static String version(String binary) throws Exception {
    Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
    p.waitFor();
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
