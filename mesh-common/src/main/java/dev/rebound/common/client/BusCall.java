package dev.rebound.common.client;

import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * One request of a typed client: sent to the operation's address with its action header and, when a
 * person asks, the {@link Addresses#ACTOR_HEADER} (the service records it as the operation's actor, as it
 * records {@code http} for the HTTP API). A failure becomes a {@link ReboundException} with the service's
 * error code; no service listening is {@code UNAVAILABLE}.
 */
final class BusCall {
  private BusCall() {
  }

  static Future<JsonObject> request(Vertx vertx, ApiOperation operation, JsonObject body, long timeoutMs, String actor) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs)
        .addHeader(Addresses.REPLY_WITHIN_HEADER, Long.toString(timeoutMs));
    if (operation.action() != null) {
      options.addHeader(Addresses.ACTION_HEADER, operation.action());
    }
    if (actor != null) {
      options.addHeader(Addresses.ACTOR_HEADER, actor);
    }
    return vertx.eventBus().<JsonObject>request(operation.address(), body, options)
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(ReboundException.from(t)));
  }
}
