package dev.rebound.common.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operational routes every service serves: {@code GET /health/live}, {@code GET /health/ready}
 * and {@code GET /metrics} (Prometheus text format 0.0.4).
 *
 * <p>Readiness is the service's own check (typically: the database answers and migrations are
 * applied). It is bounded: a check that fails, throws, reports {@code "status":"DOWN"} or does not
 * answer within the timeout (2 s by default) gives 503, so a probe never hangs.
 */
public final class OpsRoutes {

  public static final String LIVE = "/health/live";
  public static final String READY = "/health/ready";
  public static final String METRICS = "/metrics";
  public static final Duration DEFAULT_READINESS_TIMEOUT = Duration.ofSeconds(2);
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);

  private OpsRoutes() {
  }

  public static void mount(Router router, Vertx vertx, Supplier<Future<JsonObject>> readiness) {
    mount(router, vertx, readiness, DEFAULT_READINESS_TIMEOUT);
  }

  public static void mount(Router router, Vertx vertx, Supplier<Future<JsonObject>> readiness,
      Duration readinessTimeout) {
    router.get(LIVE).handler(ctx -> json(ctx.response(), 200, new JsonObject().put("status", "UP")));
    router.get(READY).handler(ctx -> ready(ctx, vertx, readiness, readinessTimeout));
    router.get(METRICS).handler(ctx -> metrics(ctx, vertx));
  }

  private static void ready(RoutingContext ctx, Vertx vertx, Supplier<Future<JsonObject>> readiness,
      Duration timeout) {
    // Complete on the request's context whichever thread the check or the timer completes on.
    Promise<JsonObject> outcome = ((ContextInternal) vertx.getOrCreateContext()).promise();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> outcome.tryFail(new TimeoutException(
        "readiness check did not answer within " + timeout.toMillis() + " ms")));
    Future<JsonObject> check;
    try {
      check = readiness.get();
      if (check == null) {
        check = Future.failedFuture("readiness check returned no result");
      }
    } catch (RuntimeException e) {
      check = Future.failedFuture(e);
    }
    check.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        outcome.tryComplete(ar.result());
      } else {
        outcome.tryFail(ar.cause());
      }
    });
    outcome.future().onComplete(ar -> {
      if (ctx.response().ended()) {
        return;
      }
      if (ar.succeeded()) {
        JsonObject details = ar.result() == null ? new JsonObject() : ar.result();
        boolean down = "DOWN".equalsIgnoreCase(String.valueOf(details.getValue("status", "UP")));
        JsonObject body = new JsonObject().put("status", down ? "DOWN" : "UP");
        details.forEach(e -> body.getMap().putIfAbsent(e.getKey(), e.getValue()));
        json(ctx.response(), down ? 503 : 200, body);
      } else {
        Throwable cause = ar.cause();
        String reason = String.valueOf(cause.getMessage());
        LOG.warn("readiness check failed: {}", reason);
        json(ctx.response(), 503, new JsonObject().put("status", "DOWN").put("reason", reason));
      }
    });
  }

  private static void metrics(RoutingContext ctx, Vertx vertx) {
    Optional<PrometheusMeterRegistry> registry = ReboundVertx.registry(vertx);
    if (registry.isEmpty()) {
      ctx.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
          .end("metrics are not enabled for this Vert.x instance\n");
      return;
    }
    ctx.response().putHeader("content-type", PROMETHEUS_CONTENT_TYPE).end(registry.get().scrape());
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
