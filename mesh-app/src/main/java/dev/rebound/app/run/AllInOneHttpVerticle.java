package dev.rebound.app.run;

import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.http.HttpServers;
import dev.rebound.common.http.ServiceHttpServer;
import dev.rebound.common.http.ServiceRoutes;
import dev.rebound.common.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP port of {@code rebound run}: every service's routes on one port, assembled by the
 * same {@link ServiceHttpServer#router} as a service's own server (correlation ids,
 * {@code /health/live}, {@code /health/ready} — UP only when every service is ready —
 * {@code /metrics}, JSON errors) and the same guard (bearer tokens and scopes, body types, foreign origins), over
 * HTTPS with {@code http.tls.*}, from {@code http.event-loops} event loops ({@link HttpServers}; each operation still
 * runs on its service's context). Deployed after the services, so their routers exist.
 */
public final class AllInOneHttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AllInOneHttpVerticle.class);

  private final List<ServiceVerticle> services;
  private final String host;
  private final int port;
  private final HttpSecurity security;
  private HttpServers server;

  public AllInOneHttpVerticle(List<? extends ServiceVerticle> services, HttpSecurity security, int port) {
    this.services = List.copyOf(services);
    this.host = security.host();
    this.port = port;
    this.security = security;
  }

  @Override
  public Future<?> start() {
    List<ServiceRoutes> routers = new ArrayList<>();
    for (ServiceVerticle service : services) {
      if (service.routes() == null) {
        return Future.failedFuture(new IllegalStateException(
            "service '" + service.name() + "' has no routes after deployment"));
      }
      routers.add(service.serviceRoutes());
    }
    Router root = ServiceHttpServer.router(vertx, this::readiness, security, routers);
    return ServiceHttpServer.listen(vertx, root, host, port).onSuccess(s -> {
      server = s;
      LOG.info("all-in-one {} on {}:{} ({} event loops) serving {}; {}", ServiceHttpServer.scheme(vertx), host,
          s.actualPort(), s.size(), services.stream().map(ServiceVerticle::name).toList(), security.describe());
    });
  }

  /** {@code {"services":{"ledger":{"status":"UP",…},…}}}, with status DOWN when any service is not ready. */
  Future<JsonObject> readiness() {
    List<Future<JsonObject>> checks = new ArrayList<>();
    for (ServiceVerticle service : services) {
      Future<JsonObject> check;
      try {
        check = service.readiness();
      } catch (RuntimeException e) {
        check = Future.failedFuture(e);
      }
      checks.add(check == null ? Future.failedFuture("no readiness result") : check);
    }
    return Future.join(checks).transform(ignored -> {
      JsonObject report = new JsonObject();
      boolean allUp = true;
      for (int i = 0; i < services.size(); i++) {
        Future<JsonObject> check = checks.get(i);
        JsonObject one;
        if (check.succeeded()) {
          JsonObject details = check.result() == null ? new JsonObject() : check.result();
          boolean down = "DOWN".equalsIgnoreCase(String.valueOf(details.getValue("status", "UP")));
          one = new JsonObject().put("status", down ? "DOWN" : "UP");
          details.forEach(e -> one.getMap().putIfAbsent(e.getKey(), e.getValue()));
          allUp &= !down;
        } else {
          one = new JsonObject().put("status", "DOWN").put("reason", String.valueOf(check.cause().getMessage()));
          allUp = false;
        }
        report.put(services.get(i).name(), one);
      }
      return Future.succeededFuture(new JsonObject().put("status", allUp ? "UP" : "DOWN").put("services", report));
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
    // held requests (long polls) answered first, then stop accepting and wait (bounded) for the requests being served
    List<Future<Void>> quiet = new ArrayList<>();
    services.forEach(s -> quiet.add(s.quiesce()));
    return Future.join(quiet).otherwiseEmpty()
        .compose(v -> server.shutdown(ServiceHttpServer.SHUTDOWN_GRACE));
  }
}
