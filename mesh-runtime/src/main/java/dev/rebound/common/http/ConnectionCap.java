package dev.rebound.common.http;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.runtime.ErrorReplies;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} open connections an HTTP server serves ({@code http.max-connections}). A connection opened
 * while {@code max} are open is answered, on each request it carries, {@code 429 OVERLOADED} with
 * {@code Retry-After} at once — before routing, before its body is read — and then closed; {@code /health/*} is
 * still served on it (a probe must not read a full server as dead). Every route of every service is covered, and
 * what the server holds stays within what its event loop can answer: an open-loop flood over thousands of
 * connections otherwise piles requests up in socket buffers, where no queue bound of the service sees them (the
 * ledger on 16,000 connections: goodput a tenth of its sustainable rate, accepted p99 over 20 s, half the time in
 * GC for what 16,000 connections hold; {@code OverloadHarness}).
 */
public final class ConnectionCap {
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final Set<HttpConnection> over = ConcurrentHashMap.newKeySet();

  private ConnectionCap(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    this.max = max;
  }

  /** Sets {@code server}'s connection handler and its request handler: {@code handler} behind the cap. */
  public static HttpServer apply(HttpServer server, int max, Handler<HttpServerRequest> handler) {
    ConnectionCap cap = new ConnectionCap(max);
    return server.connectionHandler(cap::opened).requestHandler(cap.guard(handler));
  }

  private void opened(HttpConnection connection) {
    if (open.incrementAndGet() > max) {
      over.add(connection);
    }
    connection.closeHandler(v -> {
      open.decrementAndGet();
      over.remove(connection);
    });
  }

  private Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
    return request -> {
      if (over.isEmpty() || !over.contains(request.connection()) || request.path().startsWith("/health/")) {
        next.handle(request);
        return;
      }
      ReboundException refused = new ReboundException(ErrorCode.OVERLOADED, "this server has " + max
          + " connections open already; retry shortly", new JsonObject().put("retryAfterSeconds",
          ErrorReplies.RETRY_AFTER_SECONDS));
      request.response().setStatusCode(429)
          .putHeader("Retry-After", String.valueOf(ErrorReplies.RETRY_AFTER_SECONDS))
          .putHeader("Content-Type", "application/json")
          .putHeader("Connection", "close")
          .end(refused.toJson().encode())
          .onComplete(ar -> request.connection().close());
    };
  }
}
