package dev.rebound.app.process;

import dev.rebound.common.runtime.Settings;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A service's main class ({@code LedgerMain}, {@code RetryMain}) in a JVM of its own, configured only
 * through the environment (and, for map-valued settings, a YAML file in {@code REBOUND_CONFIG}) as an
 * operator would, with its output in a file under {@code target/} for debugging. The JVM runs on this
 * test's classpath, which holds the same classes as the service's {@code -all} jar: the test does not
 * depend on the {@code package} phase having run.
 */
public final class ServiceProcess {
  private static final Duration READY_LIMIT = Duration.ofSeconds(90);

  private final String service;
  private final Process process;
  private final int port;
  private final Path log;

  private ServiceProcess(String service, Process process, int port, Path log) {
    this.service = service;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts the ledger on a free port, alone (not clustered). {@code settings} are Rebound keys
   * ({@code ledger.lease-ms}), passed as their {@code REBOUND_*} variables; inherited {@code REBOUND_*}
   * variables are dropped.
   */
  static ServiceProcess ledger(Map<String, String> settings, Path log) throws IOException {
    return start("ledger", "dev.rebound.ledger.LedgerMain", settings, null, log);
  }

  /** Starts the retry service on a free port; {@code yaml} (may be null) holds its map-valued settings. */
  static ServiceProcess retry(Map<String, String> settings, Path yaml, Path log) throws IOException {
    return start("retry", "dev.rebound.retry.RetryMain", settings, yaml, log);
  }

  /** The JVM options of a test's service process: a small heap, quick to start. */
  public static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** {@code cluster.enabled} is false unless {@code settings} say otherwise. */
  public static ServiceProcess start(String service, String mainClass, Map<String, String> settings, Path yaml, Path log)
      throws IOException {
    return start(service, mainClass, TEST_JVM, settings, yaml, log);
  }

  /** As {@link #start(String, String, Map, Path, Path)}, with these JVM options instead of {@link #TEST_JVM}. */
  public static ServiceProcess start(String service, String mainClass, List<String> jvmOptions, Map<String, String> settings,
      Path yaml, Path log) throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("REBOUND_"));
    env.put(envVar("cluster.enabled"), "false");
    settings.forEach((key, value) -> env.put(envVar(key), value));
    env.put(envVar("http.port"), Integer.toString(port));
    if (yaml != null) {
      env.put(Settings.CONFIG_FILE_ENV, yaml.toAbsolutePath().toString());
    }
    Files.createDirectories(log.getParent());
    Files.writeString(log, "### " + String.join(" ", command.subList(0, command.size() - 3))
        + " … " + mainClass + " (port " + port + ")\n", StandardCharsets.UTF_8);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process process = builder.start();
    // a safety net should the test JVM exit without running @AfterAll
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "kill-" + service + "-" + process.pid()));
    return new ServiceProcess(service, process, port, log);
  }

  /** The variable {@code Settings} reads a key from: {@code ledger.lease-ms} → {@code REBOUND_LEDGER_LEASE_MS}. */
  static String envVar(String key) {
    return Settings.envVar(key);
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Polls {@code /health/ready} until it answers 200; fails early, with the log, if the process dies. */
  public void awaitReady(WebClient http) {
    AtomicBoolean ready = new AtomicBoolean();
    long deadline = System.nanoTime() + READY_LIMIT.toNanos();
    while (!ready.get()) {
      if (!process.isAlive()) {
        throw new AssertionError("the " + service + " process exited with " + process.exitValue() + " before it was ready; "
            + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the " + service + " process was not ready within " + READY_LIMIT.toSeconds() + " s; " + tail());
      }
      Future<Boolean> probe = http.get(port, "127.0.0.1", "/health/ready").timeout(2000).send()
          .map(r -> r.statusCode() == 200).otherwise(false);
      ready.set(BoundedWait.await(probe, Duration.ofSeconds(5), "a readiness probe"));
      if (!ready.get()) {
        BoundedWait.sleep(100);
      }
    }
  }

  /** SIGKILL on Linux: no shutdown hook, no graceful stop, nothing flushed. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the " + service + " process " + process.pid() + " did not die within 30 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** For @AfterAll: never throws, never leaves the child behind. */
  public void killQuietly() {
    try {
      if (process.isAlive()) {
        kill();
      }
    } catch (RuntimeException | AssertionError e) {
      System.err.println("could not kill " + service + " process " + process.pid() + ": " + e);
    }
  }

  /** The last lines of the process output, for failure messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "last output (" + log + "):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "no output readable at " + log;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
