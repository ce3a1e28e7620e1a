package dev.rebound.app.run;

import com.sun.security.auth.module.UnixSystem;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives {@code rebound run} a PostgreSQL: probes the configured server, decides with
 * {@link PostgresPlan}, and starts the embedded one when that is the plan. The probe, the "am I
 * root" question and the embedded starter are injected so each branch can be tested.
 *
 * <p>Keys: {@code pg.embedded} (auto | always | never, default auto), {@code pg.embedded.dir}
 * (default {@code ~/.rebound/pg}; as root {@link #ROOT_BASE_DIR}), {@code pg.embedded.port} (default 0: any free port).
 */
public final class PostgresProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresProvisioner.class);
  private static final int PROBE_TIMEOUT_MS = 1000;
  /** The embedded PostgreSQL's directory when Rebound runs as root and pg.embedded.dir is left at its default. */
  public static final Path ROOT_BASE_DIR = Path.of("/var/lib/rebound/pg");

  /** Does something accept TCP connections at host:port? */
  @FunctionalInterface
  public interface ServerProbe {
    boolean answers(String host, int port);
  }

  /** A running embedded PostgreSQL (superuser postgres, trust auth, on 127.0.0.1). */
  public interface EmbeddedDatabase extends AutoCloseable {
    int port();

    Path dataDir();

    /**
     * Stop only when {@link #close()} is called: drop any shutdown hook of the database's own, so
     * that the caller's hook can stop the services first and the database last. Returns false when
     * that is not possible (the database then also stops by itself at JVM exit).
     */
    default boolean stopOnlyOnClose() {
      return false;
    }

    @Override
    void close();
  }

  @FunctionalInterface
  public interface EmbeddedStarter {
    /** As {@code systemUser} when present (Rebound runs as root), else as the current user. */
    EmbeddedDatabase start(Path baseDir, int port, Optional<String> systemUser) throws IOException;
  }

  /** The outcome: settings overrides for the services, and the embedded database to stop last, if any. */
  public record Provisioned(Map<String, String> overrides, Optional<EmbeddedDatabase> embedded) {
  }

  /** {@code rebound run} could not get a database; the message says what to do. */
  public static final class Refused extends RuntimeException {
    public Refused(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private final ServerProbe probe;
  private final BooleanSupplier root;
  private final EmbeddedStarter starter;

  public PostgresProvisioner(ServerProbe probe, BooleanSupplier root, EmbeddedStarter starter) {
    this.probe = probe;
    this.root = root;
    this.starter = starter;
  }

  /** The real thing: TCP probe, the process's uid, the zonky embedded PostgreSQL. */
  public static PostgresProvisioner system() {
    return new PostgresProvisioner(PostgresProvisioner::tcpAnswers, PostgresProvisioner::runningAsRoot,
        (dir, port, user) -> user.isPresent() ? SystemUserPostgres.start(dir, port, user.get())
            : EmbeddedPostgresServer.start(dir, port));
  }

  /** How this provisioner starts an embedded PostgreSQL. */
  public EmbeddedStarter starter() {
    return starter;
  }

  /** Blocking: may run initdb and start a server. Throws {@link Refused} when there is no way. */
  public Provisioned provision(Settings settings) {
    PgConnectOptions pg = settings.pgConnectOptions();
    PostgresPlan.Mode mode = PostgresPlan.Mode.parse(settings.get(RuntimeKeys.PG_EMBEDDED));
    String dir = settings.get(RuntimeKeys.PG_EMBEDDED_DIR);
    boolean asRoot = root.getAsBoolean();
    // root's home is closed to other users, so the system user running PostgreSQL gets a directory of its own
    Path baseDir = asRoot && dir.equals(RuntimeKeys.PG_EMBEDDED_DIR.defaultValue().orElse("")) ? ROOT_BASE_DIR
        : dir.equals("~") || dir.startsWith("~/")
        ? Path.of(System.getProperty("user.home"), dir.substring(1).replaceFirst("^/", "")) : Path.of(dir);
    int embeddedPort = settings.get(RuntimeKeys.PG_EMBEDDED_PORT);
    boolean answers = mode != PostgresPlan.Mode.ALWAYS && probe.answers(pg.getHost(), pg.getPort());
    PostgresPlan plan = PostgresPlan.decide(pg.getHost(), pg.getPort(), answers, asRoot, mode,
        baseDir, embeddedPort);
    if (plan instanceof PostgresPlan.UseServer use) {
      LOG.info("using PostgreSQL at {}:{} (database {}, user {})", use.host(), use.port(), pg.getDatabase(),
          pg.getUser());
      return new Provisioned(Map.of(), Optional.empty());
    }
    if (plan instanceof PostgresPlan.Refuse refuse) {
      throw new Refused(refuse.message(), null);
    }
    PostgresPlan.StartEmbedded start = (PostgresPlan.StartEmbedded) plan;
    LOG.info("{}: starting the embedded PostgreSQL with its data in {}", start.reason(), start.baseDir());
    EmbeddedDatabase db;
    try {
      db = starter.start(start.baseDir(), start.port(), start.systemUser());
    } catch (IOException | RuntimeException e) {
      throw new Refused("The embedded PostgreSQL did not start: " + e.getMessage(), e);
    }
    LOG.info("embedded PostgreSQL started on 127.0.0.1:{} (data in {}, user postgres, database postgres)",
        db.port(), db.dataDir());
    Map<String, String> overrides = new HashMap<>();
    overrides.put("pg.host", "127.0.0.1");
    overrides.put("pg.port", Integer.toString(db.port()));
    overrides.put("pg.user", "postgres");
    overrides.put("pg.database", "postgres");
    overrides.put("pg.password", "");
    if (pg.getSslMode() != SslMode.DISABLE) {
      LOG.info("the embedded PostgreSQL listens on loopback without TLS: pg.ssl-mode '{}' does not apply to it",
          pg.getSslMode().value);
    }
    overrides.put("pg.ssl-mode", "disable");
    return new Provisioned(Map.copyOf(overrides), Optional.of(db));
  }

  static boolean tcpAnswers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MS);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /** uid 0, from the JDK's Unix login module when available, else the user name. */
  static boolean runningAsRoot() {
    try {
      return new UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
