package dev.rebound.common;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The one error type of the mesh: a code, a message for people and optional details. It crosses the
 * event bus as {@code fail(code.busCode(), json)} and HTTP as {@code {"error":{code,message,details}}}.
 */
public class ReboundException extends RuntimeException {
  private final ErrorCode code;
  private final JsonObject details;

  public ReboundException(ErrorCode code, String message) {
    this(code, message, new JsonObject());
  }

  public ReboundException(ErrorCode code, String message, JsonObject details) {
    super(message, null, false, false);
    this.code = code;
    this.details = details == null ? new JsonObject() : details;
  }

  public ErrorCode code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  public static ReboundException badRequest(String message) {
    return new ReboundException(ErrorCode.BAD_REQUEST, message);
  }

  public static ReboundException invalidField(String field, String problem) {
    return new ReboundException(ErrorCode.BAD_REQUEST, "'" + field + "' " + problem,
        new JsonObject().put("field", field));
  }

  public static ReboundException notFound(String what, Object id) {
    return new ReboundException(ErrorCode.NOT_FOUND, what + " " + id + " does not exist",
        new JsonObject().put("id", String.valueOf(id)));
  }

  public static ReboundException tooLarge(String what, long size, long limit) {
    return new ReboundException(ErrorCode.PAYLOAD_TOO_LARGE,
        what + " is " + size + " bytes, over the limit of " + limit + " bytes",
        new JsonObject().put("size", size).put("limit", limit));
  }

  /** The body of an HTTP error response and of an event-bus failure. */
  public JsonObject toJson() {
    return new JsonObject().put("error", new JsonObject()
        .put("code", code.name())
        .put("message", getMessage())
        .put("details", details));
  }

  /**
   * Maps any failure to a ReboundException: known ones keep their code, the rest are INTERNAL.
   * (The runtime's {@code ErrorReplies.toReboundException} also maps database data errors to 400.)
   */
  public static ReboundException from(Throwable t) {
    if (t instanceof ReboundException re) {
      return re;
    }
    if (t instanceof ReplyException rx) {
      if (rx.failureType() == ReplyFailure.TIMEOUT) {
        return new ReboundException(ErrorCode.UNAVAILABLE, "no reply in time: " + rx.getMessage());
      }
      if (rx.failureType() == ReplyFailure.NO_HANDLERS) {
        return new ReboundException(ErrorCode.UNAVAILABLE, "no service is listening: " + rx.getMessage());
      }
      String text = rx.getMessage();
      if (text != null && text.startsWith("{")) {
        try {
          JsonObject err = new JsonObject(text).getJsonObject("error");
          if (err != null) {
            ErrorCode code = ErrorCode.valueOf(err.getString("code", "INTERNAL"));
            return new ReboundException(code, err.getString("message", ""), err.getJsonObject("details"));
          }
        } catch (DecodeException | IllegalArgumentException | ClassCastException ignored) {
          // fall through: not one of ours
        }
      }
      return new ReboundException(ErrorCode.ofBusCode(rx.failureCode()), String.valueOf(text));
    }
    if (t instanceof DecodeException) {
      return badRequest("malformed JSON: " + t.getMessage());
    }
    return new ReboundException(ErrorCode.INTERNAL, "internal error: " + t.getClass().getSimpleName());
  }
}
