package dev.rebound.common.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 cluster of the test's own, serving TLS with a certificate the test issued, on a free
 * loopback port: {@code hostssl} connections are trusted, {@code hostnossl} ones rejected. PostgreSQL refuses
 * to run as root, so as root it runs as the system user {@code rebound-pg} (created with
 * {@code useradd --system} when missing), as {@code rebound run} does.
 */
public final class TlsPostgres implements AutoCloseable {
  public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String SYSTEM_USER = "rebound-pg";

  private final Path dir;
  private final int port;
  private final boolean asRoot;

  private TlsPostgres(Path dir, int port, boolean asRoot) {
    this.dir = dir;
    this.port = port;
    this.asRoot = asRoot;
  }

  /** initdb, TLS with {@code server}'s certificate and key, start; blocking (a few seconds). */
  public static TlsPostgres start(TestCertificates.Issued server) throws IOException {
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("rebound-pg-tls-");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    TlsPostgres pg = new TlsPostgres(dir, port, asRoot);
    Path cert = Files.copy(server.certificate(), dir.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
    Path key = Files.copy(server.key(), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
    run(List.of("chmod", "600", key.toString()));
    if (asRoot) {
      run(List.of("sh", "-c", "id -u " + SYSTEM_USER + " >/dev/null 2>&1 || useradd --system --no-create-home "
          + "--shell /usr/sbin/nologin " + SYSTEM_USER));
      run(List.of("chown", "-R", SYSTEM_USER, dir.toString()));
    }
    Path data = dir.resolve("data");
    pg.asServerUser(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
        "-E", "UTF8", "--no-sync");
    Files.writeString(data.resolve("postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nport = " + port
        + "\nunix_socket_directories = '" + dir + "'\nssl = on\nssl_cert_file = '" + cert + "'\nssl_key_file = '"
        + key + "'\nfsync = off\nmax_connections = 20\n", StandardOpenOption.APPEND);
    Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.1/32 trust\n"
        + "hostnossl all all 127.0.0.1/32 reject\n");
    pg.asServerUser(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
        "-w", "-t", "60", "start");
    return pg;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws IOException {
    try {
      asServerUser(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
          "stop");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void asServerUser(String... command) {
    List<String> full = new ArrayList<>();
    if (asRoot) {
      full.addAll(List.of("runuser", "-u", SYSTEM_USER, "--"));
    }
    full.addAll(List.of(command));
    run(full);
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " could not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
