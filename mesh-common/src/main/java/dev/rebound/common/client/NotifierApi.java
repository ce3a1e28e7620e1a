package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.delete;
import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;
import static dev.rebound.common.client.Scope.OPERATOR;
import static dev.rebound.common.client.Scope.READ;
import static dev.rebound.common.client.Scope.WORKER;

import dev.rebound.common.Addresses;

/**
 * The notifier's API: every operation once, with its event-bus address and its HTTP route (see the
 * notifier's {@code /openapi/notifier.yaml}). Alertmanager's intake ({@code POST /api/v2/alerts}) takes a
 * JSON array, so it is a route of the service, not an entry here.
 */
public enum NotifierApi implements ApiOperation {
  /** An alert event from Rebound's services (dead letter, opened circuit, exhausted budget, aborted workflow…). */
  RAISE(OPERATOR, Addresses.NOTIFIER_ALERTS, null, null),
  /** An alert from anyone over HTTP: {@code labels}, {@code summary}, {@code details}; 201 when it opened an alert. */
  POST_ALERT(WORKER, null, null, post("/v1/alerts", reply -> "OPENED".equals(reply.getString("change")) ? 201 : 200)),
  LIST_ALERTS(READ, "alerts.list", get("/v1/alerts")),
  GET_ALERT(READ, "alerts.get", get("/v1/alerts/:id")),
  ACKNOWLEDGE(OPERATOR, "alerts.ack", post("/v1/alerts/:id/ack")),
  RESOLVE(OPERATOR, "alerts.resolve", post("/v1/alerts/:id/resolve")),
  LIST_SILENCES(READ, "silences.list", get("/v1/silences")),
  ADD_SILENCE(OPERATOR, "silences.add", post("/v1/silences", reply -> 201)),
  EXPIRE_SILENCE(OPERATOR, "silences.expire", delete("/v1/silences/:id")),
  LIST_DELIVERIES(OPERATOR, "deliveries.list", get("/v1/deliveries")),
  RETRY_DELIVERY(OPERATOR, "deliveries.retry", post("/v1/deliveries/:id/retry")),
  ROUTES(OPERATOR, "routes.list", get("/v1/routes")),
  TEST_ROUTE(OPERATOR, "routes.test", post("/v1/routes/test"));

  private final String address;
  private final String action;
  private final HttpRoute route;
  private final Scope scope;

  /** An operation on {@link Addresses#NOTIFIER}, selected by its action header. */
  NotifierApi(Scope scope, String action, HttpRoute route) {
    this(scope, Addresses.NOTIFIER, action, route);
  }

  NotifierApi(Scope scope, String address, String action, HttpRoute route) {
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
