package dev.rebound.ledger.http;

import dev.rebound.common.ErrorReplies;
import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.ledger.LedgerOperations;
import dev.rebound.ledger.store.Origin;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The ledger's HTTP API under {@code /v1} (see {@code /openapi.yaml}). Handlers are thin: decode,
 * call {@link LedgerOperations} on the ledger's own context, reply. Errors are
 * {@code {"error":{code,message,details}}} with 400/404/409/413.
 */
public final class LedgerRoutes {
  private final Vertx vertx;
  private final Context ledgerContext;
  private final LedgerOperations ops;
  private final long bodyLimit;

  public LedgerRoutes(Vertx vertx, Context ledgerContext, LedgerOperations ops, long bodyLimit) {
    this.vertx = vertx;
    this.ledgerContext = ledgerContext;
    this.ops = ops;
    this.bodyLimit = bodyLimit;
  }

  /** A router to mount at {@code /} (its routes start with /v1 and /openapi). */
  public Router router() {
    Router r = Router.router(vertx);
    r.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    ErrorReplies.install(r);

    r.post("/v1/tasks").handler(ctx -> body(ctx, b -> ops.enqueue(b, origin(ctx)), reply -> reply.getBoolean("created") ? 201 : 200));
    r.get("/v1/tasks").handler(ctx -> call(ctx, 200, () -> ops.list(query(ctx))));
    r.post("/v1/tasks/claim").handler(ctx -> body(ctx, b -> ops.claim(b, origin(ctx)), reply -> 200));
    r.get("/v1/tasks/:id").handler(ctx -> call(ctx, 200, () -> ops.get(idOnly(ctx))));
    r.get("/v1/tasks/:id/history").handler(ctx -> call(ctx, 200, () -> ops.history(idOnly(ctx))));
    r.post("/v1/tasks/:id/heartbeat").handler(ctx -> withId(ctx, (b, o) -> ops.heartbeat(b)));
    r.post("/v1/tasks/:id/complete").handler(ctx -> withId(ctx, ops::complete));
    r.post("/v1/tasks/:id/cancel").handler(ctx -> withId(ctx, ops::cancel));
    r.post("/v1/tasks/:id/block").handler(ctx -> withId(ctx, ops::block));
    r.post("/v1/tasks/:id/unblock").handler(ctx -> withId(ctx, ops::unblock));
    r.post("/v1/tasks/:id/checkpoints").handler(ctx -> withId(ctx, (b, o) -> ops.saveCheckpoint(b)));
    r.get("/v1/tasks/:id/checkpoints/latest").handler(ctx -> call(ctx, 200, () -> ops.latestCheckpoint(idOnly(ctx))));
    r.post("/v1/failures").handler(ctx -> body(ctx, b -> ops.reportFailure(b, origin(ctx)), reply -> 202));
    r.post("/v1/decisions").handler(ctx -> body(ctx, b -> ops.decide(b, origin(ctx)), reply -> 200));
    r.get("/v1/dlq").handler(ctx -> call(ctx, 200, () -> ops.deadLetters(query(ctx))));
    r.post("/v1/dlq/redrive").handler(ctx -> body(ctx, b -> ops.redrive(b, origin(ctx)), reply -> 200));
    r.post("/v1/dlq/purge").handler(ctx -> body(ctx, ops::purge, reply -> 200));
    r.get("/v1/stats").handler(ctx -> call(ctx, 200, ops::stats));
    String openapi = resource("openapi/ledger.yaml");
    r.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openapi));
    return r;
  }

  private static Origin origin(RoutingContext ctx) {
    return new Origin("http", Correlation.of(ctx));
  }

  private static JsonObject idOnly(RoutingContext ctx) {
    return new JsonObject().put("id", ctx.pathParam("id"));
  }

  /** Query parameters as JSON; {@code limit} must be an integer. */
  private static JsonObject query(RoutingContext ctx) {
    JsonObject q = new JsonObject();
    ctx.queryParams().forEach(e -> {
      if ("limit".equals(e.getKey())) {
        try {
          q.put("limit", Long.parseLong(e.getValue()));
        } catch (NumberFormatException ex) {
          throw ReboundException.invalidField("limit", "must be an integer");
        }
      } else {
        q.put(e.getKey(), e.getValue());
      }
    });
    return q;
  }

  private void withId(RoutingContext ctx, BiFunction<JsonObject, Origin, Future<JsonObject>> op) {
    body(ctx, b -> op.apply(b.put("id", ctx.pathParam("id")), origin(ctx)), reply -> 200);
  }

  private void body(RoutingContext ctx, Function<JsonObject, Future<JsonObject>> op, Function<JsonObject, Integer> status) {
    JsonObject body;
    try {
      String text = ctx.body().asString();
      if (text == null || text.isBlank()) {
        body = new JsonObject();
      } else {
        Object parsed = io.vertx.core.json.Json.decodeValue(text);
        body = JsonFields.requireObject(parsed);
      }
    } catch (DecodeException e) {
      ErrorReplies.respond(ctx, ReboundException.badRequest("malformed JSON body: " + firstLine(e.getMessage())));
      return;
    } catch (ReboundException e) {
      ErrorReplies.respond(ctx, e);
      return;
    }
    JsonObject input = body;
    onLedger(ctx, () -> op.apply(input), status);
  }

  private void call(RoutingContext ctx, int status, java.util.function.Supplier<Future<JsonObject>> op) {
    onLedger(ctx, op, reply -> status);
  }

  /** Runs the operation on the ledger's context (operations are confined to it) and writes the reply. */
  private void onLedger(RoutingContext ctx, java.util.function.Supplier<Future<JsonObject>> op,
                        Function<JsonObject, Integer> status) {
    Runnable run = () -> {
      Future<JsonObject> f;
      try {
        f = op.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onSuccess(reply -> {
        if (!ctx.response().ended() && !ctx.response().closed()) {
          ctx.response().setStatusCode(status.apply(reply)).putHeader("Content-Type", "application/json")
              .end(reply.encode());
        }
      }).onFailure(t -> ErrorReplies.respond(ctx, t));
    };
    if (Vertx.currentContext() == ledgerContext) {
      run.run();
    } else {
      ledgerContext.runOnContext(v -> run.run());
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return JsonFields.abbreviate(nl < 0 ? s : s.substring(0, nl), 200);
  }

  private static String resource(String name) {
    try (InputStream in = LedgerRoutes.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
