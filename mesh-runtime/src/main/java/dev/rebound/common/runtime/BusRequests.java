package dev.rebound.common.runtime;

import dev.rebound.common.ReboundException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/** The event-bus edge of every service: a JSON-object request in, the operation's reply or its error out. */
public final class BusRequests {
  private BusRequests() {
  }

  /**
   * Answers {@code msg} with {@code op}'s result, counted in {@code inFlight} until the reply is
   * sent; a non-object body or any failure becomes an error reply.
   */
  public static void answer(Message<Object> msg, Function<JsonObject, Future<JsonObject>> op, InFlight inFlight) {
    if (!(msg.body() instanceof JsonObject body)) {
      ErrorReplies.fail(msg, ReboundException.badRequest("the message body must be a JSON object"));
      return;
    }
    inFlight.track(() -> op.apply(body)).onSuccess(msg::reply).onFailure(t -> ErrorReplies.fail(msg, t));
  }
}
