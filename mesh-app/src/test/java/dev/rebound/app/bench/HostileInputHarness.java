package dev.rebound.app.bench;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Issue 10 §5's hostile-input run (not a test): {@code rebound run} in this JVM on a fresh database (every
 * service's routes on one port, every service on one event bus), a few real tasks in every state to aim at, then
 * {@code --inputs} generated hostile inputs ({@link HostileInputs}) against every HTTP route and event-bus
 * address. Prints the findings (5xx, no answer, a write by a refused input, health not UP) and exits 1 when there
 * are any.
 *
 * <pre>
 * mvn -B -q -o -pl mesh-app -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp mesh-app/target/test-classes:mesh-app/target/classes:$(cat mesh-app/cp.txt) \
 *   dev.rebound.app.bench.HostileInputHarness --inputs 10000 --seed 1
 * </pre>
 */
public final class HostileInputHarness implements AutoCloseable {
  private final Vertx admin;
  private final TestDatabase db;
  private final ReboundRun run;
  private final Pool pool;
  private final List<UUID> tasks;

  private HostileInputHarness(Vertx admin, TestDatabase db, ReboundRun run, Pool pool, List<UUID> tasks) {
    this.admin = admin;
    this.db = db;
    this.run = run;
    this.pool = pool;
    this.tasks = tasks;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int inputs = Integer.parseInt(opts.getOrDefault("inputs", "10000"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    int findings;
    try (HostileInputHarness mesh = start()) {
      System.out.printf("machine: %d cores, JDK %s; loadavg before: %s; inputs=%d seed=%d%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadavg(), inputs, seed);
      HostileInputs generator = mesh.inputs(seed);
      HostileInputs.Report report = generator.run(inputs);
      System.out.println(report.summary());
      System.out.println("tables counted: " + generator.tables());
      report.findings().forEach(f -> System.out.println("FINDING " + f));
      System.out.println("loadavg after: " + loadavg());
      findings = report.findings().size();
    }
    System.exit(findings == 0 ? 0 : 1);
  }

  /** {@code rebound run} on a fresh database with tasks queued, running, retrying, dead-lettered and done. */
  public static HostileInputHarness start() throws Exception {
    Vertx admin = Vertx.vertx();
    TestDatabase db = await(TestDatabase.create(admin, "hostile"));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    String password = db.options().getPassword();
    if (password != null && !password.isEmpty()) {
      o.put("pg.password", password);
    }
    o.put("run.host", "127.0.0.1");
    o.put("run.port", "0");
    o.put("shutdown.timeout", "5s");
    // sweepers that write on their own would blur "a refused input wrote nothing"
    o.put("ledger.lease-sweep-interval", "1h");
    o.put("ledger.retention-sweep-interval", "1h");
    o.put("analyzer.template-save-interval", "1h");
    Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(o);
    ReboundRun run = ReboundRun.start(settings, ReboundRun.SERVICES, PostgresProvisioner.system());
    Pool pool = db.pool(admin, 2);
    LedgerClient ledger = new LedgerClient(run.runningService().vertx(), 30_000);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      JsonObject r = await(ledger.enqueue(EnqueueRequest.builder("hostile-seed").workflowId("wf-seed")
          .payload(new JsonObject().put("i", i)).maxAttempts(i % 2 == 0 ? 1 : 5).build()));
      ids.add(UUID.fromString(r.getJsonObject("task").getString("id")));
    }
    List<TaskView> claimed = await(ledger.claim(ClaimRequest.builder("seed-worker").stage("hostile-seed").limit(8)
        .leaseMs(3_600_000).build()));
    for (int i = 0; i < claimed.size(); i++) {
      TaskView t = claimed.get(i);
      if (i < 2) {
        await(ledger.complete(CompleteRequest.of(t.id(), t.leaseToken(), new JsonObject().put("ok", true))));
      } else if (i < 6) {
        await(ledger.fail(FailureEvent.builder().taskId(t.id()).attempt(t.attempt()).leaseToken(t.leaseToken())
            .stage(t.stage()).source("seed").errorType("HttpError").message("HttpError: Bad credentials").httpStatus(401)
            .build()));
      }
    }
    HostileInputHarness h = new HostileInputHarness(admin, db, run, pool, ids);
    h.inputs(0).settled();
    return h;
  }

  /** A generator aimed at this mesh, seeded. */
  public HostileInputs inputs(long seed) {
    return new HostileInputs(run.runningService().vertx(), run.url(), pool, seed).knownTasks(tasks);
  }

  @Override
  public void close() throws Exception {
    run.stop();
    await(pool.close());
    await(db.drop(admin));
    await(admin.close());
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "n/a";
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
