package dev.rebound.analyzer;

import dev.rebound.analyzer.domain.FailureInput;
import dev.rebound.analyzer.domain.Verdict;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureClassified;
import dev.rebound.common.request.ClassifyRequest;
import io.vertx.core.json.JsonObject;

/** Mapping at the analyzer's edges: classify requests to {@link FailureInput}, {@link Verdict} to JSON. */
public final class VerdictJson {
  /** Largest message accepted at the edge; the classifier analyses the first 16 KiB of it. */
  public static final int MAX_MESSAGE_CHARS = 1024 * 1024;
  private static final int MAX_STACK_CHARS = 256 * 1024;

  private VerdictJson() {
  }

  /**
   * What the classifier reads of a request: an over-long message or stack trace is truncated for
   * analysis, not refused; a NUL becomes U+FFFD; an exit code of -N (Python's death by signal N)
   * becomes signal N, and one outside 0..255 is dropped.
   */
  public static FailureInput input(ClassifyRequest r) {
    String message = r.message();
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS);
    }
    Integer exit = r.exitCode();
    String signal = r.signal();
    if (exit != null && exit < 0 && exit >= -64 && signal == null) {
      signal = String.valueOf(-exit);  // Python's subprocess reports death by signal N as -N
    }
    if (exit != null && (exit < 0 || exit > 255)) {
      exit = null;
    }
    String stack = r.stackTrace() == null ? null
        : storable(r.stackTrace().substring(0, Math.min(r.stackTrace().length(), MAX_STACK_CHARS)));
    try {
      return new FailureInput(storable(message), r.exceptionType(), stack, r.httpStatus(), exit, signal, r.sqlState(),
          r.stage());
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
    return new FailureClassified.Verdict(v.fingerprint(), v.signature(), v.template(), v.category(), v.transientFailure(),
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
