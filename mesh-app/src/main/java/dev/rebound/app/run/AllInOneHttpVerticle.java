package dev.rebound.app.run;

import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.runtime.OpsRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP server of {@code rebound run}: every service's routes on one port, plus
 * {@code /health/live}, {@code /health/ready} (UP only when every service is ready), {@code /metrics},
 * correlation ids and JSON errors. Deployed after the services, so their routers exist.
 */
public final class AllInOneHttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AllInOneHttpVerticle.class);

  private final List<ServiceModule> modules;
  private final String host;
  private final int port;
  private HttpServer server;

  public AllInOneHttpVerticle(List<ServiceModule> modules, String host, int port) {
    this.modules = List.copyOf(modules);
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router root = Router.router(vertx);
    root.route().handler(Correlation.httpHandler());
    OpsRoutes.mount(root, vertx, this::readiness);
    for (ServiceModule module : modules) {
      Router routes = module.routes();
      if (routes == null) {
        return Future.failedFuture(new IllegalStateException(
            "service '" + module.name() + "' has no routes after deployment"));
      }
      root.route().subRouter(routes);
    }
    root.route().failureHandler(ErrorReplies.httpFailureHandler());
    // Unknown paths and methods get the same JSON error body as everything else.
    root.errorHandler(404, ErrorReplies.httpFailureHandler());
    root.errorHandler(405, ErrorReplies.httpFailureHandler());
    return vertx.createHttpServer().requestHandler(root).listen(port, host).onSuccess(s -> {
      server = s;
      LOG.info("all-in-one HTTP on {}:{} serving {}", host, s.actualPort(),
          modules.stream().map(ServiceModule::name).toList());
    });
  }

  /** {@code {"services":{"ledger":{"status":"UP",…},…}}}, with status DOWN when any service is not ready. */
  Future<JsonObject> readiness() {
    List<Future<JsonObject>> checks = new ArrayList<>();
    for (ServiceModule module : modules) {
      Future<JsonObject> check;
      try {
        check = module.readiness();
      } catch (RuntimeException e) {
        check = Future.failedFuture(e);
      }
      checks.add(check == null ? Future.failedFuture("no readiness result") : check);
    }
    return Future.join(checks).transform(ignored -> {
      JsonObject services = new JsonObject();
      boolean allUp = true;
      for (int i = 0; i < modules.size(); i++) {
        Future<JsonObject> check = checks.get(i);
        JsonObject report;
        if (check.succeeded()) {
          JsonObject details = check.result() == null ? new JsonObject() : check.result();
          boolean down = "DOWN".equalsIgnoreCase(String.valueOf(details.getValue("status", "UP")));
          report = new JsonObject().put("status", down ? "DOWN" : "UP");
          details.forEach(e -> report.getMap().putIfAbsent(e.getKey(), e.getValue()));
          allUp &= !down;
        } else {
          report = new JsonObject().put("status", "DOWN").put("reason", String.valueOf(check.cause().getMessage()));
          allUp = false;
        }
        services.put(modules.get(i).name(), report);
      }
      return Future.succeededFuture(new JsonObject().put("status", allUp ? "UP" : "DOWN").put("services", services));
    });
  }

  /** The bound port (useful with port 0), or -1 before start. */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // long polls answered first, then stop accepting and wait (bounded) for the requests being served
    List<Future<Void>> quiet = new java.util.ArrayList<>();
    modules.forEach(m -> quiet.add(m.beforeHttpShutdown()));
    return Future.join(quiet).otherwiseEmpty()
        .compose(v -> server.shutdown(10, java.util.concurrent.TimeUnit.SECONDS));
  }
}
