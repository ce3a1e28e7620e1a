package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.HttpRoute;
import dev.rebound.common.client.LedgerApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The HTTP API, and hostile input on HTTP and the event bus: a clear code and message, nothing half-written. */
class LedgerHttpTest {
  static LedgerHarness h;
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("http", Map.of("ledger.payload-limit-bytes", "4096"));
    pool = h.db.pool(h.vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
  }

  static HttpResponse<Buffer> call(HttpMethod m, String path, Object body) throws Exception {
    return await(h.request(m, path, body));
  }

  static void assertError(HttpResponse<Buffer> r, int status, String code, String messagePart) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject err = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo(code);
    assertThat(err.getString("message")).contains(messagePart);
  }

  static long rows(String table) throws Exception {
    return await(pool.query("SELECT count(*) FROM ledger." + table).execute()).iterator().next().getLong(0);
  }

  @Test
  void enqueueIsIdempotentByKey201Then200() throws Exception {
    JsonObject task = new JsonObject().put("stage", "build").put("idempotencyKey", "build-42")
        .put("payload", new JsonObject().put("commit", "abc"));
    HttpResponse<Buffer> first = call(HttpMethod.POST, "/v1/tasks", task);
    assertThat(first.statusCode()).isEqualTo(201);
    HttpResponse<Buffer> second = call(HttpMethod.POST, "/v1/tasks", task);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.bodyAsJsonObject().getJsonObject("task").getString("id"))
        .isEqualTo(first.bodyAsJsonObject().getJsonObject("task").getString("id"));
    HttpResponse<Buffer> got = call(HttpMethod.GET, "/v1/tasks/" + first.bodyAsJsonObject().getJsonObject("task").getString("id"), null);
    assertThat(got.bodyAsJsonObject().getJsonObject("payload")).isEqualTo(new JsonObject().put("commit", "abc"));
    assertThat(got.getHeader("X-Correlation-Id")).isNotBlank();
  }

  @Test
  void aFullLifecycleOverHttpWithClaimCompleteAndHistory() throws Exception {
    String stage = "http-" + UUID.randomUUID().toString().substring(0, 6);
    String id = call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", stage)).bodyAsJsonObject()
        .getJsonObject("task").getString("id");
    JsonObject claim = call(HttpMethod.POST, "/v1/tasks/claim", new JsonObject().put("worker", "w").put("stage", stage).put("limit", 5))
        .bodyAsJsonObject();
    JsonObject t = claim.getJsonArray("tasks").getJsonObject(0);
    assertThat(t.getString("id")).isEqualTo(id);
    HttpResponse<Buffer> hb = call(HttpMethod.POST, "/v1/tasks/" + id + "/heartbeat", new JsonObject().put("leaseToken", t.getString("leaseToken")));
    assertThat(hb.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> done = call(HttpMethod.POST, "/v1/tasks/" + id + "/complete",
        new JsonObject().put("leaseToken", t.getString("leaseToken")).put("result", new JsonObject().put("n", 1)));
    assertThat(done.statusCode()).isEqualTo(200);
    JsonArray history = call(HttpMethod.GET, "/v1/tasks/" + id + "/history", null).bodyAsJsonObject().getJsonArray("history");
    assertThat(history).hasSize(3);
    JsonObject stats = call(HttpMethod.GET, "/v1/stats", null).bodyAsJsonObject();
    assertThat(stats.getJsonObject("byStage").getJsonObject(stage).getLong("DONE")).isEqualTo(1L);
    assertThat(call(HttpMethod.GET, "/openapi.yaml", null).bodyAsString()).contains("/v1/tasks/claim");
  }

  @Test
  void listingsPageThroughEveryTaskOnceInCreationOrder() throws Exception {
    String stage = "page-" + UUID.randomUUID().toString().substring(0, 6);
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      created.add(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", stage).put("agent", "crawler"))
          .bodyAsJsonObject().getJsonObject("task").getString("id"));
    }
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonObject page = call(HttpMethod.GET, "/v1/tasks?stage=" + stage + "&agent=crawler&state=QUEUED&limit=3"
          + (after == null ? "" : "&after=" + after), null).bodyAsJsonObject();
      page.getJsonArray("tasks").forEach(t -> seen.add(((JsonObject) t).getString("id")));
      after = page.getString("next");
      pages++;
    } while (after != null && pages < 10);
    assertThat(seen).containsExactlyElementsOf(created);
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void aBackslashFollowedByU0000InAStringIsTextNotANulCharacter() throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s")
        .put("payload", new JsonObject().put("log", "escaped \\u0000 in a log line")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
  }

  @Test
  void anOperatorsExpectedVersionGuardsAgainstLostUpdates() throws Exception {
    JsonObject task = call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "versioned")).bodyAsJsonObject().getJsonObject("task");
    String id = task.getString("id");
    long version = task.getLong("version");
    assertThat(call(HttpMethod.POST, "/v1/tasks/" + id + "/block", new JsonObject().put("expectedVersion", version)).statusCode()).isEqualTo(200);
    // someone else acting on what they saw before the block
    assertError(call(HttpMethod.POST, "/v1/tasks/" + id + "/unblock", new JsonObject().put("expectedVersion", version)),
        409, "CONFLICT", "changed meanwhile");
    assertThat(call(HttpMethod.POST, "/v1/tasks/" + id + "/unblock", new JsonObject().put("expectedVersion", version + 1)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aFailureReportIsAcceptedWith202AndRepeatsAreDuplicates() throws Exception {
    String failureId = UUID.randomUUID().toString();
    JsonObject f = new JsonObject().put("failureId", failureId).put("message", "upstream timed out").put("source", "scraper");
    HttpResponse<Buffer> first = call(HttpMethod.POST, "/v1/failures", f);
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(first.bodyAsJsonObject().getBoolean("duplicate")).isFalse();
    HttpResponse<Buffer> again = call(HttpMethod.POST, "/v1/failures", f);
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.bodyAsJsonObject().getBoolean("duplicate")).isTrue();
    long n = await(pool.preparedQuery("SELECT count(*) FROM ledger.failures WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(failureId)))).iterator().next().getLong(0);
    assertThat(n).isEqualTo(1);
  }

  @Test
  void recordedFailuresAreListedNewestFirstByFilterAndPageAndReadOneByOne() throws Exception {
    String stage = "listing-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = UUID.randomUUID().toString();
      ids.add(id);
      JsonObject f = new JsonObject().put("failureId", id).put("message", "upstream timed out " + i + " password=hunter2")
          .put("source", "app").put("stage", stage).put("workflowId", i < 3 ? "wf-a" : "wf-b")
          .put("stackTrace", "java.net.SocketTimeoutException: Read timed out\n\tat x.Y.z(Y.java:1)")
          .put("details", new JsonObject().put("host", "db-1"));
      assertThat(call(HttpMethod.POST, "/v1/failures", f).statusCode()).isEqualTo(202);
      Thread.sleep(5);
    }
    // a task's failure in the same stage
    String task = call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", stage)).bodyAsJsonObject()
        .getJsonObject("task").getString("id");
    JsonObject claimed = call(HttpMethod.POST, "/v1/tasks/claim", new JsonObject().put("worker", "w").put("stage", stage))
        .bodyAsJsonObject().getJsonArray("tasks").getJsonObject(0);
    assertThat(call(HttpMethod.POST, "/v1/failures", new JsonObject().put("taskId", task).put("leaseToken",
        claimed.getString("leaseToken")).put("message", "HTTP 503 from upstream")).statusCode()).isEqualTo(202);

    JsonObject all = call(HttpMethod.GET, "/v1/failures?stage=" + stage, null).bodyAsJsonObject();
    assertThat(all.getJsonArray("failures")).hasSize(6);
    assertThat(all.getJsonArray("failures").getJsonObject(0).getString("taskId")).isEqualTo(task);
    assertThat(all.getJsonArray("failures").getJsonObject(0).getInteger("attempt")).isEqualTo(1);
    JsonObject free = call(HttpMethod.GET, "/v1/failures?stage=" + stage + "&freeStanding=true&limit=2", null).bodyAsJsonObject();
    assertThat(free.getJsonArray("failures")).extracting(o -> ((JsonObject) o).getString("failureId"))
        .containsExactly(ids.get(4), ids.get(3));
    // the message as stored: redacted
    assertThat(free.getJsonArray("failures").getJsonObject(0).getString("message")).contains("upstream timed out 4")
        .doesNotContain("hunter2");
    JsonObject next = call(HttpMethod.GET, "/v1/failures?stage=" + stage + "&freeStanding=true&limit=2&before="
        + free.getString("next"), null).bodyAsJsonObject();
    assertThat(next.getJsonArray("failures")).extracting(o -> ((JsonObject) o).getString("failureId"))
        .containsExactly(ids.get(2), ids.get(1));
    assertThat(call(HttpMethod.GET, "/v1/failures?workflowId=wf-b&stage=" + stage, null).bodyAsJsonObject()
        .getJsonArray("failures")).hasSize(2);
    assertThat(call(HttpMethod.GET, "/v1/failures?taskId=" + task, null).bodyAsJsonObject()
        .getJsonArray("failures")).hasSize(1);

    JsonObject one = call(HttpMethod.GET, "/v1/failures/" + ids.get(0), null).bodyAsJsonObject();
    assertThat(one.getString("stackTrace")).contains("SocketTimeoutException");
    assertThat(one.getJsonObject("details").getString("host")).isEqualTo("db-1");
    assertThat(one.getString("source")).isEqualTo("app");
    // the event bus answers the same
    JsonObject overBus = await(h.client.failure(UUID.fromString(ids.get(0))));
    assertThat(overBus).isEqualTo(one);

    assertError(call(HttpMethod.GET, "/v1/failures/" + UUID.randomUUID(), null), 404, "NOT_FOUND", "failure");
    assertError(call(HttpMethod.GET, "/v1/failures/not-a-uuid", null), 400, "BAD_REQUEST", "id");
    assertError(call(HttpMethod.GET, "/v1/failures?limit=0", null), 400, "BAD_REQUEST", "limit");
    assertError(call(HttpMethod.GET, "/v1/failures?freeStanding=maybe", null), 400, "BAD_REQUEST", "freeStanding");
    assertError(call(HttpMethod.GET, "/v1/failures?freeStanding=true&taskId=" + task, null), 400, "BAD_REQUEST", "taskId");
  }

  @Test
  void hostileHttpInputGetsAClearErrorAndWritesNothing() throws Exception {
    long tasksBefore = rows("tasks");
    long failuresBefore = rows("failures");
    long historyBefore = rows("history");
    assertError(call(HttpMethod.POST, "/v1/tasks", "{\"stage\": \"x\""), 400, "BAD_REQUEST", "malformed JSON");
    assertError(call(HttpMethod.POST, "/v1/tasks", "[1,2]"), 400, "BAD_REQUEST", "JSON object");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject()), 400, "BAD_REQUEST", "'stage' is required");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", 12)), 400, "BAD_REQUEST", "'stage' must be a string");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "a b; DROP TABLE")), 400, "BAD_REQUEST", "'stage' may only contain");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("priority", "high")), 400, "BAD_REQUEST", "'priority' must be an integer");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("maxAttempts", 0)), 400, "BAD_REQUEST", "'maxAttempts' must be between");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("stagee", "typo")), 400, "BAD_REQUEST", "unknown field 'stagee'");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("runAfter", "tomorrow")), 400, "BAD_REQUEST", "'runAfter' must be an ISO-8601");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("payload", "text")), 400, "BAD_REQUEST", "'payload' must be a JSON object");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("payload", new JsonObject().put("big", "x".repeat(5000)))),
        413, "PAYLOAD_TOO_LARGE", "over the limit of 4096");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("payload", new JsonObject().put("big", "x".repeat(200_000)))),
        413, "PAYLOAD_TOO_LARGE", "too large");
    assertError(call(HttpMethod.GET, "/v1/tasks/not-a-uuid", null), 400, "BAD_REQUEST", "'id' must be a UUID");
    assertError(call(HttpMethod.GET, "/v1/tasks/" + UUID.randomUUID(), null), 404, "NOT_FOUND", "does not exist");
    assertError(call(HttpMethod.GET, "/v1/tasks?limit=many", null), 400, "BAD_REQUEST", "'limit' must be an integer");
    assertError(call(HttpMethod.GET, "/v1/tasks?state=SLEEPING", null), 400, "BAD_REQUEST", "'state' must be one of");
    assertError(call(HttpMethod.POST, "/v1/tasks/claim", new JsonObject().put("stage", "s")), 400, "BAD_REQUEST", "'worker' is required");
    assertError(call(HttpMethod.POST, "/v1/tasks/claim", new JsonObject().put("worker", "w").put("limit", 100_000)), 400, "BAD_REQUEST", "'limit' must be between");
    assertError(call(HttpMethod.POST, "/v1/tasks/" + UUID.randomUUID() + "/complete", new JsonObject()), 400, "BAD_REQUEST", "'leaseToken' is required");
    assertError(call(HttpMethod.POST, "/v1/tasks/" + UUID.randomUUID() + "/complete", new JsonObject().put("leaseToken", UUID.randomUUID().toString())),
        404, "NOT_FOUND", "does not exist");
    assertError(call(HttpMethod.POST, "/v1/failures", new JsonObject().put("source", "x")), 400, "BAD_REQUEST", "'message' is required");
    assertError(call(HttpMethod.POST, "/v1/failures", new JsonObject().put("message", "m").put("httpStatus", 999)), 400, "BAD_REQUEST", "'httpStatus' must be between");
    assertError(call(HttpMethod.POST, "/v1/failures", new JsonObject().put("message", "m").put("sqlState", "nope")), 400, "BAD_REQUEST", "SQLSTATE");
    assertError(call(HttpMethod.POST, "/v1/failures", new JsonObject().put("message", "m").put("taskId", UUID.randomUUID().toString())),
        400, "BAD_REQUEST", "needs its 'leaseToken' or 'attempt'");
    assertError(call(HttpMethod.POST, "/v1/failures", new JsonObject().put("message", "m").put("taskId", UUID.randomUUID().toString())
        .put("attempt", 1)), 404, "NOT_FOUND", "does not exist");
    assertError(call(HttpMethod.POST, "/v1/failures", new JsonObject().put("message", "nul \u0000 inside")), 400, "BAD_REQUEST", "NUL");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("payload", new JsonObject().put("k", "a\u0000b"))),
        400, "BAD_REQUEST", "'payload' contains a NUL");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("agent", "a\u0000")), 400, "BAD_REQUEST", "'agent' contains a NUL");
    assertError(call(HttpMethod.POST, "/v1/tasks/" + UUID.randomUUID() + "/cancel", new JsonObject().put("expectedVerison", 3)),
        400, "BAD_REQUEST", "unknown field 'expectedVerison'");
    assertError(call(HttpMethod.POST, "/v1/tasks", "{\"stage\":\"s\",\"priority\":18446744073709551617}"), 400, "BAD_REQUEST", "'priority' must be an integer");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("priority", 1.5)), 400, "BAD_REQUEST", "'priority' must be an integer");
    assertError(call(HttpMethod.POST, "/v1/tasks", new JsonObject().put("stage", "s").put("runAfter", "+300000-01-01T00:00:00Z")), 400, "BAD_REQUEST", "'runAfter' must be");
    assertError(call(HttpMethod.POST, "/v1/dlq/redrive", new JsonObject()), 400, "BAD_REQUEST", "either 'ids' or 'filter'");
    assertError(call(HttpMethod.POST, "/v1/dlq/redrive", new JsonObject().put("ids", new JsonArray().add(7))), 400, "BAD_REQUEST", "'ids[0]' must be a UUID");
    assertError(call(HttpMethod.DELETE, "/v1/tasks", null), 405, "BAD_REQUEST", "not allowed");
    assertError(call(HttpMethod.GET, "/v1/nothing-here", null), 404, "NOT_FOUND", "no route");
    assertThat(rows("tasks")).isEqualTo(tasksBefore);
    assertThat(rows("failures")).isEqualTo(failuresBefore);
    assertThat(rows("history")).isEqualTo(historyBefore);
    assertThat(call(HttpMethod.GET, "/health/ready", null).statusCode()).isEqualTo(200);
  }

  @Test
  void hostileEventBusInputGetsAClearErrorAndTheServiceStaysHealthy() throws Exception {
    long before = rows("tasks");
    assertBusError(Addresses.LEDGER, "enqueue", "not json", "BAD_REQUEST", "JSON object");
    assertBusError(Addresses.LEDGER, null, new JsonObject(), "BAD_REQUEST", "missing action header");
    assertBusError(Addresses.LEDGER, "explode", new JsonObject(), "BAD_REQUEST", "unknown or missing action");
    assertBusError(Addresses.LEDGER, "enqueue", new JsonObject().put("stage", true), "BAD_REQUEST", "'stage' must be a string");
    assertBusError(Addresses.LEDGER, "get", new JsonObject().put("id", "1 OR 1=1"), "BAD_REQUEST", "must be a UUID");
    assertBusError(Addresses.FAILURES, null, new JsonObject().put("message", 5), "BAD_REQUEST", "'message' must be a string");
    assertBusError(Addresses.FAILURES, null, new JsonObject().put("message", "x".repeat(20_000)), "BAD_REQUEST", "longer than");
    assertBusError(Addresses.LEDGER_DECIDE, null, new JsonObject().put("taskId", UUID.randomUUID().toString()).put("attempt", 1).put("action", "NUKE"),
        "BAD_REQUEST", "'action' must be one of");
    assertBusError(Addresses.LEDGER_DECIDE, null, new JsonObject().put("taskId", UUID.randomUUID().toString()).put("attempt", 1).put("action", "RETRY"),
        "BAD_REQUEST", "'runAt' is required");
    assertThat(rows("tasks")).isEqualTo(before);
    assertThat(await(h.verticle.readiness()).getString("database")).isEqualTo("UP");
  }

  @Test
  void everyLedgerApiEntryIsServedOnItsAddressAndRouteAndTheLedgerServesNoOtherOperation() throws Exception {
    assertThat(h.verticle.operations().bound()).isEqualTo(EnumSet.allOf(LedgerApi.class));

    Set<String> declaredActions = Arrays.stream(LedgerApi.values()).filter(op -> Addresses.LEDGER.equals(op.address()))
        .map(LedgerApi::action).collect(Collectors.toSet());
    Throwable t = h.vertx.eventBus().request(Addresses.LEDGER, new JsonObject()).toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).join();
    String message = ReboundException.from(t).getMessage();
    String known = message.substring(message.indexOf("known: [") + "known: [".length(), message.lastIndexOf(']'));
    assertThat(Set.of(known.split(", "))).isEqualTo(declaredActions);

    Set<String> declaredRoutes = Arrays.stream(LedgerApi.values()).filter(op -> op.route() != null)
        .map(op -> op.route().method() + " " + op.route().path()).collect(Collectors.toSet());
    Set<String> servedRoutes = h.verticle.routes().getRoutes().stream()
        .filter(r -> r.methods() != null && !r.methods().isEmpty() && !r.getPath().startsWith("/openapi"))
        .flatMap(r -> r.methods().stream().map(m -> m + " " + r.getPath())).collect(Collectors.toSet());
    assertThat(servedRoutes).isEqualTo(declaredRoutes);
  }

  /** A request each entry would accept (ids need not exist): what the unknown field is added to. */
  private static JsonObject acceptable(LedgerApi op) {
    String id = UUID.randomUUID().toString();
    String token = UUID.randomUUID().toString();
    return switch (op) {
      case ENQUEUE -> new JsonObject().put("stage", "s");
      case ENQUEUE_ALL -> new JsonObject().put("tasks", new JsonArray().add(new JsonObject().put("stage", "s")));
      case COMPLETE_ALL -> new JsonObject().put("completions", new JsonArray().add(new JsonObject().put("id", id)
          .put("leaseToken", token)));
      case HEARTBEAT_ALL -> new JsonObject().put("heartbeats", new JsonArray().add(new JsonObject().put("id", id)
          .put("leaseToken", token)));
      case LIST, DEAD_LETTERS, STATS, STAGES, AUDIT, FAILURES -> new JsonObject();
      case PAUSE_STAGE, RESUME_STAGE -> new JsonObject().put("stage", "s");
      case CLAIM -> new JsonObject().put("worker", "w");
      case GET, HISTORY, LATEST_CHECKPOINT, CANCEL, BLOCK, UNBLOCK, RETRY_NOW, PARK, RESUME, FAILURE ->
          new JsonObject().put("id", id);
      case HEARTBEAT, COMPLETE -> new JsonObject().put("id", id).put("leaseToken", token);
      case SAVE_CHECKPOINT -> new JsonObject().put("id", id).put("leaseToken", token).put("sequence", 1)
          .put("state", new JsonObject());
      case REPORT_FAILURE -> new JsonObject().put("message", "m");
      case DECIDE -> new JsonObject().put("taskId", id).put("attempt", 1).put("action", "PARK");
      case REDRIVE, PURGE -> new JsonObject().put("ids", new JsonArray().add(id));
    };
  }

  @ParameterizedTest
  @EnumSource(LedgerApi.class)
  void everyOperationRefusesAnUnknownFieldByNameOverHttpAndTheEventBus(LedgerApi op) throws Exception {
    long tasksBefore = rows("tasks");
    JsonObject request = acceptable(op).put("unexpected", 1);
    assertUnknownField(call(op.route().method(), path(op.route(), request), op.route().method() == HttpMethod.GET ? null
        : withoutPathParams(op.route(), request)), "unexpected");
    assertBusUnknownField(op.address(), op.action(), request, "unexpected");
    assertThat(rows("tasks")).isEqualTo(tasksBefore);
  }

  @Test
  void theDeadLetterListingRefusesAStateSinceItListsOnlyFailedTasks() throws Exception {
    assertUnknownField(call(HttpMethod.GET, "/v1/dlq?state=QUEUED", null), "state");
    assertBusUnknownField(Addresses.LEDGER, LedgerApi.DEAD_LETTERS.action(), new JsonObject().put("state", "QUEUED"), "state");
  }

  @Test
  void aRedriveOrPurgeFilterRefusesKeysOtherThanStageAndWorkflow() throws Exception {
    JsonObject selection = new JsonObject().put("filter", new JsonObject().put("stage", "s").put("agent", "crawler"));
    assertUnknownField(call(HttpMethod.POST, "/v1/dlq/redrive", selection), "filter.agent");
    assertUnknownField(call(HttpMethod.POST, "/v1/dlq/purge", selection), "filter.agent");
    assertBusUnknownField(Addresses.LEDGER, LedgerApi.REDRIVE.action(), selection, "filter.agent");
    assertBusUnknownField(Addresses.LEDGER, LedgerApi.PURGE.action(), selection, "filter.agent");
  }

  @Test
  void aHeartbeatsCheckpointMayNotCarryATaskIdOrLeaseTokenOfItsOwn() throws Exception {
    String id = UUID.randomUUID().toString();
    String token = UUID.randomUUID().toString();
    JsonObject checkpoint = new JsonObject().put("sequence", 1).put("state", new JsonObject());
    assertUnknownField(call(HttpMethod.POST, "/v1/tasks/" + id + "/heartbeat", new JsonObject().put("leaseToken", token)
        .put("checkpoint", checkpoint.copy().put("leaseToken", UUID.randomUUID().toString()))), "checkpoint.leaseToken");
    assertBusUnknownField(Addresses.LEDGER, LedgerApi.HEARTBEAT.action(), new JsonObject().put("id", id).put("leaseToken", token)
        .put("checkpoint", checkpoint.copy().put("id", UUID.randomUUID().toString())), "checkpoint.id");
  }

  /** The route's path with its {@code :params} taken from the request; a GET's other fields as its query. */
  private static String path(HttpRoute route, JsonObject request) {
    StringBuilder path = new StringBuilder();
    for (String segment : route.path().substring(1).split("/")) {
      path.append('/').append(segment.startsWith(":") ? request.getString(segment.substring(1)) : segment);
    }
    if (route.method() == HttpMethod.GET) {
      String query = withoutPathParams(route, request).stream()
          .map(e -> e.getKey() + "=" + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
          .collect(Collectors.joining("&"));
      path.append(query.isEmpty() ? "" : "?" + query);
    }
    return path.toString();
  }

  private static JsonObject withoutPathParams(HttpRoute route, JsonObject request) {
    JsonObject rest = request.copy();
    Arrays.stream(route.path().split("/")).filter(s -> s.startsWith(":")).forEach(s -> rest.remove(s.substring(1)));
    return rest;
  }

  private static void assertUnknownField(HttpResponse<Buffer> r, String field) {
    assertError(r, 400, "BAD_REQUEST", "unknown field '" + field + "'");
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo(field);
  }

  private static void assertBusUnknownField(String address, String action, JsonObject body, String field) {
    ReboundException e = busError(address, action, body);
    assertThat(e.code().name()).isEqualTo("BAD_REQUEST");
    assertThat(e.getMessage()).startsWith("unknown field '" + field + "'");
    assertThat(e.details().getString("field")).isEqualTo(field);
  }

  private static void assertBusError(String address, String action, Object body, String code, String part) {
    ReboundException e = busError(address, action, body);
    assertThat(e.code().name()).isEqualTo(code);
    assertThat(e.getMessage()).contains(part);
  }

  private static ReboundException busError(String address, String action, Object body) {
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(5000);
    if (action != null) {
      o.addHeader(Addresses.ACTION_HEADER, action);
    }
    Throwable t = h.vertx.eventBus().request(address, body, o).toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).join();
    assertThat(t).as("expected a failure for " + body).isNotNull();
    return ReboundException.from(t instanceof CompletionException ce ? ce.getCause() : t);
  }
}
