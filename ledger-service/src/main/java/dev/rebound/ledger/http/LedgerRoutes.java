package dev.rebound.ledger.http;

import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.ledger.LedgerOperations;
import dev.rebound.ledger.store.Origin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.BiFunction;

/**
 * The ledger's HTTP API under {@code /v1} (see {@code /openapi.yaml}). Handlers are thin: decode,
 * call {@link LedgerOperations} on the ledger's own context, reply. Errors are
 * {@code {"error":{code,message,details}}} with 400/404/409/413.
 */
public final class LedgerRoutes {
  private final Vertx vertx;
  private final JsonHandlers json;
  private final LedgerOperations ops;
  private final long bodyLimit;

  /** @param json bound to the ledger's context (operations are confined to it) */
  public LedgerRoutes(Vertx vertx, JsonHandlers json, LedgerOperations ops, long bodyLimit) {
    this.vertx = vertx;
    this.json = json;
    this.ops = ops;
    this.bodyLimit = bodyLimit;
  }

  /** A router to mount at {@code /} (its routes start with /v1 and /openapi). */
  public Router router() {
    Router r = Router.router(vertx);
    // scoped to the ledger's own paths: in the all-in-one server other services' routes sit beside these
    r.routeWithRegex("/v1/(tasks|failures|decisions|dlq)(/.*)?").handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    ErrorReplies.install(r);

    r.post("/v1/tasks").handler(ctx -> json.body(ctx, b -> ops.enqueue(b, origin(ctx)), reply -> reply.getBoolean("created") ? 201 : 200));
    r.get("/v1/tasks").handler(ctx -> json.call(ctx, 200, () -> ops.list(JsonHandlers.query(ctx))));
    r.post("/v1/tasks/claim").handler(ctx -> json.body(ctx, b -> ops.claim(b, origin(ctx)), reply -> 200));
    r.get("/v1/tasks/:id").handler(ctx -> json.call(ctx, 200, () -> ops.get(idOnly(ctx))));
    r.get("/v1/tasks/:id/history").handler(ctx -> json.call(ctx, 200, () -> ops.history(idOnly(ctx))));
    r.post("/v1/tasks/:id/heartbeat").handler(ctx -> withId(ctx, (b, o) -> ops.heartbeat(b)));
    r.post("/v1/tasks/:id/complete").handler(ctx -> withId(ctx, ops::complete));
    r.post("/v1/tasks/:id/cancel").handler(ctx -> withId(ctx, ops::cancel));
    r.post("/v1/tasks/:id/block").handler(ctx -> withId(ctx, ops::block));
    r.post("/v1/tasks/:id/unblock").handler(ctx -> withId(ctx, ops::unblock));
    r.post("/v1/tasks/:id/checkpoints").handler(ctx -> withId(ctx, (b, o) -> ops.saveCheckpoint(b)));
    r.get("/v1/tasks/:id/checkpoints/latest").handler(ctx -> json.call(ctx, 200, () -> ops.latestCheckpoint(idOnly(ctx))));
    r.post("/v1/failures").handler(ctx -> json.body(ctx, b -> ops.reportFailure(b, origin(ctx)), reply -> 202));
    r.post("/v1/decisions").handler(ctx -> json.body(ctx, b -> ops.decide(b, origin(ctx)), reply -> 200));
    r.get("/v1/dlq").handler(ctx -> json.call(ctx, 200, () -> ops.deadLetters(JsonHandlers.query(ctx))));
    r.post("/v1/dlq/redrive").handler(ctx -> json.body(ctx, b -> ops.redrive(b, origin(ctx)), reply -> 200));
    r.post("/v1/dlq/purge").handler(ctx -> json.body(ctx, ops::purge, reply -> 200));
    r.get("/v1/stats").handler(ctx -> json.call(ctx, 200, ops::stats));
    String openapi = JsonHandlers.resource("openapi/ledger.yaml");
    r.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openapi));
    r.get("/openapi/ledger.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openapi));
    return r;
  }

  private static Origin origin(RoutingContext ctx) {
    return new Origin("http", Correlation.of(ctx));
  }

  private static JsonObject idOnly(RoutingContext ctx) {
    return new JsonObject().put("id", ctx.pathParam("id"));
  }

  private void withId(RoutingContext ctx, BiFunction<JsonObject, Origin, Future<JsonObject>> op) {
    json.body(ctx, b -> op.apply(b.put("id", ctx.pathParam("id")), origin(ctx)), reply -> 200);
  }
}
