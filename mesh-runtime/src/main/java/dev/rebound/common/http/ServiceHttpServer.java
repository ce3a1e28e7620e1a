package dev.rebound.common.http;

import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.runtime.OpsRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/** The HTTP server of a service run alone: correlation ids, health and metrics, its routes, JSON errors. */
public final class ServiceHttpServer {
  private ServiceHttpServer() {
  }

  public static Future<HttpServer> start(Vertx vertx, Router routes, Supplier<Future<JsonObject>> readiness, int port) {
    Router root = Router.router(vertx);
    root.route().handler(Correlation.httpHandler());
    OpsRoutes.mount(root, vertx, readiness);
    root.route().subRouter(routes);
    ErrorReplies.install(root);
    return vertx.createHttpServer().requestHandler(root).listen(port);
  }
}
