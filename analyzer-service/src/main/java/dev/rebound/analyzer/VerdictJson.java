package dev.rebound.analyzer;

import dev.rebound.analyzer.domain.FailureInput;
import dev.rebound.analyzer.domain.Verdict;
import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureClassified;
import io.vertx.core.json.JsonObject;

/** JSON mapping at the analyzer's edges: requests to {@link FailureInput}, {@link Verdict} to JSON. */
public final class VerdictJson {
  /** Largest message accepted at the edge; the classifier analyses the first 16 KiB of it. */
  public static final int MAX_MESSAGE_CHARS = 1024 * 1024;

  private VerdictJson() {
  }

  /**
   * Reads a classify request or a {@code FailureEvent}: {@code message} (required), {@code exceptionType}
   * or {@code errorType}, {@code stackTrace}, {@code httpStatus}, {@code exitCode}, {@code signal},
   * {@code sqlState}, {@code stage}. An over-long message is truncated for analysis, not refused.
   */
  public static FailureInput input(JsonObject o) {
    Object m = o.getValue("message");
    if (m == null) {
      throw ReboundException.invalidField("message", "is required");
    }
    if (!(m instanceof String message)) {
      throw ReboundException.invalidField("message", "must be a string");
    }
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS);
    }
    message = storable(message);
    String exceptionType = JsonFields.string(o, "exceptionType", 500);
    if (exceptionType == null) {
      exceptionType = JsonFields.string(o, "errorType", 500);
    }
    Integer exit = JsonFields.integer(o, "exitCode", Integer.MIN_VALUE, Integer.MAX_VALUE);
    String signal = JsonFields.string(o, "signal", 32);
    if (signal == null && o.getValue("details") instanceof JsonObject d && d.getValue("signal") instanceof String s) {
      signal = s.length() <= 32 ? s : null;
    }
    if (exit != null && exit < 0 && exit >= -64 && signal == null) {
      signal = String.valueOf(-exit);  // Python's subprocess reports death by signal N as -N
    }
    if (exit != null && (exit < 0 || exit > 255)) {
      exit = null;
    }
    Object rawStack = o.getValue("stackTrace");
    if (rawStack != null && !(rawStack instanceof String)) {
      throw ReboundException.invalidField("stackTrace", "must be a string");
    }
    String stack = rawStack == null ? null : storable(((String) rawStack).substring(0, Math.min(((String) rawStack).length(), 256 * 1024)));
    try {
      return new FailureInput(message, exceptionType, stack, JsonFields.integer(o, "httpStatus", 100, 599),
          exit, signal, JsonFields.string(o, "sqlState", 5), JsonFields.string(o, "stage", 200));
    } catch (IllegalArgumentException e) {
      throw ReboundException.badRequest(e.getMessage());
    }
  }

  /**
   * Text the analyzer may learn from and store: NUL (which PostgreSQL cannot store) becomes U+FFFD.
   * A message is analysed as it came, not refused.
   */
  static String storable(String text) {
    return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
  }

  /** The verdict as the mesh's message record; {@code withReasons} adds why the confidence is what it is. */
  public static FailureClassified.Verdict message(Verdict v, boolean withReasons) {
    return new FailureClassified.Verdict(v.fingerprint(), v.template(), v.category(), v.transientFailure(),
        Math.round(v.confidence() * 1000) / 1000.0, v.severity(), v.ruleId(), v.rootCause(),
        v.recommendations(), v.retryAfterMs(), v.redactedMessage(), withReasons ? v.reasons() : null);
  }

  public static JsonObject of(Verdict v) {
    return message(v, false).toJson();
  }

  public static JsonObject withReasons(Verdict v) {
    return message(v, true).toJson();
  }
}
