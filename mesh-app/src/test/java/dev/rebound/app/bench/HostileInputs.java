package dev.rebound.app.bench;

import dev.rebound.common.Addresses;
import dev.rebound.common.client.AnalyzerApi;
import dev.rebound.common.client.ApiOperation;
import dev.rebound.common.client.HttpRoute;
import dev.rebound.common.client.LedgerApi;
import dev.rebound.common.client.NotifierApi;
import dev.rebound.common.client.RetryApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Generated hostile input against every HTTP route and every event-bus address of a running mesh (issue 10 §5):
 * malformed JSON, oversized bodies, wrong types, unicode and NUL, huge numbers, deep nesting, duplicate keys,
 * wrong content types, odd path and query parameters — each derived from a plausible body of the operation so
 * that it reaches past the first check. After each input it asserts what a user relies on:
 *
 * <ul>
 *   <li>no 5xx over HTTP, no failure code ≥ 500 on the bus (a refusal is a 4xx with the error envelope);
 *   <li>no partial write: when an input was refused, the row count of every table of the {@code ledger},
 *       {@code analyzer}, {@code retry} and {@code notifier} schemas is what it was before;
 *   <li>no crash: {@code /health/ready} stays UP (checked every {@value #HEALTH_EVERY} inputs and at the end).
 * </ul>
 *
 * Inputs that were accepted (2xx) may write; the run then waits until the row counts stop moving before the
 * next input, so that their consequences are not blamed on the next one. The operations come from the contract
 * enums ({@link LedgerApi}, {@link AnalyzerApi}, {@link RetryApi}, {@link NotifierApi}), plus the routes served
 * outside them (NDJSON classification, Alertmanager intake, health, metrics) and the observer addresses.
 * Used by {@code HostileInputTest} (a few hundred inputs) and {@link HostileInputHarness} (10,000 and more).
 */
public final class HostileInputs {
  static final int HEALTH_EVERY = 100;
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(15);
  private static final long BUS_TIMEOUT_MS = 5_000;
  private static final List<String> SCHEMAS = List.of("ledger", "analyzer", "retry", "notifier");

  /** One input and what came back. */
  public record Outcome(int index, String target, String kind, int status, String detail) {
    boolean accepted() {
      return status >= 200 && status < 300;
    }
  }

  /** What a run found. {@code findings} is empty when the mesh held. */
  public record Report(int inputs, int http, int bus, Map<String, Integer> byStatus, Map<String, Integer> byKind,
      List<String> findings, int accepted, int healthChecks, long millis) {
    public String summary() {
      return String.format("%d inputs (%d HTTP, %d event bus) in %.1f s; %d accepted, answers by status %s;"
              + " kinds %s; health checks %d; findings %d", inputs, http, bus, millis / 1000.0, accepted, byStatus, byKind,
          healthChecks, findings.size());
    }
  }

  private final Vertx vertx;
  private final String baseUrl;
  private final Pool pool;
  private final Random random;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final List<UUID> knownTasks = new ArrayList<>();
  private String countQuery;

  /**
   * @param vertx the mesh's own Vert.x (same event bus as the services)
   * @param baseUrl where every service's routes are served ({@code rebound run}'s URL)
   * @param pool a connection to the mesh's database, for the row counts
   */
  public HostileInputs(Vertx vertx, String baseUrl, Pool pool, long seed) {
    this.vertx = vertx;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.pool = pool;
    this.random = new Random(seed);
  }

  /** Ids of real tasks: some inputs aim at them instead of at random ids. */
  public HostileInputs knownTasks(List<UUID> ids) {
    knownTasks.addAll(ids);
    return this;
  }

  // ------------------------------------------------------------------ targets

  /** An HTTP route or an event-bus address to aim at. */
  record Target(String name, String method, String path, String address, String action, String template,
      String itemsField) {
    boolean isHttp() {
      return path != null;
    }
  }

  static List<Target> targets() {
    List<Target> t = new ArrayList<>();
    List<ApiOperation> ops = new ArrayList<>();
    ops.addAll(Arrays.asList(LedgerApi.values()));
    ops.addAll(Arrays.asList(AnalyzerApi.values()));
    ops.addAll(Arrays.asList(RetryApi.values()));
    ops.addAll(Arrays.asList(NotifierApi.values()));
    for (ApiOperation op : ops) {
      String name = op.getClass().getSimpleName() + "." + ((Enum<?>) op).name();
      String template = template(((Enum<?>) op).name());
      HttpRoute route = op.route();
      if (route != null) {
        t.add(new Target(name + " HTTP", route.method().name(), route.path(), null, null, template, route.itemsField()));
      }
      if (op.address() != null) {
        t.add(new Target(name + " bus", null, null, op.address(), op.action(), template, null));
      }
    }
    t.add(new Target("classify batch HTTP", "POST", "/v1/classify/batch", null, null, template("CLASSIFY"), "ndjson"));
    t.add(new Target("Alertmanager intake HTTP", "POST", "/api/v2/alerts", null, null, template("ALERTMANAGER"), null));
    t.add(new Target("health live", "GET", "/health/live", null, null, "{}", null));
    t.add(new Target("health ready", "GET", "/health/ready", null, null, "{}", null));
    t.add(new Target("metrics", "GET", "/metrics", null, null, "{}", null));
    // a one-way send (the ledger never waits for an answer): checked by health and row counts alone
    t.add(new Target("retry outcomes send", null, null, Addresses.RETRY_OUTCOMES, "send", template("TRANSITION"), null));
    for (String observed : List.of(Addresses.EVENTS_TASKS, Addresses.EVENTS_CIRCUITS, Addresses.EVENTS_CLASSIFIED,
        Addresses.EVENTS_ALERTS)) {
      t.add(new Target(observed + " publish", null, null, observed, "publish", template("TRANSITION"), null));
    }
    return t;
  }

  /** A plausible body of each operation, so that mutations reach past the first check. */
  static String template(String op) {
    String id = "\"00000000-0000-4000-8000-000000000001\"";
    return switch (op) {
      case "ENQUEUE" -> "{\"stage\":\"hostile\",\"payload\":{\"k\":\"v\"},\"idempotencyKey\":\"key-1\",\"priority\":0,"
          + "\"maxAttempts\":3,\"workflowId\":\"wf-1\",\"agent\":\"a\",\"type\":\"t\"}";
      case "ENQUEUE_ALL" -> "{\"tasks\":[{\"stage\":\"hostile\",\"payload\":{\"k\":1}},{\"stage\":\"hostile\"}]}";
      case "LIST" -> "{\"state\":\"QUEUED\",\"stage\":\"hostile\",\"limit\":10}";
      case "CLAIM" -> "{\"worker\":\"w\",\"stage\":\"hostile-empty\",\"limit\":1,\"leaseMs\":60000,\"waitMs\":0}";
      case "HEARTBEAT" -> "{\"leaseToken\":" + id + ",\"leaseMs\":60000}";
      case "COMPLETE" -> "{\"leaseToken\":" + id + ",\"result\":{\"ok\":true}}";
      case "COMPLETE_ALL" -> "{\"completions\":[{\"id\":" + id + ",\"leaseToken\":" + id + ",\"result\":{}}]}";
      case "HEARTBEAT_ALL" -> "{\"heartbeats\":[{\"id\":" + id + ",\"leaseToken\":" + id + ",\"leaseMs\":1000}]}";
      case "CANCEL", "BLOCK", "UNBLOCK", "RETRY_NOW", "PARK", "RESUME" -> "{\"reason\":\"hostile\",\"expectedVersion\":1}";
      case "SAVE_CHECKPOINT" -> "{\"leaseToken\":" + id + ",\"sequence\":1,\"state\":{\"next\":2},\"checksum\":\"c\"}";
      case "REPORT_FAILURE" -> "{\"failureId\":" + id + ",\"message\":\"java.net.SocketTimeoutException: Read timed out\","
          + "\"errorType\":\"java.net.SocketTimeoutException\",\"source\":\"hostile\",\"stage\":\"hostile\","
          + "\"httpStatus\":503,\"details\":{\"password\":\"x\"},\"stackTrace\":\"at x\",\"occurredAt\":\"2026-01-01T00:00:00Z\"}";
      case "DECIDE" -> "{\"taskId\":" + id + ",\"attempt\":1,\"action\":\"RETRY\",\"runAt\":\"2030-01-01T00:00:00Z\","
          + "\"reason\":\"hostile\",\"decidedBy\":\"x\"}";
      case "DEAD_LETTERS" -> "{\"stage\":\"hostile\",\"limit\":5}";
      case "REDRIVE" -> "{\"ids\":[" + id + "],\"reason\":\"hostile\",\"limit\":10}";
      case "PURGE" -> "{\"ids\":[" + id + "],\"reason\":\"hostile\"}";
      case "AUDIT" -> "{\"limit\":5}";
      case "PAUSE_STAGE", "RESUME_STAGE" -> "{\"reason\":\"hostile\"}";
      case "CLASSIFY" -> "{\"message\":\"java.net.SocketTimeoutException: Read timed out\",\"stage\":\"hostile\"}";
      case "ANALYZE_FAILURE" -> template("REPORT_FAILURE");
      case "FINGERPRINTS" -> "{\"sort\":\"count\",\"limit\":5}";
      case "CLASSIFIED" -> "{\"failureId\":" + id + ",\"taskId\":" + id + ",\"attempt\":1,\"stage\":\"hostile\","
          + "\"verdict\":{\"category\":\"NETWORK\",\"transient\":true,\"confidence\":0.9,\"fingerprint\":\"f\"}}";
      case "VALIDATE_POLICY" -> "{\"stage\":\"hostile\",\"policy\":{\"max-attempts\":3,\"backoff\":\"exponential\"}}";
      case "SCHEDULE" -> "{\"attempts\":5}";
      case "OPEN_CIRCUIT", "CLOSE_CIRCUIT", "DISABLE_CIRCUIT", "RESET_CIRCUIT" -> "{\"reason\":\"hostile\"}";
      case "RAISE", "POST_ALERT", "TEST_ROUTE" -> "{\"labels\":{\"kind\":\"failure\",\"stage\":\"hostile\",\"severity\":"
          + "\"warning\"},\"summary\":\"hostile\",\"details\":{\"n\":1}}";
      case "LIST_ALERTS" -> "{\"state\":\"firing\",\"limit\":5}";
      case "ACKNOWLEDGE", "RESOLVE" -> "{\"by\":\"me\",\"comment\":\"hostile\"}";
      case "ADD_SILENCE" -> "{\"matchers\":[\"stage=\\\"hostile\\\"\"],\"duration\":\"1h\",\"comment\":\"hostile\"}";
      case "LIST_SILENCES" -> "{\"state\":\"active\",\"limit\":5}";
      case "LIST_DELIVERIES" -> "{\"status\":\"sent\",\"limit\":5}";
      case "ALERTMANAGER" -> "[{\"labels\":{\"alertname\":\"HostileTest\",\"severity\":\"warning\"},"
          + "\"annotations\":{\"summary\":\"hostile\"}}]";
      case "TRANSITION" -> "{\"taskId\":" + id + ",\"from\":\"RUNNING\",\"to\":\"DONE\",\"attempt\":1,\"stage\":\"hostile\","
          + "\"actor\":\"x\",\"at\":\"2026-01-01T00:00:00Z\",\"name\":\"stage:hostile\"}";
      default -> "{}";
    };
  }

  // ------------------------------------------------------------------ one generated input

  /** An input: bytes for HTTP (with a content type, maybe none), an object for the bus. */
  record Input(Target target, String kind, String path, String contentType, byte[] body, Object busBody,
      String busAction) {
  }

  private static final String[] KINDS = {"malformed", "oversized", "wrong-type", "unicode-nul", "huge-number",
      "deep-nesting", "duplicate-keys", "content-type", "path-param", "missing-field", "unknown-field", "raw-bytes",
      "empty", "valid", "nested", "nested"};

  Input next(List<Target> targets) {
    Target t = targets.get(random.nextInt(targets.size()));
    String kind = KINDS[random.nextInt(KINDS.length)];
    if (t.isHttp()) {
      return httpInput(t, kind);
    }
    return busInput(t, kind);
  }

  private Input httpInput(Target t, String kind) {
    String path = fillPath(t.path(), kind.equals("path-param"));
    String ct = t.itemsField() != null && t.itemsField().equals("ndjson") ? "application/x-ndjson" : "application/json";
    String body = mutate(t.template(), kind);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (t.itemsField() != null && t.itemsField().equals("ndjson") && random.nextBoolean()) {
      body = body + "\n" + mutate(t.template(), KINDS[random.nextInt(KINDS.length)]) + "\n";
      bytes = body.getBytes(StandardCharsets.UTF_8);
    }
    switch (kind) {
      case "content-type" -> ct = pick("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
          null, "application/json; charset=ISO-8859-1", "application/xml", "application/json;;;", "*/*", "application/ld+json",
          "application/x-ndjson", "text/html; charset=\u00ff");
      case "raw-bytes" -> bytes = rawBytes();
      case "empty" -> bytes = new byte[0];
      default -> {
      }
    }
    if (t.method().equals("GET") || t.method().equals("DELETE")) {
      path = path + query(kind, t.template());
      if (random.nextInt(4) != 0) {
        bytes = null;
      }
    }
    return new Input(t, kind, path, ct, bytes, null, null);
  }

  private Input busInput(Target t, String kind) {
    String action = t.action();
    if ("publish".equals(action) || "send".equals(action)) {
      action = null;
    } else if (random.nextInt(10) == 0) {
      action = pick(null, "", "explode", "enqueue\u0000", "x".repeat(10_000), "list ", "LIST");
    }
    Object body;
    String text = mutate(withPathParams(t.template(), kind.equals("path-param")), kind);
    switch (kind) {
      case "raw-bytes" -> body = Buffer.buffer(rawBytes());
      case "empty" -> body = pick(null, "", new JsonObject(), new JsonArray(), 0, Boolean.FALSE);
      case "content-type", "malformed", "deep-nesting", "duplicate-keys", "oversized" -> body = text;
      default -> {
        try {
          Object parsed = io.vertx.core.json.Json.decodeValue(text);
          body = parsed instanceof JsonObject || parsed instanceof JsonArray ? parsed : text;
        } catch (RuntimeException e) {
          body = text;
        }
      }
    }
    return new Input(t, kind, null, null, null, body, action);
  }

  private String withPathParams(String template, boolean hostile) {
    JsonObject o;
    try {
      o = new JsonObject(template);
    } catch (RuntimeException e) {
      return template;
    }
    o.put("id", hostile ? pathValue() : taskOrRandomId());
    if (!o.containsKey("stage")) {
      o.put("stage", hostile ? pathValue() : "hostile");
    }
    o.put("name", hostile ? pathValue() : "stage:hostile");
    o.put("fingerprint", hostile ? pathValue() : "0123456789abcdef");
    return o.encode();
  }

  private String fillPath(String route, boolean hostile) {
    StringBuilder sb = new StringBuilder();
    for (String seg : route.split("/")) {
      if (seg.isEmpty()) {
        continue;
      }
      sb.append('/');
      if (seg.startsWith(":")) {
        String v = hostile ? pathValue() : switch (seg) {
          case ":id" -> taskOrRandomId();
          case ":name" -> "stage:hostile";
          case ":stage" -> "hostile";
          default -> "0123456789abcdef";
        };
        sb.append(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
      } else {
        sb.append(seg);
      }
    }
    return sb.toString();
  }

  private String taskOrRandomId() {
    if (!knownTasks.isEmpty() && random.nextInt(3) == 0) {
      return knownTasks.get(random.nextInt(knownTasks.size())).toString();
    }
    return UUID.randomUUID().toString();
  }

  private String pathValue() {
    return pick("not-a-uuid", "1 OR 1=1", "' OR ''='", "\u0000", "%00", "..%2F..%2Fetc%2Fpasswd", "x".repeat(5_000),
        "\u202e\u0645\u0631\u062d\u0628\u0627", "\ud83d\udca5", "-1", "99999999999999999999999999", "00000000-0000-0000-0000-000000000000",
        "null", "stage:" + "a".repeat(300), "agent:\u0000", "dependency:", ":", "%", " ", "\t\n", "\u00ff\u00fe");
  }

  private String query(String kind, String template) {
    StringBuilder q = new StringBuilder("?");
    JsonObject o;
    try {
      o = new JsonObject(template);
    } catch (RuntimeException e) {
      o = new JsonObject();
    }
    List<String> names = new ArrayList<>(o.fieldNames());
    names.addAll(List.of("limit", "after", "before", "state", "labels", "attempts", "sort", "status", "workflowId", "stage"));
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      String name = names.get(random.nextInt(names.size()));
      String value = switch (kind) {
        case "huge-number" -> pick("1e400", "99999999999999999999999", "-9223372036854775809", "NaN", "Infinity", "-0", "0x10");
        case "unicode-nul" -> pick("\u0000", "a\u0000b", "\ud83d\udca5", "\u202e", "\uffff", "\u00e9t\u00e9");
        case "oversized" -> "x".repeat(random.nextInt(3) == 0 ? 100_000 : 8_000);
        case "duplicate-keys" -> "1&" + name + "=2";
        default -> pick("-1", "0", "abc", "", "QUEUED", "DONE", "firing", "kind=failure", "kind", "=", "1000000",
            UUID.randomUUID().toString(), "2026-13-45T99:99:99Z", "count", "[]", "{}", "true");
      };
      q.append(i == 0 ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
    return q.toString();
  }

  /** The template changed the way {@code kind} says. */
  String mutate(String template, String kind) {
    if (template.startsWith("[") && !kind.equals("malformed")) {
      // a list: a plausible first item, the hostile one after it (a refusal must not keep the first)
      String first = new JsonArray(template).getJsonObject(0).encode();
      return "[" + first + "," + mutate(first, kind) + "]";
    }
    switch (kind) {
      case "malformed":
        return pick(template.substring(0, Math.max(1, random.nextInt(template.length()))), "{", "}", "{\"a\":}",
            template.replaceFirst("}$", ",}"), template.replace('"', '\''), "{\"a\":NaN}", "{/*c*/\"a\":1}", "nul", "tru",
            "{\"a\" 1}", "[1,2", "\"unterminated", template + "garbage", "{\"a\":1}{\"b\":2}", "\ufeff" + template, "{\"a\":\"\\x\"}",
            "{\"a\":\"\\ud800\"}", "{\"a\":01}");
      case "oversized": {
        int size = pick(70_000, 1_100_000, 2_500_000, 9_000_000);
        JsonObject o = objectOr(template);
        String field = o.isEmpty() ? "big" : randomField(o);
        o.put(field, "x".repeat(size));
        return o.encode();
      }
      case "wrong-type": {
        JsonObject o = objectOr(template);
        if (o.isEmpty()) {
          return pick("[]", "1", "\"s\"", "true", "null");
        }
        int n = 1 + random.nextInt(Math.min(3, o.size()));
        for (int i = 0; i < n; i++) {
          o.put(randomField(o), wrongValue());
        }
        return o.encode();
      }
      case "unicode-nul": {
        JsonObject o = objectOr(template);
        String field = o.isEmpty() ? "message" : randomField(o);
        o.put(field, pick("\u0000", "a\u0000b", "\ud83d\udca5\u202e\u0645", "\ud800", "\udc00x", "\uffff\ufffe",
            "\u0000".repeat(100), "Z\u0301\u0302\u0303\u0304".repeat(50), "\u2028\u2029", "\u001b[31m", "\\u0000",
            "e\u0301t\u00e9 \u65e5\u672c\u8a9e", "\u0000password=hunter2"));
        if (random.nextBoolean()) {
          o.put("k\u0000" + random.nextInt(10), "v");
        }
        return o.encode();
      }
      case "huge-number": {
        JsonObject o = objectOr(template);
        String field = o.isEmpty() ? "limit" : randomField(o);
        String number = pick("1e400", "-1e400", "99999999999999999999999999999999", "-9223372036854775809",
            "9223372036854775808", "2147483648", "-2147483649", "1.7976931348623157e309", "4.9e-325", "-0", "1.5", "0.0000001",
            "1" + "0".repeat(5000));
        String encoded = o.put(field, "@@N@@").encode();
        return encoded.replace("\"@@N@@\"", number);
      }
      case "deep-nesting": {
        int depth = pick(200, 1_001, 5_000, 100_000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String nested = open.repeat(depth) + "1" + close.repeat(depth);
        JsonObject o = objectOr(template);
        if (o.isEmpty() || random.nextInt(3) == 0) {
          return nested;
        }
        String encoded = o.put(randomField(o), "@@D@@").encode();
        return encoded.replace("\"@@D@@\"", nested);
      }
      case "duplicate-keys": {
        JsonObject o = objectOr(template);
        if (o.isEmpty()) {
          return "{\"a\":1,\"a\":2}";
        }
        String field = randomField(o);
        String encoded = o.encode();
        return "{\"" + field + "\":" + io.vertx.core.json.Json.encode(wrongValue()) + "," + encoded.substring(1);
      }
      case "nested": {
        // a hostile value inside an object the service stores as given (payload, details, result, labels, state)
        JsonObject o = objectOr(template);
        String field = o.fieldNames().stream().filter(f -> o.getValue(f) instanceof JsonObject).findFirst()
            .orElse(pick("payload", "details", "result", "labels", "state"));
        JsonObject inner = o.getValue(field) instanceof JsonObject j ? j : new JsonObject();
        String key = pick("k", "password", "\u0000", "a.b", "$ref", "k\u0000");
        String placeholder = "@@V@@";
        inner.put(key.replace("\\u0000", "\u0000"), placeholder);
        o.put(field, inner);
        String value = pick("\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "1e400", "-0", "1" + "0".repeat(400),
            "[".repeat(900) + "]".repeat(900), "{\"a\":".repeat(900) + "1" + "}".repeat(900), "\"\\u0000\"",
            "\"" + "\\u0000".repeat(50) + "\"", "\"\\uffff\"", "\"x\"", "null", "\"" + "\u00e9".repeat(100_000) + "\"");
        return o.encode().replace("\"" + placeholder + "\"", value);
      }
      case "missing-field": {
        JsonObject o = objectOr(template);
        if (!o.isEmpty()) {
          o.remove(randomField(o));
        }
        return o.encode();
      }
      case "unknown-field": {
        JsonObject o = objectOr(template);
        o.put(pick("stagee", "__proto__", "constructor", "$where", "", "\u0000", "id' OR '1'='1"), "x");
        return o.encode();
      }
      default:
        return template;
    }
  }

  private Object wrongValue() {
    return switch (random.nextInt(10)) {
      case 0 -> 12;
      case 1 -> -1;
      case 2 -> Boolean.TRUE;
      case 3 -> new JsonArray().add(1).add("x");
      case 4 -> new JsonObject().put("nested", new JsonObject().put("x", 1));
      case 5 -> "";
      case 6 -> 3.14;
      case 7 -> Long.MAX_VALUE;
      case 8 -> "x".repeat(20_000);
      default -> pick("not-a-uuid", "2026-02-30T25:61:00Z", "QUEUED", "-", "null");
    };
  }

  private byte[] rawBytes() {
    byte[] b = new byte[1 + random.nextInt(pick(16, 512, 70_000))];
    random.nextBytes(b);
    if (random.nextBoolean()) {
      b[0] = '{';
    }
    return b;
  }

  private JsonObject objectOr(String template) {
    try {
      return new JsonObject(template);
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  private String randomField(JsonObject o) {
    List<String> names = new ArrayList<>(o.fieldNames());
    return names.get(random.nextInt(names.size()));
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[random.nextInt(options.length)];
  }

  // ------------------------------------------------------------------ the run

  /** Sends {@code n} generated inputs one after the other and checks each; never throws for what it finds. */
  public Report run(int n) throws Exception {
    List<Target> targets = targets();
    List<String> findings = new ArrayList<>();
    Map<String, Integer> byStatus = new TreeMap<>();
    Map<String, Integer> byKind = new TreeMap<>();
    int httpCount = 0;
    int busCount = 0;
    int accepted = 0;
    int health = 0;
    long start = System.currentTimeMillis();
    long[] before = counts();
    for (int i = 0; i < n; i++) {
      Input in = next(targets);
      Outcome out = in.target().isHttp() ? sendHttp(i, in) : sendBus(i, in);
      if (in.target().isHttp()) {
        httpCount++;
      } else {
        busCount++;
      }
      byStatus.merge(Integer.toString(out.status()), 1, Integer::sum);
      byKind.merge(in.kind(), 1, Integer::sum);
      if (out.status() >= 500 || out.status() == 0) {
        findings.add(describe(out, in, out.status() == 0 ? "no answer" : "server error"));
      } else if (out.detail().contains("the database refused a value")) {
        // a clear 400 still, but from PostgreSQL: the edge let through what it should have refused
        findings.add(describe(out, in, "refused by the database, not at the edge"));
      }
      if (out.accepted() || out.status() == -1 || out.status() == 0) {
        // an accepted input may write (and so may what it set off): wait until that has settled
        if (out.accepted()) {
          accepted++;
        }
        before = settled();
      } else {
        long[] after = counts();
        if (!Arrays.equals(before, after)) {
          long[] later = settled();
          findings.add(describe(out, in, "row counts changed although the input was refused: " + diff(before, after)
              + (Arrays.equals(after, later) ? "" : " (still moving after: " + diff(after, later) + ")")));
          before = later;
        }
      }
      if ((i + 1) % HEALTH_EVERY == 0 || i == n - 1) {
        health++;
        String problem = health();
        if (problem != null) {
          findings.add("after input " + i + ": " + problem);
        }
      }
    }
    return new Report(n, httpCount, busCount, byStatus, byKind, findings, accepted, health,
        System.currentTimeMillis() - start);
  }

  private static String describe(Outcome out, Input in, String what) {
    String body = in.body() != null ? new String(in.body(), 0, Math.min(in.body().length, 300), StandardCharsets.UTF_8)
        : String.valueOf(in.busBody());
    if (body.length() > 300) {
      body = body.substring(0, 300) + "…";
    }
    return String.format("#%d %s [%s] %s %s: %d %s; input %s (content type %s, action %s)", out.index(), what, in.kind(),
        in.target().name(), in.path() == null ? in.target().address() : in.path().substring(0, Math.min(200, in.path().length())),
        out.status(), out.detail(), body.replace("\u0000", "\\0"), in.contentType(),
        in.busAction() == null || in.busAction().length() < 40 ? in.busAction() : in.busAction().substring(0, 40) + "…");
  }

  private Outcome sendHttp(int i, Input in) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + in.path())).timeout(HTTP_TIMEOUT);
    if (in.contentType() != null && in.body() != null) {
      b.header("Content-Type", in.contentType());
    }
    HttpRequest.BodyPublisher publisher = in.body() == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(in.body());
    b.method(in.target().method(), publisher);
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String body = r.body() == null ? "" : r.body();
      return new Outcome(i, in.target().name(), in.kind(), r.statusCode(), body.substring(0, Math.min(300, body.length())));
    } catch (java.net.http.HttpTimeoutException e) {
      return new Outcome(i, in.target().name(), in.kind(), 0, "no answer within " + HTTP_TIMEOUT.toSeconds() + " s");
    } catch (java.io.IOException e) {
      // the server may close the connection on a body over its limit before reading it all: a refusal, not a crash
      return new Outcome(i, in.target().name(), in.kind(), 413, "connection closed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Outcome sendBus(int i, Input in) throws Exception {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(BUS_TIMEOUT_MS);
    if (in.busAction() != null) {
      options.addHeader(Addresses.ACTION_HEADER, in.busAction());
    }
    options.addHeader(Addresses.REPLY_WITHIN_HEADER, Long.toString(BUS_TIMEOUT_MS));
    if ("publish".equals(in.target().action())) {
      vertx.eventBus().publish(in.target().address(), in.busBody(), options);
      return new Outcome(i, in.target().name(), in.kind(), -1, "published");
    }
    if ("send".equals(in.target().action())) {
      vertx.eventBus().send(in.target().address(), in.busBody(), options);
      return new Outcome(i, in.target().name(), in.kind(), -1, "sent");
    }
    Future<Integer> reply = vertx.eventBus().request(in.target().address(), in.busBody(), options)
        .map(m -> 200)
        .recover(e -> {
          if (e instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            return Future.succeededFuture(re.failureCode());
          }
          if (e instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
            return Future.succeededFuture(0);
          }
          return Future.succeededFuture(-2);
        });
    int code = reply.toCompletionStage().toCompletableFuture().get(BUS_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
    return new Outcome(i, in.target().name(), in.kind(), code, code == 0 ? "no reply within " + BUS_TIMEOUT_MS + " ms"
        : code == -2 ? "not delivered" : "");
  }

  /** {@code /health/ready} must answer 200 with status UP; null when it does. */
  String health() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/health/ready"))
          .timeout(HTTP_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200 || !new JsonObject(r.body()).getString("status", "").equals("UP")) {
        return "/health/ready answered " + r.statusCode() + " " + r.body();
      }
      return null;
    } catch (Exception e) {
      return "/health/ready did not answer: " + e;
    }
  }

  // ------------------------------------------------------------------ row counts

  private List<String> tables;

  /** The row count of every table of the four services' schemas, in a fixed order. */
  long[] counts() throws Exception {
    if (countQuery == null) {
      var rows = await(pool.preparedQuery("SELECT table_schema || '.' || table_name FROM information_schema.tables"
          + " WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1")
          .execute(io.vertx.sqlclient.Tuple.of(SCHEMAS.toArray(new String[0]))));
      tables = new ArrayList<>();
      for (Row r : rows) {
        tables.add(r.getString(0));
      }
      countQuery = "SELECT " + String.join(", ", tables.stream().map(t -> "(SELECT count(*) FROM " + t + ")").toList());
    }
    Row r = await(pool.query(countQuery).execute()).iterator().next();
    long[] c = new long[tables.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = r.getLong(i);
    }
    return c;
  }

  /** Counts once they stopped moving (two equal readings 150 ms apart, at most 10 s). */
  long[] settled() throws Exception {
    long[] last = counts();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(150);
      long[] now = counts();
      if (Arrays.equals(now, last)) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private String diff(long[] a, long[] b) {
    Map<String, String> d = new LinkedHashMap<>();
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] != b[i]) {
        d.put(tables.get(i), a[i] + "→" + b[i]);
      }
    }
    return d.toString();
  }

  /** Every table counted, for the report. */
  public List<String> tables() {
    return tables == null ? List.of() : List.copyOf(tables);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
