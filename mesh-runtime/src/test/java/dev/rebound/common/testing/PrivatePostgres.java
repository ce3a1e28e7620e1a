package dev.rebound.common.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 server of a test's own, which it may stop, start and kill without disturbing the
 * shared server other tests use: initdb in a temporary directory, a free port, trust authentication,
 * no Unix socket. As root it runs as the unprivileged system user {@code rebound-pg} through
 * {@code runuser} (PostgreSQL refuses root); binaries from {@code /usr/lib/postgresql/15/bin} or
 * {@code REBOUND_PG_BIN}.
 */
public final class PrivatePostgres implements AutoCloseable {
  private static final String USER = "rebound-pg";

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asSystemUser;

  private PrivatePostgres(Path bin, Path dir, int port, boolean asSystemUser) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asSystemUser = asSystemUser;
  }

  /** True when the binaries exist, so a test can skip itself where they do not. */
  public static boolean available() {
    return Files.isExecutable(binaries().resolve("pg_ctl"));
  }

  private static Path binaries() {
    return Path.of(System.getenv().getOrDefault("REBOUND_PG_BIN", "/usr/lib/postgresql/15/bin"));
  }

  /** initdb and start; {@link #close()} stops it and deletes its files. */
  public static PrivatePostgres start() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("rebound-private-pg");
    PrivatePostgres pg = new PrivatePostgres(binaries(), dir, freePort(), root);
    if (root) {
      if (run(List.of("id", "-u", USER)) != 0) {
        run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER));
      }
      run(List.of("chown", USER + ":", dir.toString()));
    }
    pg.exec("initdb", "-A", "trust", "-U", "postgres", "-D", pg.data.toString(), "-E", "UTF-8", "--locale=C");
    pg.startServer();
    return pg;
  }

  public int port() {
    return port;
  }

  /** Settings overrides pointing a service at this server's {@code postgres} database. */
  public Map<String, String> settingsOverrides() {
    return Map.of("pg.host", "127.0.0.1", "pg.port", Integer.toString(port), "pg.user", "postgres",
        "pg.database", "postgres");
  }

  /** Starts it (again), waiting until it accepts connections. */
  public void startServer() throws Exception {
    exec("pg_ctl", "-D", data.toString(), "-l", dir.resolve("postgres.log").toString(), "-w", "-t", "60", "-o",
        "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
            + " -c max_connections=100", "start");
  }

  /** Stops it the way an operator's restart does ({@code -m fast}: sessions are disconnected). */
  public void stopServer() throws Exception {
    exec("pg_ctl", "-D", data.toString(), "-w", "-t", "60", "-m", "fast", "stop");
  }

  @Override
  public void close() throws Exception {
    try {
      exec("pg_ctl", "-D", data.toString(), "-w", "-t", "60", "-m", "immediate", "stop");
    } catch (IllegalStateException alreadyStopped) {
      // nothing to stop
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void exec(String program, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    if (asSystemUser) {
      command.addAll(List.of("runuser", "-u", USER, "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile("rebound-pg-cmd", ".log");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(program + " did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(program + " failed (" + p.exitValue() + "): "
            + Files.readString(log, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static int run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
