package dev.rebound.common.client;

import dev.rebound.common.ReboundException;
import dev.rebound.common.request.CircuitAction;
import dev.rebound.common.request.CircuitQuery;
import dev.rebound.common.request.ListQuery;
import dev.rebound.common.request.PolicyQuery;
import dev.rebound.common.request.ScheduleQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Typed access to the retry service over the (possibly clustered) event bus: one method per
 * {@link RetryApi} entry that others call, each taking that operation's request record. Every call fails
 * with a {@link ReboundException} carrying the service's error code.
 */
public final class RetryClient {
  private final Vertx vertx;
  private final long timeoutMs;
  private final String actor;

  public RetryClient(Vertx vertx, long timeoutMs) {
    this(vertx, timeoutMs, null);
  }

  private RetryClient(Vertx vertx, long timeoutMs, String actor) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.actor = actor;
  }

  /** This client acting for {@code actor} (recorded with the circuit transitions it causes). */
  public RetryClient as(String actor) {
    return new RetryClient(vertx, timeoutMs, actor);
  }

  public Future<JsonObject> policies() {
    return call(RetryApi.POLICIES, new ListQuery().toJson());
  }

  public Future<JsonObject> policy(PolicyQuery query) {
    return call(RetryApi.POLICY, query.toJson());
  }

  public Future<JsonObject> schedule(ScheduleQuery query) {
    return call(RetryApi.SCHEDULE, query.toJson());
  }

  public Future<JsonObject> circuits() {
    return call(RetryApi.CIRCUITS, new ListQuery().toJson());
  }

  /** {@code {name, state, …}}; a circuit that never saw a failure is CLOSED. */
  public Future<JsonObject> circuit(String name) {
    return call(RetryApi.CIRCUIT, new CircuitQuery(name).toJson());
  }

  /** One of {@link RetryApi#OPEN_CIRCUIT}, {@code CLOSE_CIRCUIT}, {@code DISABLE_CIRCUIT}, {@code RESET_CIRCUIT}. */
  public Future<JsonObject> operate(RetryApi operation, CircuitAction action) {
    if (operation != RetryApi.OPEN_CIRCUIT && operation != RetryApi.CLOSE_CIRCUIT
        && operation != RetryApi.DISABLE_CIRCUIT && operation != RetryApi.RESET_CIRCUIT) {
      throw new IllegalArgumentException(operation + " is not an operation on a circuit");
    }
    return call(operation, action.toJson());
  }

  public Future<JsonObject> budgets() {
    return call(RetryApi.BUDGETS, new ListQuery().toJson());
  }

  private Future<JsonObject> call(RetryApi operation, JsonObject body) {
    return BusCall.request(vertx, operation, body, timeoutMs, actor);
  }
}
