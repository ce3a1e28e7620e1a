package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.common.Addresses;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureClassified;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.ledger.LedgerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One failure's life across separate services in one Hazelcast cluster (three clustered Vert.x
 * instances on loopback): a worker's failure is recorded by the ledger, classified by the
 * analyzer, decided by a stand-in retry service, applied by the ledger, and the eventual success
 * is learned by the analyzer as "healed by retry".
 */
class ClusteredFailureFlowTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private static Vertx ledgerMember;
  private static Vertx analyzerMember;
  private static Vertx workerMember;
  private static TestDatabase db;
  private static Pool pg;
  private static final List<JsonObject> classified = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void formClusterAndDeploy() throws IOException {
    String name = "rebound-flow-test-" + UUID.randomUUID();
    int portA = freePort();
    int portB = freePort();
    int portC = freePort();
    Settings cluster = Settings.empty().withOverrides(Map.of(
        "cluster.enabled", "true", "cluster.name", name, "cluster.host", "127.0.0.1",
        "cluster.members", "127.0.0.1:" + portA + ",127.0.0.1:" + portB + ",127.0.0.1:" + portC,
        "cluster.join-wait", "1s", "metrics.jvm", "false", "vertx.event-loops", "2"));
    ledgerMember = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portA))), LIMIT, "ledger member");
    analyzerMember = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portB))), LIMIT, "analyzer member");
    workerMember = await(ReboundVertx.create(cluster.withOverrides(Map.of("cluster.port", "" + portC))), LIMIT, "worker member");
    db = await(TestDatabase.create(workerMember, "clusterflow"), LIMIT, "creating the test database");
    pg = db.pool(workerMember, 2);
    Map<String, String> service = new HashMap<>(db.settingsOverrides());
    service.put("http.port", "0");
    service.put("pg.pool-size", "4");
    service.put("analyzer.template-save-interval", "1s");
    Settings settings = cluster.withOverrides(service);
    await(ledgerMember.deployVerticle(LedgerVerticle.fromSettings(settings)), LIMIT, "deploying the ledger");
    await(analyzerMember.deployVerticle(AnalyzerVerticle.fromSettings(settings)), LIMIT, "deploying the analyzer");

    // the stand-in retry service: every classified transient failure is retried now
    LedgerClient decisions = new LedgerClient(workerMember, 10_000);
    await(workerMember.eventBus().<JsonObject>consumer(Addresses.RETRY_CLASSIFIED, m -> {
      classified.add(m.body());
      FailureClassified c = FailureClassified.fromJson(m.body());
      DecisionAction action = c.verdict().transientFailure() ? DecisionAction.RETRY : DecisionAction.DEAD_LETTER;
      decisions.decide(new Decision(c.taskId(), c.attempt(), action,
          action == DecisionAction.RETRY ? Instant.now() : null, c.verdict().rootCause(), "retry-stand-in"));
    }).completion(), LIMIT, "registering the stand-in retry service");

    LedgerClient probe = new LedgerClient(workerMember, 5_000);
    BoundedWait.until("the ledger answering across the cluster", LIMIT,
        () -> await(probe.stats().map(true).otherwise(false), LIMIT, "stats"), () -> "no answer yet");
  }

  @AfterAll
  static void leaveCluster() {
    BoundedWait.closeAll(List.<Runnable>of(
        () -> await(ledgerMember.close(), LIMIT, "closing the ledger member"),
        () -> await(analyzerMember.close(), LIMIT, "closing the analyzer member"),
        () -> await(pg.close(), LIMIT, "closing the pool"),
        () -> await(db.drop(workerMember), LIMIT, "dropping the database"),
        () -> await(workerMember.close(), LIMIT, "closing the worker member")));
  }

  @Test
  void aFailureIsRecordedClassifiedDecidedRetriedAndLearnedAcrossTheCluster() {
    LedgerClient worker = new LedgerClient(workerMember, 10_000);
    String stage = "publish";
    await(worker.enqueue(EnqueueRequest.builder(stage).workflowId("release-42").build()), LIMIT, "enqueue");
    TaskView first = await(worker.claim(ClaimRequest.builder("w1").stage(stage).build()), LIMIT, "claim").get(0);
    String token = "ghp_" + "Qq1Ww2Ee3Rr4Tt5Yy6Uu7Ii8Oo9Pp0AaSsDd";
    await(worker.fail(FailureEvent.builder()
        .taskId(first.id())
        .attempt(first.attempt())
        .leaseToken(first.leaseToken())
        .source("w1")
        .message("npm ERR! 503 Service Unavailable - GET https://registry.npmjs.org/left-pad (token " + token + ")")
        .httpStatus(503)
        .build()), LIMIT, "report the failure");

    // the analyzer classified it and the stand-in retry service got the verdict
    BoundedWait.until("FailureClassified at the retry service", LIMIT, () -> !classified.isEmpty(), classified::toString);
    JsonObject c = classified.get(0);
    assertThat(c.getString("taskId")).isEqualTo(first.id().toString());
    assertThat(c.getJsonObject("verdict").getBoolean("transient")).isTrue();
    assertThat(c.getJsonObject("verdict").getString("fingerprint")).matches("[0-9a-f]{16}");
    assertThat(c.encode()).doesNotContain(token);

    // the decision came back to the ledger: the task is due again; the second attempt succeeds
    BoundedWait.until("the decision applied", LIMIT, () -> "RETRY".equals(decisionOf(first.id())), () -> "no decision yet");
    TaskView second = await(worker.claim(ClaimRequest.builder("w2").stage(stage).waitMs(10_000).build()),
        LIMIT, "claim again").get(0);
    assertThat(second.attempt()).isEqualTo(2);
    await(worker.complete(CompleteRequest.of(second.id(), second.leaseToken(), null)), LIMIT, "complete");
    assertThat(await(worker.get(first.id()), LIMIT, "get").state()).isEqualTo(TaskState.DONE);

    // the analyzer learned the outcome from rebound.events.tasks
    String fp = c.getJsonObject("verdict").getString("fingerprint");
    BoundedWait.until("healed-by-retry learned", LIMIT, () -> healedByRetry(fp) == 1, () -> "healed " + healedByRetry(fp));
  }

  private static String decisionOf(UUID task) {
    var rows = await(pg.preparedQuery("SELECT decision FROM ledger.failures WHERE task_id = $1").execute(Tuple.of(task)),
        LIMIT, "read the failure");
    return rows.size() == 0 ? null : rows.iterator().next().getString(0);
  }

  private static long healedByRetry(String fingerprint) {
    var rows = await(pg.preparedQuery("SELECT healed_by_retry FROM analyzer.fingerprints WHERE fingerprint = $1")
        .execute(Tuple.of(fingerprint)), LIMIT, "read the fingerprint");
    return rows.size() == 0 ? -1 : rows.iterator().next().getLong(0);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
