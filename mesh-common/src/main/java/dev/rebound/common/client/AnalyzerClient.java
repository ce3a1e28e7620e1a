package dev.rebound.common.client;

import dev.rebound.common.ReboundException;
import dev.rebound.common.request.ClassifyRequest;
import dev.rebound.common.request.FingerprintRequest;
import dev.rebound.common.request.FingerprintsQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Typed access to the analyzer over the (possibly clustered) event bus: one method per {@link AnalyzerApi}
 * entry that others call, each taking that operation's request record. Every call fails with a
 * {@link ReboundException} carrying the service's error code.
 */
public final class AnalyzerClient {
  private final Vertx vertx;
  private final long timeoutMs;

  public AnalyzerClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** {@code {fingerprints:[{fingerprint, template, category, occurrences, …}]}}. */
  public Future<JsonObject> fingerprints(FingerprintsQuery query) {
    return call(AnalyzerApi.FINGERPRINTS, query.toJson());
  }

  /** A fingerprint's counts, outcomes, stages, impact of the last hour and similar fingerprints; NOT_FOUND when unknown. */
  public Future<JsonObject> fingerprint(FingerprintRequest request) {
    return call(AnalyzerApi.FINGERPRINT, request.toJson());
  }

  /** Classifies one message without recording it. */
  public Future<JsonObject> classify(ClassifyRequest request) {
    return call(AnalyzerApi.CLASSIFY, request.toJson());
  }

  private Future<JsonObject> call(AnalyzerApi operation, JsonObject body) {
    return BusCall.request(vertx, operation, body, timeoutMs, null);
  }
}
