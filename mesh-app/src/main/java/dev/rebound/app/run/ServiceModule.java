package dev.rebound.app.run;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One service as {@code rebound run} sees it: the verticle to deploy (built with
 * {@code http.enabled=false}, so it opens no port of its own), the router it serves once deployed
 * (mounted at {@code /} on the shared port), and its readiness check (the shared
 * {@code /health/ready} is UP only when every service's is).
 */
public interface ServiceModule {

  /** Short name, used in logs and in the readiness report ({@code ledger}, {@code analyzer}…). */
  String name();

  /** The verticle to deploy; called once, before deployment. */
  Deployable verticle();

  /** The service's routes ({@code /v1/...}); called after its verticle is deployed. */
  Router routes();

  /** The service's own readiness; called after deployment, on every probe. */
  Future<JsonObject> readiness();

  /**
   * Called before the shared HTTP server shuts down: answer what would otherwise keep requests open
   * (the ledger's long-poll claims), so the server's graceful shutdown is not held up by them.
   */
  default Future<Void> beforeHttpShutdown() {
    return Future.succeededFuture();
  }

  /** A module from its parts; {@code routes} and {@code readiness} are only read after deployment. */
  static ServiceModule of(String name, Deployable verticle, Supplier<Router> routes,
      Supplier<Future<JsonObject>> readiness) {
    return of(name, verticle, routes, readiness, Future::succeededFuture);
  }

  /** The same, with what to do before the shared HTTP server shuts down. */
  static ServiceModule of(String name, Deployable verticle, Supplier<Router> routes,
      Supplier<Future<JsonObject>> readiness, Supplier<Future<Void>> beforeHttpShutdown) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(verticle, "verticle");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(readiness, "readiness");
    return new ServiceModule() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Deployable verticle() {
        return verticle;
      }

      @Override
      public Router routes() {
        return routes.get();
      }

      @Override
      public Future<JsonObject> readiness() {
        return readiness.get();
      }

      @Override
      public Future<Void> beforeHttpShutdown() {
        return beforeHttpShutdown.get();
      }

      @Override
      public String toString() {
        return "ServiceModule[" + name + "]";
      }
    };
  }
}
