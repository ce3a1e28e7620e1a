package dev.rebound.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.NotifierApi;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The notifier on a real PostgreSQL and event bus, configured by a YAML file, delivering to local stubs that enforce
 * Slack's, PagerDuty's and Teams' payloads and rate limits. Its periodic sweeps are set to an hour: the test runs each
 * pass itself ({@link #sweep()}) while it polls for an outcome.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotifierServiceTest {
  static final String SLACK_SECRET = "T0SLACK/B0SLACK/XXslackSECRETxx";
  static final String ROUTING_KEY = "R0UTINGKEYsecret0123456789abcdef";
  static final String TEAMS_SECRET = "teamsSECRETworkflow";
  static final String HOOK_SECRET = "hookSECRETpath";
  static final String SIGNING_KEY = "signingSECRETkey";

  static Vertx vertx;
  static TestDatabase db;
  static Pool pool;
  static Settings settings;
  static NotifierVerticle notifier;
  static String deployment;
  static WebClient http;
  static final ChannelStubs stubs = new ChannelStubs();
  static final List<JsonObject> published = new CopyOnWriteArrayList<>();
  static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    vertx = Vertx.vertx();
    int port = await(stubs.start(vertx));
    db = await(TestDatabase.create(vertx, "notifier"));
    Path yaml = dir.resolve("rebound.yaml");
    Files.writeString(yaml, config("http://127.0.0.1:" + port));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    settings = Settings.load(Map.of(), Optional.of(yaml)).withOverrides(o);
    settings.requireKnown(NotifierConfig.KEYS);
    deploy();
    pool = db.pool(vertx, 2);
    http = WebClient.create(vertx);
    await(vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_ALERTS, m -> published.add(m.body())).completion());
  }

  static String config(String base) {
    return """
        notifier:
          sweep-interval: 1h
          delivery:
            retry-base: 50ms
            retry-max: 200ms
          endpoint:
            failure-threshold: 3
            pause: 250ms
          receivers:
            - name: team-slack
              slack: {url: %1$s/slack/%2$s}
            - name: oncall-pagerduty
              pagerduty: {routing-key: %3$s, url: %1$s/pd}
            - name: teams
              teams: {url: %1$s/teams/%4$s}
            - name: hook
              webhook: {url: %1$s/hook/%5$s, signing-key: %6$s}
            - name: storm-slack
              slack: {url: %1$s/slack/storm-%2$s}
            - name: flaky
              webhook: {url: %1$s/flaky/%5$s}
          route:
            receiver: team-slack
            group-by: [kind, stage]
            group-wait: 100ms
            group-interval: 200ms
            repeat-interval: 1h
            routes:
              - matchers: ['kind="dead-letter"']
                receiver: oncall-pagerduty
                continue: true
              - matchers: ['kind="dead-letter"']
                receiver: team-slack
              - matchers: ['kind="escalate"']
                receiver: hook
                group-by: ['...']
                escalation:
                  steps: [{after: 400ms, receivers: [teams]}, {after: 400ms, receivers: [hook]}]
                  repeat-interval: 400ms
                  max-repeats: 1
              - matchers: ['kind="storm"']
                receiver: storm-slack
                group-by: [kind]
                group-wait: 1s
              - matchers: ['kind="flaky"']
                receiver: flaky
                group-by: ['...']
                group-wait: 0s
              - matchers: ['kind="prometheus"']
                receiver: hook
        """.formatted(base, SLACK_SECRET, ROUTING_KEY, TEAMS_SECRET, HOOK_SECRET, SIGNING_KEY);
  }

  static void deploy() throws Exception {
    notifier = new NotifierVerticle(NotifierConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
    deployment = await(vertx.deployVerticle(notifier));
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    await(pool.close());
    await(vertx.undeploy(deployment));
    await(stubs.stop());
    await(db.drop(vertx));
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Polls for an outcome, running a pass of the notifier's sweeps before each look. */
  static void eventually(BooleanSupplier c) throws Exception {
    eventually(c, 20_000);
  }

  /** {@link #eventually(BooleanSupplier)} with a longer patience, for the storm on a busy machine. */
  static void eventually(BooleanSupplier c, long patienceMs) throws Exception {
    long deadline = System.currentTimeMillis() + patienceMs;
    while (!c.getAsBoolean() && System.currentTimeMillis() < deadline) {
      sweep();
      Thread.sleep(20);
    }
    assertThat(c.getAsBoolean()).isTrue();
  }

  /** One pass of what the periodic sweeps do: flush due groups, fire due escalation steps, drain the outbox. */
  static void sweep() throws Exception {
    await(notifier.timers().flushDueGroups()
        .compose(groups -> notifier.timers().fireDueEscalations())
        .compose(steps -> notifier.drainOutbox()));
  }

  static JsonObject raise(JsonObject event) throws Exception {
    return await(vertx.eventBus().<JsonObject>request(Addresses.NOTIFIER_ALERTS, event)).body();
  }

  static HttpResponse<Buffer> post(String path, Object body) throws Exception {
    // as Alertmanager and every JSON client send it
    var req = http.post(notifier.actualPort(), "127.0.0.1", path).putHeader("Content-Type", "application/json");
    return await(body instanceof String s ? req.sendBuffer(Buffer.buffer(s))
        : body instanceof JsonArray a ? req.sendBuffer(a.toBuffer()) : req.sendJsonObject((JsonObject) body));
  }

  static HttpResponse<Buffer> get(String path) throws Exception {
    return await(http.get(notifier.actualPort(), "127.0.0.1", path).send());
  }

  static long count(String sql, Object... args) throws Exception {
    return await(pool.preparedQuery(sql).execute(Tuple.from(args))).iterator().next().getLong(0);
  }

  static long pdEvents(String dedupKey, String action) {
    return stubs.pagerduty.stream().filter(e -> dedupKey.equals(e.getString("dedup_key"))
        && action.equals(e.getString("event_action"))).count();
  }

  static long slackMentioning(String text) {
    return stubs.slack.stream().filter(m -> m.encode().contains(text)).count();
  }

  @Test
  @Order(1)
  void aDeadLetterReachesSlackAndPagerDutyAndResolvesItselfWhenTheTaskSucceeds() throws Exception {
    UUID task = UUID.randomUUID();
    JsonObject reply = raise(new JsonObject().put("kind", "dead-letter").put("task", task.toString())
        .put("stage", "deploy").put("workflow", "wf-1").put("severity", "critical").put("category", "NETWORK")
        .put("summary", "connection refused by db:5432 after 5 attempts")
        .put("details", new JsonObject().put("rootCause", "database down").put("recommendation", "check the database")));
    assertThat(reply.getString("change")).isEqualTo("OPENED");
    assertThat(count("SELECT count(*) FROM notifier.alerts WHERE id = $1", UUID.fromString(reply.getString("id"))))
        .isEqualTo(1); // committed before the answer
    String dedupKey = "dead-letter:" + task;
    eventually(() -> pdEvents(dedupKey, "trigger") == 1 && slackMentioning(task.toString()) == 1);
    JsonObject trigger = stubs.pagerduty.stream().filter(e -> dedupKey.equals(e.getString("dedup_key"))).findFirst()
        .orElseThrow();
    assertThat(trigger.getJsonObject("payload").getString("severity")).isEqualTo("critical");
    assertThat(trigger.getJsonObject("payload").getJsonObject("custom_details").getString("rootCause"))
        .isEqualTo("database down");

    // a repeat of the same dead letter is the same alert: no second page
    assertThat(raise(new JsonObject().put("kind", "dead-letter").put("task", task.toString()).put("stage", "deploy")
        .put("summary", "again")).getString("change")).isEqualTo("UPDATED");

    Transition done = new Transition(task, "wf-1", "deploy", TaskState.RUNNING, TaskState.DONE, 7, "completed", null,
        "worker-1", null, Instant.now());
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, done.toJson());
    eventually(() -> pdEvents(dedupKey, "resolve") == 1
        && stubs.slack.stream().anyMatch(m -> m.getString("text").startsWith("[RESOLVED]") && m.encode().contains(task.toString())));
    assertThat(pdEvents(dedupKey, "trigger")).isEqualTo(1);
    JsonObject alert = get("/v1/alerts/" + reply.getString("id")).bodyAsJsonObject();
    assertThat(alert.getString("state")).isEqualTo("resolved");
    assertThat(alert.getJsonArray("history").getJsonObject(1).getString("reason")).contains("succeeded");
    assertThat(published).anyMatch(e -> e.encode().contains(task.toString()));
    assertThat(stubs.invalid).isEmpty();
  }

  @Test
  @Order(2)
  void anUnacknowledgedAlertEscalatesRepeatsUpToItsMaximumAndStopsOnAcknowledgement() throws Exception {
    String a = raise(new JsonObject().put("kind", "escalate").put("workflow", "esc-a").put("severity", "critical")
        .put("summary", "payments are failing")).getString("id");
    String b = raise(new JsonObject().put("kind", "escalate").put("workflow", "esc-b").put("severity", "critical")
        .put("summary", "search is failing")).getString("id");
    // b: acknowledged once its first step reached Teams
    eventually(() -> teamsMentioning("search is failing") == 1);
    assertThat(post("/v1/alerts/" + b + "/ack", new JsonObject().put("by", "alice").put("comment", "on it"))
        .statusCode()).isEqualTo(200);
    // a: teams, hook, then once more (max-repeats 1): two of each, then nothing
    eventually(() -> steps(a) == 4);
    eventually(() -> hookMentioning("payments are failing", "escalation/") == 2);
    eventually(() -> teamsMentioning("payments are failing") == 2); // Teams' own bucket may deliver it after the hook
    assertThat(teamsMentioning("payments are failing")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM notifier.alerts WHERE id = $1 AND next_escalation_at IS NULL",
        UUID.fromString(a))).isEqualTo(1);
    assertThat(steps(b)).isEqualTo(1);
    assertThat(teamsMentioning("search is failing")).isEqualTo(1);
    JsonObject acked = get("/v1/alerts/" + b).bodyAsJsonObject();
    assertThat(acked.getString("state")).isEqualTo("acknowledged");
    assertThat(acked.getString("acknowledgedBy")).isEqualTo("alice");
  }

  static long steps(String alertId) {
    try {
      return count("SELECT count(*) FROM notifier.escalation_steps WHERE alert_id = $1", UUID.fromString(alertId));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long teamsMentioning(String text) {
    return stubs.teams.stream().filter(m -> m.encode().contains(text)).count();
  }

  static long hookMentioning(String text, String groupPrefix) {
    return stubs.hooks.stream().filter(m -> m.encode().contains(text)
        && m.getString("groupKey", "").startsWith(groupPrefix)).count();
  }

  @Test
  @Order(3)
  void aRestartedNotifierFiresTheNextEscalationStepOnce() throws Exception {
    String id = raise(new JsonObject().put("kind", "escalate").put("workflow", "esc-restart").put("severity", "critical")
        .put("summary", "billing is failing")).getString("id");
    eventually(() -> steps(id) == 1);
    await(vertx.undeploy(deployment));
    deploy();
    eventually(() -> steps(id) >= 2);
    eventually(() -> hookMentioning("billing is failing", "escalation/" + id + "/1/0") == 1);
    assertThat(count("SELECT count(*) FROM notifier.escalation_steps WHERE alert_id = $1 AND step = 1 AND repeat = 0",
        UUID.fromString(id))).isEqualTo(1);
    assertThat(post("/v1/alerts/" + id + "/resolve", new JsonObject()).statusCode()).isEqualTo(200);
    assertThat(hookMentioning("billing is failing", "escalation/" + id + "/1/0")).isEqualTo(1);
  }

  @Test
  @Order(4)
  void aStormOfTwentyThousandAlertsOfOneFingerprintBecomesABoundedNumberOfNotificationsWithNo429AndNothingLost()
      throws Exception {
    int n = 20_000;
    int throttledBefore = stubs.throttled.get();
    long started = System.nanoTime();
    storm(n, 1_000);
    assertThat(count("SELECT count(*) FROM notifier.alerts WHERE labels ->> 'fingerprint' = 'fp-storm'")).isEqualTo(n);
    eventually(() -> stubs.slack.stream().anyMatch(m -> m.getString("_path").contains("storm-")), 60_000);
    eventually(() -> {
      try {
        return count("SELECT count(*) FROM notifier.deliveries WHERE status IN ('PENDING', 'SENDING')") == 0
            && count("SELECT count(*) FROM notifier.groups WHERE group_key LIKE '%kind=\"storm\"%' AND has_flushed") == 1
            && count("SELECT count(*) FROM notifier.group_members WHERE group_key LIKE '%kind=\"storm\"%'"
                + " AND NOT notified_firing") == 0;
      } catch (Exception e) {
        return false;
      }
    }, 60_000);
    long seconds = (System.nanoTime() - started) / 1_000_000_000L + 1;
    long stormMessages = stubs.slack.stream().filter(m -> m.getString("_path").contains("storm-")).count();
    // Slack's documented limit (1/s, a burst of 3) bounds the messages however many alerts there are: the backlog
    // became digests instead of 20,000 posts
    assertThat(stormMessages).isBetween(1L, 3 + seconds);
    assertThat(stubs.slack.stream().filter(m -> m.getString("_path").contains("storm-")).findFirst().orElseThrow()
        .getString("text")).contains("more");
    assertThat(stubs.throttled.get()).as("429s answered during the storm").isEqualTo(throttledBefore);
    assertThat(stubs.unhonoured.get()).isZero();
    assertThat(count("SELECT count(*) FROM notifier.deliveries WHERE status = 'FAILED'")).isZero();
    // nothing lost: every alert of the storm is in a notification Slack accepted
    assertThat(count("SELECT count(DISTINCT f) FROM notifier.deliveries d, jsonb_array_elements_text(d.message -> 'firing') f"
        + " WHERE d.status = 'SENT' AND d.group_key LIKE '%kind=\"storm\"%'")).isEqualTo(n);
  }

  /** Raises {@code n} alerts of one fingerprint (distinct tasks, one group), {@code window} requests in flight. */
  static void storm(int n, int window) throws Exception {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      vertx.eventBus().<JsonObject>request(Addresses.NOTIFIER_ALERTS, new JsonObject().put("kind", "storm")
          .put("fingerprint", "fp-storm").put("task", "storm-" + i).put("stage", "s" + (i % 7))
          .put("summary", "storm failure " + i)).onComplete(ar -> {
            if (ar.failed()) {
              done.tryFail(ar.cause());
            } else if (answered.incrementAndGet() == n) {
              done.tryComplete();
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
  }

  @Test
  @Order(5)
  void aReceiverThatIsDownGetsEveryAlertOnceAfterItReturns() throws Exception {
    stubs.flakyDown.set(true);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      keys.add(raise(new JsonObject().put("kind", "flaky").put("task", "flaky-" + i).put("summary", "flaky " + i))
          .getString("dedupKey"));
    }
    eventually(() -> stubs.flakyRefused.get() >= 5);
    eventually(() -> {
      try {
        return count("SELECT count(*) FROM notifier.endpoints WHERE paused_until IS NOT NULL") >= 1;
      } catch (Exception e) {
        return false;
      }
    });
    stubs.flakyDown.set(false);
    eventually(() -> keys.stream().allMatch(k -> flakyMentioning(k) >= 1));
    eventually(() -> {
      try {
        return count("SELECT count(*) FROM notifier.deliveries WHERE endpoint_key LIKE 'webhook:%' AND status IN ('PENDING', 'SENDING')") == 0;
      } catch (Exception e) {
        return false;
      }
    });
    keys.forEach(k -> assertThat(flakyMentioning(k)).as(k).isEqualTo(1));
  }

  static long flakyMentioning(String dedupKey) {
    return stubs.flaky.stream().filter(m -> m.encode().contains("\"" + dedupKey + "\"")).count();
  }

  @Test
  @Order(6)
  void aSlack429WithRetryAfterIsWaitedOut() throws Exception {
    int throttledBefore = stubs.throttled.get();
    stubs.forceSlack429.set(1);
    long asked = System.currentTimeMillis();
    raise(new JsonObject().put("kind", "throttled").put("stage", "t429").put("summary", "throttled alert"));
    eventually(() -> slackMentioning("throttled alert") == 1);
    assertThat(System.currentTimeMillis() - asked).isGreaterThanOrEqualTo(1000);
    assertThat(stubs.throttled.get()).isGreaterThan(throttledBefore);
    assertThat(stubs.unhonoured.get()).isZero();
  }

  @Test
  @Order(7)
  void silencesMuteAndAnOpenCircuitInhibitsTheDeadLettersOfItsStage() throws Exception {
    HttpResponse<Buffer> silence = post("/v1/silences", new JsonObject()
        .put("matchers", new JsonArray().add("stage=\"quiet\"")).put("duration", "1h")
        .put("createdBy", "bob").put("comment", "maintenance"));
    assertThat(silence.statusCode()).isEqualTo(201);
    raise(new JsonObject().put("kind", "dead-letter").put("task", "quiet-1").put("stage", "quiet").put("summary", "muted one"));
    raise(new JsonObject().put("kind", "circuit-open").put("circuit", "stage:inh").put("stage", "inh")
        .put("summary", "circuit of inh open"));
    raise(new JsonObject().put("kind", "dead-letter").put("task", "inh-1").put("stage", "inh").put("summary", "inhibited one"));
    raise(new JsonObject().put("kind", "dead-letter").put("task", "loud-1").put("stage", "loud").put("summary", "loud one"));
    eventually(() -> slackMentioning("loud one") == 1 && slackMentioning("circuit of inh open") == 1);
    eventually(() -> {
      try {
        return count("SELECT count(*) FROM notifier.groups WHERE group_key LIKE '%stage=\"quiet\"%' AND has_flushed") >= 1
            && count("SELECT count(*) FROM notifier.groups WHERE group_key LIKE '%kind=\"dead-letter\"%stage=\"inh\"%' AND has_flushed") >= 1;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(slackMentioning("muted one")).isZero();
    assertThat(slackMentioning("inhibited one")).isZero();
    assertThat(pdEvents("dead-letter:quiet-1", "trigger") + pdEvents("dead-letter:inh-1", "trigger")).isZero();
    assertThat(pdEvents("dead-letter:loud-1", "trigger")).isEqualTo(1);

    // the circuit closes: its alert resolves by itself
    vertx.eventBus().publish(Addresses.EVENTS_CIRCUITS, new JsonObject().put("name", "stage:inh").put("from", "OPEN")
        .put("to", "CLOSED").put("reason", "probe succeeded").put("at", Instant.now().toString()));
    eventually(() -> {
      try {
        return get("/v1/alerts?state=open&labels=circuit=stage:inh").bodyAsJsonObject().getJsonArray("alerts").isEmpty();
      } catch (Exception e) {
        return false;
      }
    });
    String silenceId = silence.bodyAsJsonObject().getString("id");
    assertThat(await(http.delete(notifier.actualPort(), "127.0.0.1", "/v1/silences/" + silenceId).send())
        .bodyAsJsonObject().getString("state")).isEqualTo("expired");
  }

  @Test
  @Order(8)
  void theAlertmanagerIntakeAcceptsAPrometheusPayload() throws Exception {
    JsonArray alerts = new JsonArray().add(new JsonObject()
        .put("labels", new JsonObject().put("alertname", "HighErrorRate").put("job", "api").put("severity", "warning"))
        .put("annotations", new JsonObject().put("summary", "error rate above 5%").put("runbook", "https://runbooks/x"))
        .put("startsAt", "2025-01-01T10:00:00.000Z").put("endsAt", "0001-01-01T00:00:00Z")
        .put("generatorURL", "http://prometheus:9090/graph?g0.expr=x"));
    HttpResponse<Buffer> r = post("/api/v2/alerts", alerts);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray listed = get("/v1/alerts?labels=alertname=HighErrorRate").bodyAsJsonObject().getJsonArray("alerts");
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getString("source")).isEqualTo("alertmanager");
    assertThat(listed.getJsonObject(0).getString("summary")).isEqualTo("error rate above 5%");
    eventually(() -> hookMentioning("error rate above 5%", "{}") == 1);
    String signature = stubs.hookSignatures.get(stubs.hooks.size() - 1);
    assertThat(signature).matches("t=\\d+,sha256=[0-9a-f]{64}");
  }

  @Test
  @Order(9)
  void badInputOnEveryEndpointAndTheIntakeAddressIsAClearErrorAndWritesNothing() throws Exception {
    long alerts = count("SELECT count(*) FROM notifier.alerts");
    long silences = count("SELECT count(*) FROM notifier.silences");
    assertBusError(new JsonObject().put("summary", "no kind"), "kind");
    assertBusError(new JsonObject().put("kind", "x").put("summary", "s").put("colour", "red"), "colour");
    assertBusError(new JsonObject().put("kind", "x").put("summary", "s").put("startsAt", "yesterday"), "startsAt");
    assertHttp(post("/v1/alerts", new JsonObject().put("summary", "no labels")), 400, "labels");
    assertHttp(post("/v1/alerts", "{not json"), 400, "malformed");
    assertHttp(post("/api/v2/alerts", new JsonObject().put("labels", new JsonObject())), 400, "array");
    assertHttp(post("/api/v2/alerts", new JsonArray().add(new JsonObject().put("labels", new JsonObject().put("a", "b")))
        .add(new JsonObject().put("labels", new JsonObject().put("9bad", "x")))), 400, "[1].labels");
    // a list whose second alert holds a value the database cannot store is refused whole: the first is not written
    assertHttp(post("/api/v2/alerts", new JsonArray()
        .add(new JsonObject().put("labels", new JsonObject().put("alertname", "FirstOfTwo")))
        .add(new JsonObject().put("labels", new JsonObject().put("alertname", "a\u0000b")))), 400, "[1].labels.alertname");
    assertHttp(post("/v1/alerts", new JsonObject().put("labels", new JsonObject().put("team", "x")).put("summary", "s")
        .put("details", new JsonObject().put("note", new JsonArray().add("\ud800")))), 400, "details.note");
    assertHttp(get("/v1/alerts?state=sleeping"), 400, "state");
    assertHttp(get("/v1/alerts?labels=justtext"), 400, "labels");
    assertHttp(get("/v1/alerts?colour=red"), 400, "colour");
    assertHttp(get("/v1/alerts/not-a-uuid"), 400, "id");
    assertHttp(get("/v1/alerts/" + UUID.randomUUID()), 404, "does not exist");
    assertHttp(post("/v1/alerts/" + UUID.randomUUID() + "/ack", new JsonObject()), 404, "does not exist");
    assertHttp(post("/v1/alerts/" + UUID.randomUUID() + "/resolve", new JsonObject().put("why", "x")), 400, "why");
    assertHttp(post("/v1/silences", new JsonObject().put("matchers", new JsonArray().add("stage=~\".*\""))
        .put("duration", "1h").put("createdBy", "x").put("comment", "y")), 400, "matchers");
    assertHttp(post("/v1/silences", new JsonObject().put("matchers", new JsonArray().add("stage=\"a\""))
        .put("duration", "1h").put("comment", "y")), 400, "createdBy");
    assertHttp(post("/v1/silences", new JsonObject().put("matchers", new JsonArray().add("stage=(\"a\""))
        .put("duration", "1h").put("createdBy", "x").put("comment", "y")), 400, "matchers[0]");
    assertHttp(get("/v1/silences?state=loud"), 400, "state");
    assertHttp(await(http.delete(notifier.actualPort(), "127.0.0.1", "/v1/silences/" + UUID.randomUUID()).send()), 404,
        "does not exist");
    assertHttp(get("/v1/deliveries?status=lost"), 400, "status");
    assertHttp(post("/v1/deliveries/abc/retry", new JsonObject()), 400, "id");
    assertHttp(post("/v1/deliveries/999999999/retry", new JsonObject()), 404, "does not exist");
    assertHttp(get("/v1/routes?x=1"), 400, "x");
    assertHttp(post("/v1/routes/test", new JsonObject()), 400, "labels");
    // an acknowledged alert cannot be acknowledged again
    String id = raise(new JsonObject().put("kind", "twice").put("summary", "ack twice")).getString("id");
    assertThat(post("/v1/alerts/" + id + "/ack", new JsonObject()).statusCode()).isEqualTo(200);
    assertHttp(post("/v1/alerts/" + id + "/ack", new JsonObject()), 409, "acknowledged");
    assertThat(count("SELECT count(*) FROM notifier.alerts")).isEqualTo(alerts + 1);
    assertThat(count("SELECT count(*) FROM notifier.silences")).isEqualTo(silences);
  }

  static void assertBusError(JsonObject body, String mentions) throws Exception {
    Throwable t = vertx.eventBus().request(Addresses.NOTIFIER_ALERTS, body).toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).join();
    ReboundException e = ReboundException.from(t);
    assertThat(e.code().name()).isEqualTo("BAD_REQUEST");
    assertThat(e.getMessage()).contains(mentions);
  }

  static void assertHttp(HttpResponse<Buffer> r, int status, String mentions) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains(mentions);
  }

  @Test
  @Order(10)
  void routesAreShownAndTestedWithoutSecretsAndNoLogLineOrAnswerHoldsOne() throws Exception {
    JsonObject routes = get("/v1/routes").bodyAsJsonObject();
    assertThat(routes.getJsonObject("route").getJsonArray("routes")).hasSize(6);
    JsonObject test = post("/v1/routes/test", new JsonObject().put("labels", new JsonObject()
        .put("kind", "dead-letter").put("stage", "x"))).bodyAsJsonObject();
    assertThat(test.getJsonArray("matches").stream().map(m -> ((JsonObject) m).getString("receiver")).toList())
        .containsExactly("oncall-pagerduty", "team-slack"); // `continue` fans out
    HttpResponse<Buffer> deliveries = get("/v1/deliveries?limit=1000");
    assertThat(deliveries.statusCode()).isEqualTo(200);
    assertThat(deliveries.bodyAsJsonObject().getJsonArray("deliveries")).isNotEmpty();
    assertThat(get("/v1/deliveries?status=sent").bodyAsJsonObject().getJsonArray("deliveries").stream()
        .allMatch(d -> "sent".equals(((JsonObject) d).getString("status")))).isTrue();
    List<String> answers = List.of(routes.encode(), test.encode(), get("/v1/deliveries?limit=1000").bodyAsString(),
        get("/v1/alerts?limit=1000").bodyAsString(), get("/v1/silences").bodyAsString());
    String logged = logs.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
        : ThrowableProxyUtil.asString(e.getThrowableProxy()))).collect(Collectors.joining("\n"));
    for (String secret : List.of(SLACK_SECRET, "XXslackSECRETxx", ROUTING_KEY, TEAMS_SECRET, HOOK_SECRET, SIGNING_KEY)) {
      assertThat(logged).doesNotContain(secret);
      answers.forEach(a -> assertThat(a).doesNotContain(secret));
    }
    String stored = await(pool.query("SELECT string_agg(payload::text, ' ') FROM notifier.deliveries").execute())
        .iterator().next().getString(0);
    assertThat(stored).doesNotContain(ROUTING_KEY).doesNotContain(SLACK_SECRET);
  }

  @Test
  @Order(11)
  void everyNotifierApiEntryIsServedOnItsAddressOrRoute() {
    assertThat(notifier.operations().bound()).isEqualTo(EnumSet.allOf(NotifierApi.class));
    Set<String> declared = Arrays.stream(NotifierApi.values()).filter(op -> op.route() != null)
        .map(op -> op.route().method() + " " + op.route().path()).collect(Collectors.toSet());
    Set<String> served = notifier.routes().getRoutes().stream()
        .filter(r -> r.methods() != null && !r.methods().isEmpty() && r.getPath() != null
            && r.getPath().startsWith("/v1/"))
        .flatMap(r -> r.methods().stream().map(m -> m + " " + r.getPath())).collect(Collectors.toSet());
    assertThat(served).isEqualTo(declared);
  }

  @Test
  @Order(12)
  void aDeadLetterThatADecisionTakesOutOfTheQueueResolvesItsAlert() throws Exception {
    UUID task = UUID.randomUUID();
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new Transition(task, "wf-prov", "provisional", TaskState.RUNNING,
        TaskState.FAILED, 5, "no attempts left (provisional)", "java.net.SocketTimeoutException: Read timed out",
        "ledger", null, Instant.now()).toJson());
    String path = "/v1/alerts?labels=task=" + task;
    eventually(() -> alertsAt(path).size() == 1 && "firing".equals(alertsAt(path).getJsonObject(0).getString("state")));

    // the retry service's RETRY replaced the provisional dead letter
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new Transition(task, "wf-prov", "provisional", TaskState.FAILED,
        TaskState.RETRY, 5, "the retry service's decision replaced the provisional dead letter", null,
        "retry-service", null, Instant.now()).toJson());
    eventually(() -> "resolved".equals(alertsAt(path).getJsonObject(0).getString("state")));
    JsonObject alert = get("/v1/alerts/" + alertsAt(path).getJsonObject(0).getString("id")).bodyAsJsonObject();
    assertThat(alert.getJsonArray("history").encode()).contains("left the dead-letter queue (now RETRY)");
  }

  private static JsonArray alertsAt(String path) {
    try {
      return get(path).bodyAsJsonObject().getJsonArray("alerts");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
