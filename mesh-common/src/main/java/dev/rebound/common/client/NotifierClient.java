package dev.rebound.common.client;

import dev.rebound.common.ReboundException;
import dev.rebound.common.request.AlertActionRequest;
import dev.rebound.common.request.AlertIdRequest;
import dev.rebound.common.request.AlertsQuery;
import dev.rebound.common.request.SilenceIdRequest;
import dev.rebound.common.request.SilenceRequest;
import dev.rebound.common.request.SilencesQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Typed access to the notifier over the (possibly clustered) event bus: one method per {@link NotifierApi}
 * entry that others call, each taking that operation's request record. Every call fails with a
 * {@link ReboundException} carrying the service's error code.
 */
public final class NotifierClient {
  private final Vertx vertx;
  private final long timeoutMs;
  private final String actor;

  public NotifierClient(Vertx vertx, long timeoutMs) {
    this(vertx, timeoutMs, null);
  }

  private NotifierClient(Vertx vertx, long timeoutMs, String actor) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.actor = actor;
  }

  /** This client acting for {@code actor}: an acknowledgement or resolution without {@code by} is recorded as theirs. */
  public NotifierClient as(String actor) {
    return new NotifierClient(vertx, timeoutMs, actor);
  }

  /** {@code {alerts:[…]}}, newest first. */
  public Future<JsonObject> alerts(AlertsQuery query) {
    return call(NotifierApi.LIST_ALERTS, query.toJson());
  }

  /** One alert with its history; NOT_FOUND when unknown. */
  public Future<JsonObject> alert(AlertIdRequest request) {
    return call(NotifierApi.GET_ALERT, request.toJson());
  }

  /** Stops the alert's escalation; ILLEGAL_TRANSITION when it is resolved. */
  public Future<JsonObject> acknowledge(AlertActionRequest request) {
    return call(NotifierApi.ACKNOWLEDGE, request.toJson());
  }

  public Future<JsonObject> resolve(AlertActionRequest request) {
    return call(NotifierApi.RESOLVE, request.toJson());
  }

  /** {@code {silences:[…]}}. */
  public Future<JsonObject> silences(SilencesQuery query) {
    return call(NotifierApi.LIST_SILENCES, query.toJson());
  }

  public Future<JsonObject> addSilence(SilenceRequest request) {
    return call(NotifierApi.ADD_SILENCE, request.toJson());
  }

  /** Ends a silence now. */
  public Future<JsonObject> expireSilence(SilenceIdRequest request) {
    return call(NotifierApi.EXPIRE_SILENCE, request.toJson());
  }

  private Future<JsonObject> call(NotifierApi operation, JsonObject body) {
    return BusCall.request(vertx, operation, body, timeoutMs, actor);
  }
}
