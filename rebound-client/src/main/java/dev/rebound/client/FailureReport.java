package dev.rebound.client;

import dev.rebound.common.message.FailureEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What a failure report says about an exception: its class name as {@code errorType}, its message,
 * its stack trace text (with the "Caused by" chain), the chain as {@code details.causes}, and the
 * HTTP status, exit code or SQLSTATE of the first exception in the chain that exposes one
 * ({@link ReboundWorker.Failure}, {@link SQLException}).
 */
final class FailureReport {
  /** Well under the ledger's limits (16 KiB message, 64 KiB stack trace in UTF-8). */
  static final int MAX_MESSAGE_CHARS = 4000;
  static final int MAX_STACK_CHARS = 16_000;
  static final int MAX_CAUSES = 10;

  private FailureReport() {
  }

  static FailureEvent.Builder describe(Throwable failure, JsonObject details) {
    FailureEvent.Builder b = FailureEvent.builder()
        .errorType(failure.getClass().getName())
        .message(cut(failure.getMessage() == null || failure.getMessage().isBlank()
            ? failure.getClass().getName() : failure.getMessage(), MAX_MESSAGE_CHARS))
        .stackTrace(cut(stackTrace(failure), MAX_STACK_CHARS));
    JsonArray causes = new JsonArray();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Integer httpStatus = null;
    Integer exitCode = null;
    String sqlState = null;
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t != failure && causes.size() < MAX_CAUSES) {
        causes.add(new JsonObject().put("type", t.getClass().getName())
            .put("message", t.getMessage() == null ? null : cut(t.getMessage(), 500)));
      }
      if (t instanceof ReboundWorker.Failure f) {
        httpStatus = httpStatus == null ? f.httpStatus() : httpStatus;
        exitCode = exitCode == null ? f.exitCode() : exitCode;
        sqlState = sqlState == null ? f.sqlState() : sqlState;
        f.details().forEach(e -> details.put(e.getKey(), e.getValue()));
      } else if (t instanceof SQLException sql && sqlState == null && validSqlState(sql.getSQLState())) {
        sqlState = sql.getSQLState();
      }
    }
    if (!causes.isEmpty()) {
      details.put("causes", causes);
    }
    return b.httpStatus(httpStatus).exitCode(exitCode).sqlState(sqlState).details(details);
  }

  static boolean validSqlState(String s) {
    return s != null && s.matches("[0-9A-Z]{5}");
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
