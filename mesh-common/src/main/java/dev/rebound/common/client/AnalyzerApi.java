package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;

import dev.rebound.common.Addresses;

/**
 * The analyzer's API: every operation once, with its event-bus address and its HTTP route (see the
 * analyzer's {@code /openapi/analyzer.yaml}). NDJSON batch classification ({@code POST
 * /v1/classify/batch}) is not JSON in and out, so it is a route of the service, not an entry here.
 */
public enum AnalyzerApi implements ApiOperation {
  /** A failure the ledger recorded: classified, recorded once per failure id, forwarded to the retry service. */
  ANALYZE_FAILURE(Addresses.ANALYZER_FAILURES, null),
  /** Classifies one message without recording it. */
  CLASSIFY(Addresses.ANALYZER_CLASSIFY, post("/v1/classify")),
  FINGERPRINTS(null, get("/v1/fingerprints")),
  FINGERPRINT(null, get("/v1/fingerprints/:fingerprint"));

  private final String address;
  private final HttpRoute route;

  AnalyzerApi(String address, HttpRoute route) {
    this.address = address;
    this.route = route;
  }

  @Override
  public String address() {
    return address;
  }

  /** Every analyzer address belongs to one operation. */
  @Override
  public String action() {
    return null;
  }

  @Override
  public HttpRoute route() {
    return route;
  }
}
