package dev.rebound.common.runtime;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.db.DatabaseFailures;
import dev.rebound.common.text.Redactor;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Error mapping at the edges: HTTP responses and event-bus failures carry the same error JSON. */
public final class ErrorReplies {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);
  private static final Redactor REDACTOR = new Redactor();
  /** What a 429 or 503 asks a client to wait when the error does not say ({@code details.retryAfterSeconds}). */
  public static final int RETRY_AFTER_SECONDS = 1;

  private ErrorReplies() {
  }

  /**
   * {@link ReboundException#from}, plus database data errors (SQLSTATE class 22: the input could not
   * be stored, which the edges should have refused) answered as 400. The driver's text can quote the
   * value, so it is redacted.
   */
  public static ReboundException toReboundException(Throwable t) {
    if (t instanceof ReboundException re) {
      return re;
    }
    if (DatabaseFailures.overloaded(t)) {
      return new ReboundException(ErrorCode.OVERLOADED, "too many requests are waiting for the database; retry shortly",
          new JsonObject().put("retryAfterSeconds", RETRY_AFTER_SECONDS));
    }
    if (DatabaseFailures.unavailable(t)) {
      LOG.warn("the database is unavailable: {}", REDACTOR.redact(String.valueOf(t.getMessage())));
      return new ReboundException(ErrorCode.UNAVAILABLE, "the database is unavailable; retry shortly",
          new JsonObject().put("retryAfterSeconds", RETRY_AFTER_SECONDS));
    }
    if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
      String text = REDACTOR.redact(String.valueOf(pg.getErrorMessage()));
      LOG.warn("a value reached the database and was refused: {} {}", pg.getSqlState(), text);
      return new ReboundException(ErrorCode.BAD_REQUEST, "the database refused a value (SQLSTATE " + pg.getSqlState() + "): "
          + text, new JsonObject().put("sqlState", pg.getSqlState()));
    }
    return ReboundException.from(t);
  }

  /** Fails an event-bus message with the error's bus code and its JSON as the message. */
  public static void fail(Message<?> message, Throwable error) {
    ReboundException e = toReboundException(error);
    logIfInternal(e, error);
    message.fail(e.code().busCode(), e.toJson().encode());
  }

  /** Writes the error as an HTTP response, unless the response was already sent. */
  public static void respond(RoutingContext ctx, Throwable error) {
    ReboundException e = toReboundException(error);
    respond(ctx, e, e.code().httpStatus(), error);
  }

  private static void respond(RoutingContext ctx, ReboundException e, int status, Throwable original) {
    logIfInternal(e, original);
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (e.code() == ErrorCode.OVERLOADED || e.code() == ErrorCode.UNAVAILABLE) {
      // the same refusal on the bus carries retryAfterSeconds in its details
      ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1,
          e.details().getInteger("retryAfterSeconds", RETRY_AFTER_SECONDS))));
    }
    ctx.response().setStatusCode(status > 0 ? status : e.code().httpStatus())
        .putHeader("Content-Type", "application/json")
        .end(e.toJson().encode());
  }

  /**
   * The router's failure handler: our own errors keep their code, vert.x-web's (body too large,
   * malformed request, unknown route or method) get the matching one.
   */
  public static Handler<RoutingContext> httpFailureHandler() {
    return ctx -> {
      Throwable failure = ctx.failure();
      if (failure == null || failure instanceof HttpException) {
        int status = failure instanceof HttpException he ? he.getStatusCode() : ctx.statusCode();
        respond(ctx, fromStatus(status, ctx), status == 405 ? 405 : -1, failure);
      } else {
        respond(ctx, failure);
      }
    };
  }

  /** Installs the failure handler and JSON bodies for vert.x-web's own 400/404/405/413/500 answers. */
  public static void install(Router router) {
    Handler<RoutingContext> h = httpFailureHandler();
    router.route().failureHandler(h);
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, h);
    }
  }

  private static ReboundException fromStatus(int status, RoutingContext ctx) {
    return switch (status) {
      case 413 -> new ReboundException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is too large");
      case 404 -> new ReboundException(ErrorCode.NOT_FOUND, "no route for " + ctx.request().method() + " " + ctx.request().path());
      case 405 -> new ReboundException(ErrorCode.BAD_REQUEST, "method " + ctx.request().method() + " is not allowed on " + ctx.request().path(),
          new JsonObject().put("status", 405));
      case 400 -> ReboundException.badRequest("malformed request");
      default -> status >= 400 && status < 500
          ? new ReboundException(ErrorCode.BAD_REQUEST, "request refused (" + status + ")")
          : new ReboundException(ErrorCode.INTERNAL, "internal error");
    };
  }

  private static void logIfInternal(ReboundException e, Throwable original) {
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.error("internal error", redacted(original));
    }
  }


  /**
   * The error as logged: same type name and stack, message redacted (a driver error can quote the
   * value it choked on, and that value may be a secret).
   */
  static Throwable redacted(Throwable t) {
    if (t == null) {
      return null;
    }
    RuntimeException copy = new RuntimeException(t.getClass().getName() + ": "
        + REDACTOR.redact(String.valueOf(t.getMessage())), redacted(t.getCause() == t ? null : t.getCause()));
    copy.setStackTrace(t.getStackTrace());
    return copy;
  }
}
