package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * A failure to classify (nothing is recorded). Only {@code message} is required; it is kept as given
 * (the analyzer truncates what it analyses and reads a NUL as U+FFFD, so neither is refused here).
 * {@code errorType} is accepted as another name for {@code exceptionType}; {@code details.signal} is
 * read when {@code signal} is absent. {@code explain} asks for the reasons behind the confidence.
 */
public record ClassifyRequest(String message, String exceptionType, String stackTrace, Integer httpStatus,
                              Integer exitCode, String signal, String sqlState, String stage, boolean explain) {
  private static final Set<String> FIELDS = Set.of("message", "exceptionType", "errorType", "stackTrace", "httpStatus",
      "exitCode", "signal", "sqlState", "stage", "details", "explain");
  private static final int MAX_SIGNAL = 32;

  public ClassifyRequest {
    Objects.requireNonNull(message, "message");
  }

  public static ClassifyRequest ofMessage(String message) {
    return new ClassifyRequest(message, null, null, null, null, null, null, null, false);
  }

  /** What the analyzer classifies of a recorded failure. */
  public static ClassifyRequest of(FailureEvent f) {
    String signal = f.details() != null && f.details().getValue("signal") instanceof String s && s.length() <= MAX_SIGNAL
        ? s : null;
    return new ClassifyRequest(f.message(), f.errorType(), f.stackTrace(), f.httpStatus(), f.exitCode(), signal,
        f.sqlState(), f.stage(), false);
  }

  public static ClassifyRequest fromJson(JsonObject o) {
    Object m = o.getValue("message");
    // without a message it is no classify request at all: say that before naming stray fields
    if (m == null) {
      throw ReboundException.invalidField("message", "is required");
    }
    JsonFields.rejectUnknown(o, FIELDS);
    if (!(m instanceof String message)) {
      throw ReboundException.invalidField("message", "must be a string");
    }
    String exceptionType = JsonFields.string(o, "exceptionType", 500);
    if (exceptionType == null) {
      exceptionType = JsonFields.string(o, "errorType", 500);
    }
    Integer exit = JsonFields.integer(o, "exitCode", Integer.MIN_VALUE, Integer.MAX_VALUE);
    String signal = JsonFields.string(o, "signal", MAX_SIGNAL);
    if (signal == null && o.getValue("details") instanceof JsonObject d && d.getValue("signal") instanceof String s) {
      signal = s.length() <= MAX_SIGNAL ? s : null;
    }
    Object stack = o.getValue("stackTrace");
    if (stack != null && !(stack instanceof String)) {
      throw ReboundException.invalidField("stackTrace", "must be a string");
    }
    Integer httpStatus = JsonFields.integer(o, "httpStatus", 100, 599);
    String sqlState = JsonFields.string(o, "sqlState", 5);
    String stage = JsonFields.string(o, "stage", 200);
    return new ClassifyRequest(message, exceptionType, (String) stack, httpStatus, exit, signal, sqlState, stage,
        JsonFields.bool(o, "explain", false));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("message", message);
    JsonOut.putIfPresent(o, "exceptionType", exceptionType);
    JsonOut.putIfPresent(o, "stackTrace", stackTrace);
    JsonOut.putIfPresent(o, "httpStatus", httpStatus);
    JsonOut.putIfPresent(o, "exitCode", exitCode);
    JsonOut.putIfPresent(o, "signal", signal);
    JsonOut.putIfPresent(o, "sqlState", sqlState);
    JsonOut.putIfPresent(o, "stage", stage);
    return explain ? o.put("explain", true) : o;
  }
}
