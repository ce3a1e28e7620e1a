package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerVerticle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two ledger instances in one Hazelcast cluster share the work without double claims: three
 * clustered Vert.x instances in this JVM on loopback (two ledgers on one database, one client),
 * as separate services would run.
 */
class ClusteredLedgerTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final int TASKS = 2000;
  private static final int CLAIMERS = 8;
  private static final int CLAIM_LIMIT = 10;
  private static final int ENQUEUE_WINDOW = 100;
  private static final String STAGE = "cluster-work";

  private static Vertx ledgerA;
  private static Vertx ledgerB;
  private static Vertx client;
  private static TestDatabase db;
  private static Pool pg;
  /** Per ledger instance: messages on {@code rebound.ledger} delivered to it, by action header. */
  private static final Map<Vertx, Map<String, AtomicInteger>> served = new HashMap<>();

  @BeforeAll
  static void formClusterAndDeployTwoLedgers() throws IOException {
    // A unique cluster name and free member ports: concurrent runs on this machine never join each other.
    String name = "rebound-ledger-test-" + UUID.randomUUID();
    int portA = freePort();
    int portB = freePort();
    int portC = freePort();
    Settings cluster = Settings.empty().withOverrides(Map.of(
        "cluster.enabled", "true",
        "cluster.name", name,
        "cluster.host", "127.0.0.1",
        "cluster.members", "127.0.0.1:" + portA + ",127.0.0.1:" + portB + ",127.0.0.1:" + portC,
        "cluster.join-wait", "1s",
        "metrics.jvm", "false",
        "vertx.event-loops", "2"));
    // One after another: the first forms the cluster, the others join it.
    ledgerA = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portA))), LIMIT, "member A");
    ledgerB = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portB))), LIMIT, "member B");
    client = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portC))), LIMIT, "member C");

    db = await(TestDatabase.create(client, "clusteredledger"), LIMIT, "creating the test database");
    pg = db.pool(client, 2);
    Map<String, String> ledger = new HashMap<>(db.settingsOverrides());
    ledger.put("http.port", "0");
    ledger.put("pg.pool-size", "4");
    ledger.put("ledger.retention-sweep-interval", "1h");
    Settings ledgerSettings = cluster.withOverrides(ledger);
    for (Vertx v : List.of(ledgerA, ledgerB)) {
      Map<String, AtomicInteger> byAction = new ConcurrentHashMap<>();
      served.put(v, byAction);
      v.eventBus().addInboundInterceptor(delivery -> {
        if (Addresses.LEDGER.equals(delivery.message().address())) {
          String action = String.valueOf(delivery.message().headers().get(Addresses.ACTION_HEADER));
          byAction.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
        }
        delivery.next();
      });
    }
    // Both at once: migrations must be safe when two instances start together.
    await(Future.all(ledgerA.deployVerticle(LedgerVerticle.fromSettings(ledgerSettings)),
        ledgerB.deployVerticle(LedgerVerticle.fromSettings(ledgerSettings))), LIMIT, "deploying two ledgers");

    // Subscriptions travel through Hazelcast: go on once the client's requests reach both ledgers.
    LedgerClient ledgerClient = new LedgerClient(client, 10_000);
    BoundedWait.until("both ledgers answering the client", LIMIT, () -> {
      await(ledgerClient.stats().otherwiseEmpty(), LIMIT, "stats");
      return servedCount(ledgerA, "stats") > 0 && servedCount(ledgerB, "stats") > 0;
    }, () -> "served: " + served.values());
  }

  @AfterAll
  static void leaveCluster() {
    // each awaited from this thread; closing a member undeploys its ledger (stops intake, closes the pool)
    List<Runnable> steps = List.of(
        () -> close(ledgerA, "member A"),
        () -> close(ledgerB, "member B"),
        () -> {
          if (pg != null) {
            await(pg.close(), LIMIT, "closing the pool");
          }
        },
        () -> {
          if (db != null) {
            await(db.drop(client), LIMIT, "dropping the test database");
          }
        },
        () -> close(client, "member C"));
    AssertionError first = null;
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (AssertionError | RuntimeException e) {
        first = first == null ? new AssertionError(e) : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Test
  void twoClusteredLedgersShare2000TasksBetween8ClaimersAndClaimEachExactlyOnce() {
    LedgerClient ledgerClient = new LedgerClient(client, 20_000);
    Set<UUID> enqueued = enqueue(ledgerClient);
    assertThat(enqueued).hasSize(TASKS);
    double processedA = remoteMessagesProcessed(ledgerA);
    double processedB = remoteMessagesProcessed(ledgerB);

    Queue<UUID> claimed = new ConcurrentLinkedQueue<>();
    AtomicInteger claimRequests = new AtomicInteger();
    List<Future<Void>> claimers = new ArrayList<>();
    long deadline = System.nanoTime() + LIMIT.toNanos();
    for (int i = 0; i < CLAIMERS; i++) {
      claimers.add(claimLoop(ledgerClient, "worker-" + i, claimed, claimRequests, deadline));
    }
    await(Future.all(claimers), LIMIT.plusSeconds(10), "the claim loops");

    // each task claimed exactly once, by the claimers…
    List<UUID> claimedList = new ArrayList<>(claimed);
    assertThat(claimedList).hasSize(TASKS).doesNotHaveDuplicates();
    assertThat(new HashSet<>(claimedList)).isEqualTo(enqueued);
    // …and by the ledger's own record: one RUNNING transition per task, every task DONE
    Row history = await(pg.preparedQuery("""
        SELECT count(*) AS transitions, count(DISTINCT h.task_id) AS tasks
        FROM ledger.history h JOIN ledger.tasks t ON t.id = h.task_id
        WHERE t.stage = $1 AND h.to_state = 'RUNNING'""").execute(Tuple.of(STAGE)), LIMIT, "history")
        .iterator().next();
    assertThat(history.getLong("transitions")).as("RUNNING transitions").isEqualTo(TASKS);
    assertThat(history.getLong("tasks")).as("tasks with a RUNNING transition").isEqualTo(TASKS);
    Row states = await(pg.preparedQuery("""
        SELECT count(*) AS total, count(*) FILTER (WHERE state = 'DONE') AS done, max(attempt) AS max_attempt
        FROM ledger.tasks WHERE stage = $1""").execute(Tuple.of(STAGE)), LIMIT, "states").iterator().next();
    assertThat(states.getLong("total")).isEqualTo(TASKS);
    assertThat(states.getLong("done")).as("DONE tasks").isEqualTo(TASKS);
    assertThat(states.getInteger("max_attempt")).isEqualTo(1);

    // both ledgers served claims: every claim request reached one of them, and each got some
    int claimsA = servedCount(ledgerA, "claim");
    int claimsB = servedCount(ledgerB, "claim");
    System.out.printf("ClusteredLedgerTest: %d claim requests, served by A %d, B %d%n", claimRequests.get(), claimsA,
        claimsB);
    assertThat(claimsA + claimsB).isEqualTo(claimRequests.get());
    assertThat(claimsA).as("claims served by ledger A").isPositive();
    assertThat(claimsB).as("claims served by ledger B").isPositive();
    // …which each instance's Prometheus registry corroborates
    assertThat(remoteMessagesProcessed(ledgerA)).as("remote messages processed by A").isGreaterThan(processedA);
    assertThat(remoteMessagesProcessed(ledgerB)).as("remote messages processed by B").isGreaterThan(processedB);
  }

  /** Enqueues {@link #TASKS} tasks through the event bus, {@link #ENQUEUE_WINDOW} at a time. */
  private static Set<UUID> enqueue(LedgerClient ledgerClient) {
    Set<UUID> ids = new HashSet<>();
    for (int start = 0; start < TASKS; start += ENQUEUE_WINDOW) {
      List<Future<JsonObject>> window = new ArrayList<>();
      for (int i = start; i < Math.min(TASKS, start + ENQUEUE_WINDOW); i++) {
        window.add(ledgerClient.enqueue(EnqueueRequest.builder(STAGE).idempotencyKey("cluster-" + i)
            .payload(new JsonObject().put("n", i)).build()));
      }
      await(Future.all(window), LIMIT, "enqueueing tasks " + start + "…");
      window.forEach(f -> {
        assertThat(f.result().getBoolean("created")).isTrue();
        ids.add(UUID.fromString(f.result().getJsonObject("task").getString("id")));
      });
    }
    return ids;
  }

  /** Claims {@link #CLAIM_LIMIT} at a time and completes what it got, until a claim comes back empty. */
  private static Future<Void> claimLoop(LedgerClient ledgerClient, String worker, Queue<UUID> claimed,
                                        AtomicInteger claimRequests, long deadline) {
    Promise<Void> done = Promise.promise();
    claimNext(ledgerClient, worker, claimed, claimRequests, deadline, done);
    return done.future();
  }

  private static void claimNext(LedgerClient ledgerClient, String worker, Queue<UUID> claimed,
                                AtomicInteger claimRequests, long deadline, Promise<Void> done) {
    if (System.nanoTime() > deadline) {
      done.fail(new AssertionError(worker + " was still claiming at the deadline"));
      return;
    }
    claimRequests.incrementAndGet();
    ledgerClient.claim(ClaimRequest.builder(worker).stage(STAGE).limit(CLAIM_LIMIT).build())
        .compose(tasks -> {
          if (tasks.isEmpty()) {
            return Future.succeededFuture(false);
          }
          List<Future<JsonObject>> completions = new ArrayList<>();
          for (TaskView t : tasks) {
            claimed.add(t.id());
            JsonObject result = new JsonObject().put("by", worker);
            completions.add(ledgerClient.complete(CompleteRequest.of(t.id(), t.leaseToken(), result)));
          }
          return Future.all(completions).map(true);
        })
        .onSuccess(more -> {
          if (more) {
            claimNext(ledgerClient, worker, claimed, claimRequests, deadline, done);
          } else {
            done.complete();
          }
        })
        .onFailure(done::fail);
  }

  private static int servedCount(Vertx ledger, String action) {
    AtomicInteger n = served.get(ledger).get(action);
    return n == null ? 0 : n.get();
  }

  /**
   * Vert.x's own count of messages from other members that this instance's handlers processed. The
   * registry has no {@code address} label (ReboundVertx keeps Micrometer's default labels), but
   * during the claim phase the ledger's only remote traffic is the client's claims and completions.
   */
  private static double remoteMessagesProcessed(Vertx vertx) {
    PrometheusMeterRegistry registry = ReboundVertx.registry(vertx).orElseThrow();
    return registry.find("vertx.eventbus.processed").tag("side", "remote").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static void close(Vertx vertx, String what) {
    if (vertx != null) {
      await(vertx.close(), LIMIT, "closing " + what);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
