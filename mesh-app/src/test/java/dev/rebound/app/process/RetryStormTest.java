package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.common.Addresses;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerVerticle;
import dev.rebound.retry.RetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's storm: 1,000 tasks of one stage fail at once (a dependency went down under all of them), with the
 * ledger, the analyzer and the retry service each in a clustered Vert.x of its own. The retry budget (the
 * default: 20 % of first attempts + 10 retries/s over 10 s) caps the retries, the rest is parked, and the full
 * jitter of the default policy (first retry after 0–1 s) spreads the retries it allows instead of sending them
 * back together. The stage's circuit is switched off so that what holds the retries back is the budget alone.
 */
class RetryStormTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final String STAGE = "crawl-storm";
  private static final int TASKS = 1_000;
  /** 20 % of 1,000 first attempts + 10/s over the 10 s window. */
  private static final int ALLOWANCE = 300;

  private static LoopbackCluster cluster;
  private static Vertx client;
  private static TestDatabase db;
  private static Pool pg;
  private static LedgerClient ledger;
  private static final List<JsonObject> alerts = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startTheMesh() {
    cluster = LoopbackCluster.of("rebound-storm", 4);
    client = cluster.member(3);
    db = await(TestDatabase.create(client, "retrystorm"), LIMIT, "creating the test database");
    pg = db.pool(client, 2);
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    o.put("pg.pool-size", "4");
    // the provisional retry far out: every schedule seen is the retry service's
    o.put("ledger.retry.base", "10m");
    o.put("ledger.retry.cap", "1h");
    o.put("ledger.retry.jitter", "none");
    o.put("retry.circuits.names.stage:" + STAGE + ".enabled", "false");
    await(cluster.member(0).deployVerticle(LedgerVerticle.fromSettings(cluster.settings(0, o))), LIMIT, "the ledger");
    await(cluster.member(1).deployVerticle(AnalyzerVerticle.fromSettings(cluster.settings(1, o))), LIMIT,
        "the analyzer");
    await(cluster.member(2).deployVerticle(RetryVerticle.fromSettings(cluster.settings(2, o))), LIMIT,
        "the retry service");
    await(client.eventBus().<JsonObject>consumer(Addresses.NOTIFIER_ALERTS, m -> alerts.add(m.body())).completion(),
        LIMIT, "listening for alerts");
    ledger = new LedgerClient(client, 30_000);
    BoundedWait.until("the ledger answering across the cluster", LIMIT,
        () -> await(ledger.stats().map(true).otherwise(false), LIMIT, "probe"), () -> "no answer yet");
  }

  @AfterAll
  static void stopTheMesh() {
    BoundedWait.closeAll(List.<Runnable>of(
        () -> await(cluster.member(2).close(), LIMIT, "closing the retry member"),
        () -> await(cluster.member(1).close(), LIMIT, "closing the analyzer member"),
        () -> await(cluster.member(0).close(), LIMIT, "closing the ledger member"),
        () -> await(pg.close(), LIMIT, "closing the pool"),
        () -> await(db.drop(client), LIMIT, "dropping the database"),
        () -> await(client.close(), LIMIT, "closing the client member")));
  }

  @Test
  void aThousandTasksFailingAtOnceGetRetriesCappedByTheBudgetAndSpreadByJitter() {
    List<Future<JsonObject>> enqueued = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      enqueued.add(ledger.enqueue(EnqueueRequest.builder(STAGE).build()));
    }
    await(Future.all(enqueued), LIMIT, "enqueueing " + TASKS + " tasks");
    List<TaskView> running = new ArrayList<>();
    while (running.size() < TASKS) {
      running.addAll(await(ledger.claim(ClaimRequest.builder("crawler-1").stage(STAGE).limit(500).leaseMs(600_000).build()), LIMIT,
          "claiming"));
    }

    List<Future<JsonObject>> failed = new ArrayList<>();
    for (TaskView t : running) {
      failed.add(ledger.fail(FailureEvent.builder().taskId(t.id()).leaseToken(t.leaseToken()).source("crawler-1")
          .errorType("java.net.ConnectException").message("java.net.ConnectException: Connection refused").build()));
    }
    await(Future.all(failed), LIMIT, "reporting " + TASKS + " failures");
    BoundedWait.until("a decision for every failure", LIMIT, () -> decisions().size() == TASKS,
        () -> decisions().size() + " decided");

    List<Row> all = decisions();
    long retries = all.stream().filter(r -> "RETRY".equals(r.getString("action"))).count();
    long parkedByBudget = all.stream().filter(r -> "PARK".equals(r.getString("action"))
        && "BUDGET_EXHAUSTED".equals(r.getString("cause"))).count();
    assertThat(retries).as("retries allowed").isBetween(100L, (long) ALLOWANCE);
    assertThat(retries + parkedByBudget).as("every other failure parked by the budget").isEqualTo(TASKS);
    BoundedWait.until("an alert that the budget is exhausted", LIMIT, () -> alerts.stream()
        .anyMatch(a -> "budget-exhausted".equals(a.getJsonObject("labels").getString("kind"))), alerts::toString);

    // full jitter: each retry's delay is drawn from [0, 1 s); in ten 100 ms windows none holds twice the mean
    int[] windows = new int[10];
    for (Row r : all) {
      if ("RETRY".equals(r.getString("action"))) {
        long delay = r.getLong("delay_ms");
        assertThat(delay).isBetween(0L, 1_000L);
        windows[(int) Math.min(9, delay / 100)]++;
      }
    }
    double mean = retries / 10.0;
    for (int i = 0; i < windows.length; i++) {
      assertThat(windows[i]).as("retries due %d–%d ms after their failure (mean %.1f per window)", i * 100,
          i * 100 + 100, mean).isLessThanOrEqualTo((int) (2 * mean));
    }
  }

  private static List<Row> decisions() {
    List<Row> out = new ArrayList<>();
    await(pg.preparedQuery("SELECT action, cause, delay_ms FROM retry.decisions WHERE stage = $1")
        .execute(Tuple.of(STAGE)), LIMIT, "reading decisions").forEach(out::add);
    return out;
  }
}
