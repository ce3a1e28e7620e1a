package dev.rebound.ledger;

import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.MutableClock;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real ledger for one test class: its own database on the local PostgreSQL, a local event bus,
 * an HTTP server on a free port and a clock the test can move.
 */
final class LedgerHarness {
  final Vertx vertx;
  final TestDatabase db;
  final LedgerVerticle verticle;
  final LedgerClient client;
  final WebClient http;
  final String deploymentId;

  private final MutableClock clock;
  private final Settings settings;

  private LedgerHarness(Vertx vertx, TestDatabase db, MutableClock clock, LedgerVerticle verticle, String deploymentId,
                        Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.db = db;
    this.verticle = verticle;
    this.deploymentId = deploymentId;
    this.client = new LedgerClient(vertx, 10_000);
    this.http = WebClient.create(vertx);
  }

  static LedgerHarness start(String name, Map<String, String> overrides) throws Exception {
    Vertx vertx = Vertx.vertx();
    TestDatabase db = TestDatabase.create(vertx, name).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, String> all = new HashMap<>(db.settingsOverrides());
    all.put("http.port", "0");
    all.put("ledger.retention-sweep-interval", "1h");
    all.putAll(overrides);
    Settings settings = Settings.load(Map.of(), Optional.empty()).withOverrides(all);
    MutableClock clock = new MutableClock();
    LedgerVerticle verticle = new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(), clock);
    String id = vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new LedgerHarness(vertx, db, clock, verticle, id, settings);
  }

  /** Another ledger instance on the same database, event bus and clock (its own HTTP port). */
  Deployed deployAnother() throws Exception {
    LedgerVerticle other = new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(), clock);
    return new Deployed(other, await(vertx.deployVerticle(other)));
  }

  record Deployed(LedgerVerticle verticle, String id) {
  }

  MutableClock clock() {
    return clock;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  Future<HttpResponse<Buffer>> request(HttpMethod method, String path, Object body) {
    var req = http.request(method, verticle.actualPort(), "127.0.0.1", path);
    if (body == null) {
      return req.send();
    }
    if (body instanceof String s) {
      return req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(s));
    }
    return req.sendJsonObject((JsonObject) body);
  }

  void close() throws Exception {
    try {
      await(vertx.undeploy(deploymentId));
    } finally {
      try {
        await(db.drop(vertx));
      } finally {
        await(vertx.close());
      }
    }
  }
}
