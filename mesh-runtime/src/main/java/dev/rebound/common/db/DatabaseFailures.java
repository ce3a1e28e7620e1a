package dev.rebound.common.db;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/**
 * Tells the database's own failures apart from a request's: PostgreSQL down, restarting, refusing
 * connections or cancelling a statement past {@code statement_timeout} is {@link #unavailable} (the
 * edges answer 503, not 500); the pool's wait queue full is {@link #overloaded} (429).
 */
public final class DatabaseFailures {
  private DatabaseFailures() {
  }

  /** The pool refused to queue one more request: its wait queue is at {@code pg.max-wait-queue}. */
  public static boolean overloaded(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectionPoolTooBusyException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The database cannot be reached or cannot answer now: connection refused or lost, no connection
   * in time, shutting down or starting up (SQLSTATE 57P0x, class 08), too many connections (53300),
   * a statement cancelled by {@code statement_timeout} (57014).
   */
  public static boolean unavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectException || c instanceof ClosedConnectionException || c instanceof ClosedChannelException
          || c instanceof TimeoutException || c instanceof java.io.IOException) {
        return true;
      }
      if (c instanceof PgException pg && pg.getSqlState() != null) {
        String s = pg.getSqlState();
        return s.startsWith("08") || s.startsWith("57P") || "57014".equals(s) || "53300".equals(s)
            || "53200".equals(s) || "55P03".equals(s);
      }
      if (c instanceof VertxException && c.getMessage() != null
          && (c.getMessage().contains("Pool closed") || c.getMessage().contains("Connection refused")
              || c.getMessage().contains("connection closed"))) {
        return true;
      }
    }
    return false;
  }
}
