package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;
import static dev.rebound.common.client.Scope.OPERATOR;
import static dev.rebound.common.client.Scope.READ;
import static dev.rebound.common.client.Scope.WORKER;

import dev.rebound.common.Addresses;

/**
 * The analyzer's API: every operation once, with its event-bus address and its HTTP route (see the
 * analyzer's {@code /openapi/analyzer.yaml}). NDJSON batch classification ({@code POST
 * /v1/classify/batch}) is not JSON in and out, so it is a route of the service, not an entry here.
 */
public enum AnalyzerApi implements ApiOperation {
  /** A failure the ledger recorded: classified, recorded once per failure id, forwarded to the retry service. */
  ANALYZE_FAILURE(OPERATOR, Addresses.ANALYZER_FAILURES, null, null),
  /** Classifies one message without recording it. */
  CLASSIFY(WORKER, Addresses.ANALYZER_CLASSIFY, null, post("/v1/classify")),
  FINGERPRINTS(READ, Addresses.ANALYZER, "fingerprints.list", get("/v1/fingerprints")),
  FINGERPRINT(READ, Addresses.ANALYZER, "fingerprints.get", get("/v1/fingerprints/:fingerprint"));

  private final String address;
  private final String action;
  private final HttpRoute route;
  private final Scope scope;

  AnalyzerApi(Scope scope, String address, String action, HttpRoute route) {
    this.scope = scope;
    this.address = address;
    this.action = action;
    this.route = route;
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public String action() {
    return action;
  }

  @Override
  public HttpRoute route() {
    return route;
  }

  @Override
  public Scope scope() {
    return scope;
  }
}
