package dev.rebound.retry;

import static dev.rebound.common.client.RetryApi.BUDGETS;
import static dev.rebound.common.client.RetryApi.CIRCUIT;
import static dev.rebound.common.client.RetryApi.CIRCUITS;
import static dev.rebound.common.client.RetryApi.CLASSIFIED;
import static dev.rebound.common.client.RetryApi.CLOSE_CIRCUIT;
import static dev.rebound.common.client.RetryApi.DISABLE_CIRCUIT;
import static dev.rebound.common.client.RetryApi.OPEN_CIRCUIT;
import static dev.rebound.common.client.RetryApi.POLICIES;
import static dev.rebound.common.client.RetryApi.POLICY;
import static dev.rebound.common.client.RetryApi.RESET_CIRCUIT;
import static dev.rebound.common.client.RetryApi.SCHEDULE;
import static dev.rebound.common.client.RetryApi.VALIDATE_POLICY;

import dev.rebound.common.client.RetryApi;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.request.CircuitAction;
import dev.rebound.common.request.CircuitQuery;
import dev.rebound.common.request.ListQuery;
import dev.rebound.common.request.PolicyQuery;
import dev.rebound.common.request.PolicyValidation;
import dev.rebound.common.request.ScheduleQuery;
import dev.rebound.common.service.OperationTable;
import dev.rebound.retry.domain.RetryDecider.Operation;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The retry service's edges: each {@link RetryApi} entry bound to its {@link RetryOperations} method with
 * its request record (the same binding serves the event bus and HTTP), and the OpenAPI document.
 */
final class RetryEndpoints {
  private RetryEndpoints() {
  }

  static OperationTable<RetryApi> table(RetryOperations ops) {
    return OperationTable.of(RetryApi.class)
        .bind(CLASSIFIED, ops::classified)
        .bind(POLICIES, ListQuery::fromJson, ops::policies)
        .bind(POLICY, PolicyQuery::fromJson, ops::policy)
        .bind(SCHEDULE, ScheduleQuery::fromJson, ops::schedule)
        .bind(VALIDATE_POLICY, PolicyValidation::fromJson, ops::validate)
        .bind(CIRCUITS, ListQuery::fromJson, ops::circuits)
        .bind(CIRCUIT, CircuitQuery::fromJson, ops::circuit)
        .bind(OPEN_CIRCUIT, CircuitAction::fromJson, (a, origin) -> ops.operate(a, origin, Operation.OPEN))
        .bind(CLOSE_CIRCUIT, CircuitAction::fromJson, (a, origin) -> ops.operate(a, origin, Operation.CLOSE))
        .bind(DISABLE_CIRCUIT, CircuitAction::fromJson, (a, origin) -> ops.operate(a, origin, Operation.DISABLE))
        .bind(RESET_CIRCUIT, CircuitAction::fromJson, (a, origin) -> ops.operate(a, origin, Operation.RESET))
        .bind(BUDGETS, ListQuery::fromJson, ops::budgets);
  }

  /** Mounted ahead of the table's routes. */
  static void addRoutes(Router router, long bodyLimit) {
    router.routeWithRegex("/v1/(policies|circuits|budgets)(/.*)?").handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    JsonHandlers.serveYaml(router, "openapi/retry.yaml", "/openapi/retry.yaml", "/openapi.yaml");
  }
}
