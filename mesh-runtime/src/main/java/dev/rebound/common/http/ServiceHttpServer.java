package dev.rebound.common.http;

import dev.rebound.common.auth.HttpGuard;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.auth.RouteRule;
import dev.rebound.common.client.Scope;
import dev.rebound.common.dashboard.Dashboard;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.HttpTls;
import dev.rebound.common.runtime.OpsRoutes;
import dev.rebound.common.runtime.ReboundVertx;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one router assembly of Rebound's HTTP servers, a service run alone and the all-in-one
 * {@code rebound run} alike: correlation ids, the {@link HttpGuard} (foreign origins, bearer tokens and their
 * scopes, body media types: every route's {@link RouteRule} in one place), {@code /health/live},
 * {@code /health/ready} (open), {@code /metrics} (scope {@code metrics}), the web dashboard ({@code /ui}: every
 * service's pages, their data over the event bus; it signs people in itself), the services' routers, and JSON
 * errors for everything else (400, 401, 403, 404, 405, 413, 415, 500 and failures). HTTPS when the process was
 * started with {@code http.tls.cert-file} and {@code http.tls.key-file}. Each port is served from
 * {@code http.event-loops} event loops ({@link HttpServers}); the router is the same for all of them.
 */
public final class ServiceHttpServer {
  /** How long a stopping server waits for the requests it is serving. */
  public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private ServiceHttpServer() {
  }

  /** The rules of the routes the assembly itself serves: health open, metrics by scope, the dashboard by its own sign-in. */
  public static final List<RouteRule> OWN_RULES = List.of(
      RouteRule.open(HttpMethod.GET, OpsRoutes.LIVE),
      RouteRule.open(HttpMethod.GET, OpsRoutes.READY),
      RouteRule.of(HttpMethod.GET, OpsRoutes.METRICS, Scope.METRICS),
      // the dashboard decides who may read and operate itself (OperatorAccess), from a sign-in session
      new RouteRule(null, Dashboard.ROOT, null, RouteRule.FORM),
      new RouteRule(null, Dashboard.ROOT + "/*", null, RouteRule.FORM));

  /** The root router: the guard, ops routes answering {@code readiness}, the dashboard, then each service's routes in order. */
  public static Router router(Vertx vertx, Supplier<Future<JsonObject>> readiness, HttpSecurity security,
      List<ServiceRoutes> services) {
    List<RouteRule> rules = new ArrayList<>(OWN_RULES);
    services.forEach(s -> rules.addAll(s.rules()));
    Router root = Router.router(vertx);
    root.route().handler(Correlation.httpHandler());
    root.route().handler(new HttpGuard(security, rules));
    OpsRoutes.mount(root, vertx, readiness);
    Dashboard.mount(root, vertx, security);
    for (ServiceRoutes routes : services) {
      root.route().subRouter(routes.router());
    }
    ErrorReplies.install(root);
    return root;
  }

  /**
   * The HTTP server of a service run alone, listening on {@code port} (0: any free port) at the security's host,
   * from {@code http.event-loops} event loops.
   */
  public static Future<HttpServers> start(Vertx vertx, ServiceRoutes routes, Supplier<Future<JsonObject>> readiness,
      HttpSecurity security, int port) {
    return listen(vertx, router(vertx, readiness, security, List.of(routes)), security.host(), port);
  }

  /**
   * {@code root} served on {@code host:port} by {@code http.event-loops} servers ({@link ReboundVertx#httpEventLoops}),
   * each on its own event loop, sharing the port ({@link HttpServers}); HTTPS per {@link #serverOptions}.
   */
  public static Future<HttpServers> listen(Vertx vertx, Router root, String host, int port) {
    return HttpServers.listen(vertx, serverOptions(vertx), root, host, port, ReboundVertx.httpEventLoops(vertx));
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
