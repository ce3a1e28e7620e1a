package dev.rebound.app.run;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where {@code rebound run} gets its PostgreSQL, decided from the configured server, whether it
 * answers, and whether we run as root (PostgreSQL refuses to: the embedded one then runs as the
 * unprivileged system user {@link #SYSTEM_USER}). Pure: the probe result and the user are inputs, so every
 * branch is unit-tested.
 *
 * <ul>
 *   <li>the configured server answers → use it ({@code pg.embedded=always} aside);</li>
 *   <li>it does not and the host is local → start the embedded PostgreSQL (as {@link #SYSTEM_USER} when root);</li>
 *   <li>otherwise → refuse, explaining how to point Rebound at a server.</li>
 * </ul>
 * An unreachable <em>remote</em> host is never silently replaced by an embedded database: that host
 * was chosen on purpose and is probably just down.
 */
public sealed interface PostgresPlan {
  /** The system user the embedded PostgreSQL runs as when Rebound runs as root. */
  String SYSTEM_USER = "rebound-pg";

  /** {@code pg.embedded}: {@code auto} (default), {@code always} or {@code never}. */
  enum Mode {
    AUTO, ALWAYS, NEVER;

    public static Mode parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  /** Use the configured server as is. */
  record UseServer(String host, int port) implements PostgresPlan {
  }

  /**
   * Start (or restart) the embedded PostgreSQL whose files live under {@code baseDir}, as {@code systemUser}
   * when present (Rebound runs as root), else as the current user.
   */
  record StartEmbedded(Path baseDir, int port, String reason, Optional<String> systemUser) implements PostgresPlan {
  }

  /** Do not start: {@code message} tells the user what to do. */
  record Refuse(String message) implements PostgresPlan {
  }

  static PostgresPlan decide(String host, int port, boolean answers, boolean root, Mode mode,
      Path baseDir, int embeddedPort) {
    String where = host + ":" + port;
    Optional<String> runAs = root ? Optional.of(SYSTEM_USER) : Optional.empty();
    String asUser = root ? " (as the system user " + SYSTEM_USER + ": PostgreSQL will not run as root)" : "";
    if (mode == Mode.ALWAYS) {
      return new StartEmbedded(baseDir, embeddedPort, "pg.embedded=always" + asUser, runAs);
    }
    if (answers) {
      return new UseServer(host, port);
    }
    if (mode == Mode.NEVER) {
      return new Refuse("No PostgreSQL answers at " + where + " and pg.embedded=never (env "
          + "REBOUND_PG_EMBEDDED) forbids the embedded one. Start that server, or " + pointAt());
    }
    if (!isLocal(host)) {
      return new Refuse("No PostgreSQL answers at " + where + ". Rebound only starts its embedded "
          + "PostgreSQL in place of a local server (127.0.0.1/localhost); check that " + host
          + " is up, or " + pointAt());
    }
    return new StartEmbedded(baseDir, embeddedPort, "no PostgreSQL answers at " + where + asUser, runAs);
  }

  private static String pointAt() {
    return "point Rebound at a PostgreSQL server with the standard variables PGHOST, PGPORT, "
        + "PGUSER, PGPASSWORD, PGDATABASE (or REBOUND_PG_HOST, REBOUND_PG_PORT, REBOUND_PG_USER, "
        + "REBOUND_PG_PASSWORD, REBOUND_PG_DATABASE, or pg.host/pg.port/pg.user/pg.password/"
        + "pg.database in the YAML file given with --config), e.g. "
        + "`PGHOST=db.internal PGUSER=rebound PGPASSWORD=... ./rebound run`. A throwaway server: "
        + "`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15`.";
  }

  static boolean isLocal(String host) {
    if ("localhost".equalsIgnoreCase(host)) {
      return true;
    }
    try {
      InetAddress address = InetAddress.getByName(host);
      return address.isLoopbackAddress() || address.isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
