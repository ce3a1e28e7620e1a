package dev.rebound.analyzer.http;

import dev.rebound.analyzer.AnalyzerOperations;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.http.JsonHandlers;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** The analyzer's HTTP API under {@code /v1} (see {@code /openapi/analyzer.yaml}). */
public final class AnalyzerRoutes {
  private final Vertx vertx;
  private final JsonHandlers json;
  private final AnalyzerOperations ops;
  private final long bodyLimit;
  private final int maxBatchLines;

  /** @param json bound to the analyzer's context */
  public AnalyzerRoutes(Vertx vertx, JsonHandlers json, AnalyzerOperations ops, long bodyLimit, int maxBatchLines) {
    this.vertx = vertx;
    this.json = json;
    this.ops = ops;
    this.bodyLimit = bodyLimit;
    this.maxBatchLines = maxBatchLines;
  }

  public Router router() {
    Router r = Router.router(vertx);
    r.routeWithRegex("/v1/(classify|fingerprints)(/.*)?").handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    ErrorReplies.install(r);
    r.post("/v1/classify").handler(ctx -> json.body(ctx, ops::classify, reply -> 200));
    r.post("/v1/classify/batch").handler(ctx -> json.onService(ctx,
        () -> ops.classifyBatch(ctx.body().asString() == null ? "" : ctx.body().asString(), maxBatchLines),
        ndjson -> ctx.response().putHeader("Content-Type", "application/x-ndjson").end(ndjson)));
    r.get("/v1/fingerprints").handler(ctx -> json.call(ctx, 200, () -> ops.fingerprints(JsonHandlers.query(ctx))));
    r.get("/v1/fingerprints/:fingerprint").handler(ctx -> json.call(ctx, 200,
        () -> ops.fingerprint(ctx.pathParam("fingerprint"))));
    String openapi = JsonHandlers.resource("openapi/analyzer.yaml");
    r.get("/openapi/analyzer.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openapi));
    r.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openapi));
    return r;
  }
}
