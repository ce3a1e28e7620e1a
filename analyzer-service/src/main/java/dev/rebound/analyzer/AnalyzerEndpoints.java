package dev.rebound.analyzer;

import static dev.rebound.common.client.AnalyzerApi.ANALYZE_FAILURE;
import static dev.rebound.common.client.AnalyzerApi.CLASSIFY;
import static dev.rebound.common.client.AnalyzerApi.FINGERPRINT;
import static dev.rebound.common.client.AnalyzerApi.FINGERPRINTS;

import dev.rebound.common.client.AnalyzerApi;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.request.ClassifyRequest;
import dev.rebound.common.request.FingerprintRequest;
import dev.rebound.common.request.FingerprintsQuery;
import dev.rebound.common.service.OperationTable;
import dev.rebound.common.auth.RouteRule;
import dev.rebound.common.client.AnalyzerApi;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.util.List;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The analyzer's edges: each {@link AnalyzerApi} entry bound to its request record's parser (unknown
 * fields refused by name) and its {@link AnalyzerOperations} method (the same binding serves the
 * event bus and HTTP), and the routes that are not JSON in and out: NDJSON batch classification
 * (each line a {@link ClassifyRequest}) and the OpenAPI document.
 */
final class AnalyzerEndpoints {
  private AnalyzerEndpoints() {
  }

  static OperationTable<AnalyzerApi> table(AnalyzerOperations ops) {
    return OperationTable.of(AnalyzerApi.class)
        .bind(ANALYZE_FAILURE, FailureEvent::fromJson, (request, origin) -> ops.analyzeFailure(request))
        .bind(CLASSIFY, ClassifyRequest::fromJson, (request, origin) -> ops.classify(request))
        .bind(FINGERPRINTS, FingerprintsQuery::fromJson, (request, origin) -> ops.fingerprints(request))
        .bind(FINGERPRINT, FingerprintRequest::fromJson, (request, origin) -> ops.fingerprint(request));
  }

  /** Mounted ahead of the table's routes. */
  /** NDJSON batch classification: classification's scope, NDJSON bodies. */
  static final List<RouteRule> ROUTE_RULES = List.of(
      RouteRule.of(HttpMethod.POST, "/v1/classify/batch", AnalyzerApi.CLASSIFY.scope()).accepting(RouteRule.NDJSON));

  static void addRoutes(Router router, JsonHandlers json, AnalyzerOperations ops, long bodyLimit, int maxBatchLines) {
    router.routeWithRegex("/v1/(classify|fingerprints)(/.*)?").handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    router.post("/v1/classify/batch").handler(ctx -> json.onService(ctx,
        () -> ops.classifyBatch(ctx.body().asString() == null ? "" : ctx.body().asString(), maxBatchLines),
        ndjson -> ctx.response().putHeader("Content-Type", "application/x-ndjson").end(ndjson)));
    JsonHandlers.serveYaml(router, "openapi/analyzer.yaml", "/openapi/analyzer.yaml", "/openapi.yaml");
  }
}
