package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;

import dev.rebound.common.Addresses;

/**
 * The retry service's API: every operation once, with its event-bus address and action and its HTTP
 * route (see the retry service's {@code /openapi/retry.yaml}). The request of each is a record in
 * {@code dev.rebound.common.request} ({@code PolicyQuery}, {@code ScheduleQuery}, {@code PolicyValidation},
 * {@code CircuitQuery}, {@code CircuitAction}, {@code ListQuery}); {@link RetryClient} calls through these entries.
 */
public enum RetryApi implements ApiOperation {
  /** A {@code FailureClassified} from the analyzer: decided once per (task, attempt), the decision sent to the ledger. */
  CLASSIFIED(Addresses.RETRY_CLASSIFIED, null, null),
  POLICIES("policies.list", get("/v1/policies")),
  /** One stage's policy; {@code format=argo|stepfunctions} exports it for those engines. */
  POLICY("policies.get", get("/v1/policies/:stage")),
  SCHEDULE("policies.schedule", get("/v1/policies/:stage/schedule")),
  VALIDATE_POLICY("policies.validate", post("/v1/policies/validate")),
  CIRCUITS("circuits.list", get("/v1/circuits")),
  CIRCUIT("circuits.get", get("/v1/circuits/:name")),
  OPEN_CIRCUIT("circuits.open", post("/v1/circuits/:name/open")),
  CLOSE_CIRCUIT("circuits.close", post("/v1/circuits/:name/close")),
  DISABLE_CIRCUIT("circuits.disable", post("/v1/circuits/:name/disable")),
  RESET_CIRCUIT("circuits.reset", post("/v1/circuits/:name/reset")),
  BUDGETS("budgets.list", get("/v1/budgets"));

  private final String address;
  private final String action;
  private final HttpRoute route;

  /** An operation on {@link Addresses#RETRY}, selected by its action header. */
  RetryApi(String action, HttpRoute route) {
    this(Addresses.RETRY, action, route);
  }

  RetryApi(String address, String action, HttpRoute route) {
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
