package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.delete;
import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;

import dev.rebound.common.Addresses;

/**
 * The notifier's API: every operation once, with its event-bus address and its HTTP route (see the
 * notifier's {@code /openapi/notifier.yaml}). Alertmanager's intake ({@code POST /api/v2/alerts}) takes a
 * JSON array, so it is a route of the service, not an entry here.
 */
public enum NotifierApi implements ApiOperation {
  /** An alert event from Rebound's services (dead letter, opened circuit, exhausted budget, aborted workflow…). */
  RAISE(Addresses.NOTIFIER_ALERTS, null),
  /** An alert from anyone over HTTP: {@code labels}, {@code summary}, {@code details}; 201 when it opened an alert. */
  POST_ALERT(null, post("/v1/alerts", reply -> "OPENED".equals(reply.getString("change")) ? 201 : 200)),
  LIST_ALERTS(null, get("/v1/alerts")),
  GET_ALERT(null, get("/v1/alerts/:id")),
  ACKNOWLEDGE(null, post("/v1/alerts/:id/ack")),
  RESOLVE(null, post("/v1/alerts/:id/resolve")),
  LIST_SILENCES(null, get("/v1/silences")),
  ADD_SILENCE(null, post("/v1/silences", reply -> 201)),
  EXPIRE_SILENCE(null, delete("/v1/silences/:id")),
  LIST_DELIVERIES(null, get("/v1/deliveries")),
  RETRY_DELIVERY(null, post("/v1/deliveries/:id/retry")),
  ROUTES(null, get("/v1/routes")),
  TEST_ROUTE(null, post("/v1/routes/test"));

  private final String address;
  private final HttpRoute route;

  NotifierApi(String address, HttpRoute route) {
    this.address = address;
    this.route = route;
  }

  @Override
  public String address() {
    return address;
  }

  /** The notifier's one address belongs to one operation. */
  @Override
  public String action() {
    return null;
  }

  @Override
  public HttpRoute route() {
    return route;
  }
}
