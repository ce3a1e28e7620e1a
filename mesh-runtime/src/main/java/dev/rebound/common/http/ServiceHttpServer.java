package dev.rebound.common.http;

import dev.rebound.common.dashboard.Dashboard;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.HttpTls;
import dev.rebound.common.runtime.OpsRoutes;
import dev.rebound.common.runtime.ReboundVertx;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one router assembly of Rebound's HTTP servers, a service run alone and the all-in-one
 * {@code rebound run} alike: correlation ids, {@code /health/live}, {@code /health/ready},
 * {@code /metrics}, the web dashboard ({@code /ui}: every service's pages, their data over the event bus),
 * the services' routers, and JSON errors for everything else (400, 404, 405, 413, 500 and failures). HTTPS
 * when the process was started with {@code http.tls.cert-file} and {@code http.tls.key-file}.
 */
public final class ServiceHttpServer {
  /** How long a stopping server waits for the requests it is serving. */
  public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private ServiceHttpServer() {
  }

  /** The root router: ops routes answering {@code readiness}, then each service's routes in order. */
  public static Router router(Vertx vertx, Supplier<Future<JsonObject>> readiness, List<Router> serviceRoutes) {
    Router root = Router.router(vertx);
    root.route().handler(Correlation.httpHandler());
    OpsRoutes.mount(root, vertx, readiness);
    Dashboard.mount(root, vertx);
    for (Router routes : serviceRoutes) {
      root.route().subRouter(routes);
    }
    ErrorReplies.install(root);
    return root;
  }

  /** The HTTP server of a service run alone, listening on {@code port} (0: any free port). */
  public static Future<HttpServer> start(Vertx vertx, Router routes, Supplier<Future<JsonObject>> readiness, int port) {
    return vertx.createHttpServer(serverOptions(vertx)).requestHandler(router(vertx, readiness, List.of(routes)))
        .listen(port);
  }

  /** HTTPS when the instance was built with {@code http.tls.*} ({@link ReboundVertx#httpTls}), else plain HTTP. */
  public static HttpServerOptions serverOptions(Vertx vertx) {
    return ReboundVertx.httpTls(vertx).map(HttpTls::serverOptions).orElseGet(HttpServerOptions::new);
  }

  /** {@code https} or {@code http}, as {@link #serverOptions} serves. */
  public static String scheme(Vertx vertx) {
    return ReboundVertx.httpTls(vertx).isPresent() ? "https" : "http";
  }
}
