package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;
import static dev.rebound.common.client.Scope.OPERATOR;
import static dev.rebound.common.client.Scope.READ;

import dev.rebound.common.Addresses;

/**
 * The retry service's API: every operation once, with its event-bus address and action and its HTTP
 * route (see the retry service's {@code /openapi/retry.yaml}). The request of each is a record in
 * {@code dev.rebound.common.request} ({@code PolicyQuery}, {@code ScheduleQuery}, {@code PolicyValidation},
 * {@code CircuitQuery}, {@code CircuitAction}, {@code ListQuery}); {@link RetryClient} calls through these entries.
 */
public enum RetryApi implements ApiOperation {
  /** A {@code FailureClassified} from the analyzer: decided once per (task, attempt), the decision sent to the ledger. */
  CLASSIFIED(OPERATOR, Addresses.RETRY_CLASSIFIED, null, null),
  POLICIES(READ, "policies.list", get("/v1/policies")),
  /** One stage's policy; {@code format=argo|stepfunctions} exports it for those engines. */
  POLICY(READ, "policies.get", get("/v1/policies/:stage")),
  SCHEDULE(READ, "policies.schedule", get("/v1/policies/:stage/schedule")),
  VALIDATE_POLICY(READ, "policies.validate", post("/v1/policies/validate")),
  CIRCUITS(READ, "circuits.list", get("/v1/circuits")),
  CIRCUIT(READ, "circuits.get", get("/v1/circuits/:name")),
  OPEN_CIRCUIT(OPERATOR, "circuits.open", post("/v1/circuits/:name/open")),
  CLOSE_CIRCUIT(OPERATOR, "circuits.close", post("/v1/circuits/:name/close")),
  DISABLE_CIRCUIT(OPERATOR, "circuits.disable", post("/v1/circuits/:name/disable")),
  RESET_CIRCUIT(OPERATOR, "circuits.reset", post("/v1/circuits/:name/reset")),
  BUDGETS(READ, "budgets.list", get("/v1/budgets"));

  private final String address;
  private final String action;
  private final HttpRoute route;
  private final Scope scope;

  /** An operation on {@link Addresses#RETRY}, selected by its action header. */
  RetryApi(Scope scope, String action, HttpRoute route) {
    this(scope, Addresses.RETRY, action, route);
  }

  RetryApi(Scope scope, String address, String action, HttpRoute route) {
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
