package dev.rebound.common.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP port served from several event loops: {@code instances} Vert.x HTTP servers, each created and listening
 * on an event-loop context of its own, on the same host and port. Vert.x binds the socket once and hands each
 * accepted connection to the next server in turn (its "server sharing"), so a connection's parsing, TLS, routing
 * (the guard's token hashing, JSON decoding and encoding) runs on that server's event loop; the operations
 * themselves still run on their service's context ({@link JsonHandlers#onService}).
 *
 * <p>The first server listens on the caller's context (a verticle's; so with one instance nothing changes), the
 * others on contexts of other event loops of the instance, each a different loop while there are enough. Port
 * {@code 0} (any free port) is listened as a negative port of its own, which Vert.x binds once to a free port and
 * shares. The handler (a {@code Router}) is
 * shared: a Vert.x Web router keeps its routes in an immutable state behind a volatile field and builds a fresh
 * routing context per request, and Rebound's handlers keep no unsynchronised state.
 */
public final class HttpServers {
  /** The last negative port handed out for a port-0 listen ({@link #listen}). */
  private static final AtomicInteger ANY_PORT = new AtomicInteger();

  private final List<HttpServer> servers;

  private HttpServers(List<HttpServer> servers) {
    this.servers = List.copyOf(servers);
  }

  /**
   * Listens {@code instances} servers of {@code options} with {@code handler} on {@code host:port} (0: a free port);
   * fails, with every server that listened closed again, when any fails.
   */
  public static Future<HttpServers> listen(Vertx vertx, HttpServerOptions options,
      Handler<HttpServerRequest> handler, String host, int port, int instances) {
    if (instances < 1) {
      return Future.failedFuture(new IllegalArgumentException("instances must be at least 1, got " + instances));
    }
    VertxInternal vx = (VertxInternal) vertx;
    ContextInternal caller = vx.getOrCreateContext();
    List<ContextInternal> contexts = contexts(vx, caller, instances);
    // Vert.x shares a socket between servers listening on the same positive port, or on the same negative one
    // (a free port, shared); port 0 is never shared, so "any free port" becomes a negative port of this call's own
    int shared = port == 0 && instances > 1 ? -ANY_PORT.updateAndGet(n -> n == Integer.MAX_VALUE ? 1 : n + 1) : port;
    List<HttpServer> started = new ArrayList<>();
    return listenOn(vx, caller, contexts.get(0), options, handler, host, shared).compose(first -> {
      started.add(first);
      List<Future<HttpServer>> others = new ArrayList<>();
      for (int i = 1; i < contexts.size(); i++) {
        others.add(listenOn(vx, caller, contexts.get(i), options, handler, host, shared).onSuccess(started::add));
      }
      return Future.join(others).transform(all -> {
        if (all.succeeded()) {
          return Future.succeededFuture(new HttpServers(started));
        }
        List<Future<Void>> closed = new ArrayList<>();
        started.forEach(s -> closed.add(s.close()));
        return Future.join(closed).transform(ignored -> Future.failedFuture(all.cause()));
      });
    });
  }

  /** The caller's context first (an event-loop one; else a new one), then contexts of the other loops in turn. */
  private static List<ContextInternal> contexts(VertxInternal vx, ContextInternal caller, int instances) {
    List<ContextInternal> contexts = new ArrayList<>();
    ContextInternal first = caller.isEventLoopContext() ? caller : vx.createEventLoopContext();
    contexts.add(first);
    List<EventLoop> others = new ArrayList<>();
    for (EventExecutor e : vx.nettyEventLoopGroup()) {
      if (e instanceof EventLoop loop && loop != first.nettyEventLoop()) {
        others.add(loop);
      }
    }
    for (int i = 1; i < instances; i++) {
      contexts.add(others.isEmpty() ? vx.createEventLoopContext()
          : vx.contextBuilder().withThreadingModel(ThreadingModel.EVENT_LOOP)
              .withEventLoop(others.get((i - 1) % others.size())).build());
    }
    return contexts;
  }

  /** One server created and listening on {@code context}; its outcome reported on {@code caller}. */
  private static Future<HttpServer> listenOn(VertxInternal vx, ContextInternal caller, ContextInternal context,
      HttpServerOptions options, Handler<HttpServerRequest> handler, String host, int port) {
    Promise<HttpServer> listening = caller.promise();
    context.runOnContext(v -> vx.createHttpServer(new HttpServerOptions(options)).requestHandler(handler)
        .listen(port, host).onComplete(listening));
    return listening.future();
  }

  /** The bound port. */
  public int actualPort() {
    return servers.get(0).actualPort();
  }

  /** How many servers share the port. */
  public int size() {
    return servers.size();
  }

  /**
   * Every server stops accepting and waits, at most {@code grace}, for the requests it is serving, then closes;
   * completes when all have (their failures ignored: the port is closed either way).
   */
  public Future<Void> shutdown(Duration grace) {
    List<Future<Void>> stopped = new ArrayList<>();
    servers.forEach(s -> stopped.add(s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)));
    return Future.join(stopped).otherwiseEmpty().mapEmpty();
  }

  /** Every server closed at once (no grace). */
  public Future<Void> close() {
    List<Future<Void>> closed = new ArrayList<>();
    servers.forEach(s -> closed.add(s.close()));
    return Future.join(closed).otherwiseEmpty().mapEmpty();
  }
}
