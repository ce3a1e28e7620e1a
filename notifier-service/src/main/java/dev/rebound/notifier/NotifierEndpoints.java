package dev.rebound.notifier;

import static dev.rebound.common.client.NotifierApi.ACKNOWLEDGE;
import static dev.rebound.common.client.NotifierApi.ADD_SILENCE;
import static dev.rebound.common.client.NotifierApi.EXPIRE_SILENCE;
import static dev.rebound.common.client.NotifierApi.GET_ALERT;
import static dev.rebound.common.client.NotifierApi.LIST_ALERTS;
import static dev.rebound.common.client.NotifierApi.LIST_DELIVERIES;
import static dev.rebound.common.client.NotifierApi.LIST_SILENCES;
import static dev.rebound.common.client.NotifierApi.POST_ALERT;
import static dev.rebound.common.client.NotifierApi.RAISE;
import static dev.rebound.common.client.NotifierApi.RESOLVE;
import static dev.rebound.common.client.NotifierApi.RETRY_DELIVERY;
import static dev.rebound.common.client.NotifierApi.ROUTES;
import static dev.rebound.common.client.NotifierApi.TEST_ROUTE;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.NotifierApi;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.request.AlertActionRequest;
import dev.rebound.common.request.AlertIdRequest;
import dev.rebound.common.request.AlertsQuery;
import dev.rebound.common.request.DeliveriesQuery;
import dev.rebound.common.request.DeliveryIdRequest;
import dev.rebound.common.request.RouteTestRequest;
import dev.rebound.common.request.SilenceIdRequest;
import dev.rebound.common.request.SilenceRequest;
import dev.rebound.common.request.SilencesQuery;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.service.OperationTable;
import dev.rebound.common.service.Origin;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.rebound.common.auth.RouteRule;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Set;

/**
 * The notifier's edges: each {@link NotifierApi} entry bound to its parser (a request record of the contract, or the
 * domain's {@code AlertIntake} for alert bodies — both refuse unknown fields by name) and its
 * {@link NotifierOperations} method; and the routes that are not JSON objects in and out: Alertmanager's
 * {@code POST /api/v2/alerts} (a JSON array, answered 200 with an empty body, as Alertmanager does) and the OpenAPI
 * document.
 */
final class NotifierEndpoints {
  /** A Prometheus sends up to a few thousand alerts per post. */
  static final long BODY_LIMIT = 16L * 1024 * 1024;
  private static final Set<String> NO_FIELDS = Set.of();

  private NotifierEndpoints() {
  }

  static OperationTable<NotifierApi> table(NotifierOperations ops) {
    return OperationTable.of(NotifierApi.class)
        .bind(RAISE, ops::parseRebound, ops::receive)
        .bind(POST_ALERT, ops::parseApi, ops::receive)
        .bind(LIST_ALERTS, AlertsQuery::fromJson, (q, origin) -> ops.listAlerts(q))
        .bind(GET_ALERT, AlertIdRequest::fromJson, (r, origin) -> ops.getAlert(r))
        .bind(ACKNOWLEDGE, AlertActionRequest::fromJson, ops::acknowledge)
        .bind(RESOLVE, AlertActionRequest::fromJson, ops::resolve)
        .bind(LIST_SILENCES, SilencesQuery::fromJson, (q, origin) -> ops.listSilences(q))
        .bind(ADD_SILENCE, SilenceRequest::fromJson, ops::addSilence)
        .bind(EXPIRE_SILENCE, SilenceIdRequest::fromJson, ops::expireSilence)
        .bind(LIST_DELIVERIES, DeliveriesQuery::fromJson, (q, origin) -> ops.listDeliveries(q))
        .bind(RETRY_DELIVERY, DeliveryIdRequest::fromJson, ops::retryDelivery)
        .bind(ROUTES, json -> {
          JsonFields.rejectUnknown(json, NO_FIELDS);
          return json;
        }, (q, origin) -> ops.routes())
        .bind(TEST_ROUTE, RouteTestRequest::fromJson, (r, origin) -> ops.testRoute(r));
  }

  /** Mounted ahead of the table's routes. */
  /** Alertmanager's intake raises alerts as {@code POST /v1/alerts} does: the same scope. */
  static final List<RouteRule> ROUTE_RULES = List.of(
      RouteRule.of(HttpMethod.POST, "/api/v2/alerts", NotifierApi.POST_ALERT.scope()));

  static void addRoutes(Router router, JsonHandlers json, NotifierOperations ops) {
    router.routeWithRegex("/v1/(alerts|silences|deliveries|routes)(/.*)?").handler(BodyHandler.create(false)
        .setBodyLimit(BODY_LIMIT));
    router.post("/api/v2/alerts").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    router.post("/api/v2/alerts").handler(ctx -> {
      Origin origin = new Origin("alertmanager", Correlation.of(ctx));
      json.onService(ctx, () -> ops.receiveAll(ops.parseAlertmanager(array(ctx.body().asString())), origin),
          reply -> ctx.response().setStatusCode(200).end());
    });
    JsonHandlers.serveYaml(router, "openapi/notifier.yaml", "/openapi/notifier.yaml");
  }

  private static JsonArray array(String text) {
    if (text == null || text.isBlank()) {
      throw ReboundException.badRequest("the body must be a JSON array of alerts");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ReboundException.badRequest("malformed JSON body");
    }
    if (!(parsed instanceof JsonArray a)) {
      throw ReboundException.badRequest("the body must be a JSON array of alerts (Alertmanager API v2), not "
          + (parsed instanceof JsonObject ? "an object" : "a single value"));
    }
    return a;
  }
}
