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
  RAISE(Addresses.NOTIFIER_ALERTS, null, null),
  /** An alert from anyone over HTTP: {@code labels}, {@code summary}, {@code details}; 201 when it opened an alert. */
  POST_ALERT(null, null, post("/v1/alerts", reply -> "OPENED".equals(reply.getString("change")) ? 201 : 200)),
  LIST_ALERTS("alerts.list", get("/v1/alerts")),
  GET_ALERT("alerts.get", get("/v1/alerts/:id")),
  ACKNOWLEDGE("alerts.ack", post("/v1/alerts/:id/ack")),
  RESOLVE("alerts.resolve", post("/v1/alerts/:id/resolve")),
  LIST_SILENCES("silences.list", get("/v1/silences")),
  ADD_SILENCE("silences.add", post("/v1/silences", reply -> 201)),
  EXPIRE_SILENCE("silences.expire", delete("/v1/silences/:id")),
  LIST_DELIVERIES("deliveries.list", get("/v1/deliveries")),
  RETRY_DELIVERY("deliveries.retry", post("/v1/deliveries/:id/retry")),
  ROUTES("routes.list", get("/v1/routes")),
  TEST_ROUTE("routes.test", post("/v1/routes/test"));

  private final String address;
  private final String action;
  private final HttpRoute route;

  /** An operation on {@link Addresses#NOTIFIER}, selected by its action header. */
  NotifierApi(String action, HttpRoute route) {
    this(Addresses.NOTIFIER, action, route);
  }

  NotifierApi(String address, String action, HttpRoute route) {
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
}
