package dev.rebound.common.http;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.InFlight;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The glue every service's HTTP routes share: decode a JSON body or the query string, run the
 * operation on the service's own context (services keep their state confined to it, and an
 * all-in-one server may call from another event loop), and write the JSON reply or the error.
 */
public final class JsonHandlers {
  private final Context serviceContext;
  private final InFlight inFlight;

  /** Operations are counted in {@code inFlight} until answered (graceful shutdown waits for them). */
  public JsonHandlers(Context serviceContext, InFlight inFlight) {
    this.serviceContext = serviceContext;
    this.inFlight = inFlight;
  }

  /** Runs {@code op} on the service's context and hands a success to {@code writer}; failures become error replies. */
  public <T> void onService(RoutingContext ctx, Supplier<Future<T>> op, Consumer<T> writer) {
    Runnable run = () -> {
      Future<T> f = inFlight.track(op);
      f.onSuccess(reply -> {
        if (!ctx.response().ended() && !ctx.response().closed()) {
          writer.accept(reply);
        }
      }).onFailure(t -> ErrorReplies.respond(ctx, t));
    };
    if (Vertx.currentContext() == serviceContext) {
      run.run();
    } else {
      serviceContext.runOnContext(v -> run.run());
    }
  }

  /**
   * Completes on the service's context when the client goes away before its response ended
   * (connection closed or stream reset): the operation's reply would reach nobody.
   */
  public Future<Void> requesterGone(RoutingContext ctx) {
    Promise<Void> gone = ((ContextInternal) serviceContext).promise();
    Runnable mark = () -> {
      if (!ctx.response().ended()) {
        serviceContext.runOnContext(v -> gone.tryComplete());
      }
    };
    if (ctx.response().closed()) {
      mark.run();
    } else {
      ctx.response().closeHandler(v -> mark.run());
    }
    return gone.future();
  }

  public static void writeJson(RoutingContext ctx, int status, JsonObject reply) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(reply.encode());
  }

  public static JsonObject jsonBody(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    try {
      return JsonFields.requireObject(Json.decodeValue(text));
    } catch (DecodeException e) {
      throw ReboundException.badRequest("malformed JSON body: " + firstLine(e.getMessage()));
    }
  }

  /**
   * The body of a batch route as {@code {itemsField: [...]}}: a JSON array, NDJSON (one JSON value a
   * line; {@code Content-Type: application/x-ndjson}, or any body that is not one JSON value), or the
   * object itself. A malformed NDJSON line becomes an item of its own (its text), refused alone.
   */
  public static JsonObject itemsBody(RoutingContext ctx, String itemsField) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.contains("ndjson")) {
      try {
        Object value = Json.decodeValue(text);
        if (value instanceof JsonArray items) {
          return new JsonObject().put(itemsField, items);
        }
        if (value instanceof JsonObject object) {
          return object;
        }
        throw ReboundException.badRequest("the body must be a JSON array, an object or NDJSON");
      } catch (DecodeException e) {
        if (text.strip().indexOf('\n') < 0) {
          throw ReboundException.badRequest("malformed JSON body: " + firstLine(e.getMessage()));
        }
      }
    }
    JsonArray items = new JsonArray();
    for (String line : text.split("\r?\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        items.add(Json.decodeValue(line));
      } catch (DecodeException e) {
        items.add(JsonFields.abbreviate(line, 200));
      }
    }
    return new JsonObject().put(itemsField, items);
  }

  /** Query parameters as JSON; {@code limit} must be an integer. */
  public static JsonObject query(RoutingContext ctx) {
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

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return JsonFields.abbreviate(nl < 0 ? s : s.substring(0, nl), 200);
  }

  /** Serves the classpath resource {@code resource} (a YAML document such as an OpenAPI description) at {@code paths}. */
  public static void serveYaml(Router router, String resource, String... paths) {
    String text = resource(resource);
    for (String path : paths) {
      router.get(path).handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(text));
    }
  }

  /** A classpath resource as text (OpenAPI documents). */
  public static String resource(String name) {
    try (InputStream in = JsonHandlers.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
