package dev.rebound.app.run;

import dev.rebound.analyzer.AnalyzerConfig;
import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.HttpTls;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.ServiceLauncher.RunningService;
import dev.rebound.common.runtime.ServiceLauncher;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.service.ServiceFactory;
import dev.rebound.common.service.ServiceVerticle;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.ledger.LedgerVerticle;
import dev.rebound.retry.RetryConfig;
import dev.rebound.retry.RetryVerticle;
import dev.rebound.notifier.NotifierConfig;
import dev.rebound.notifier.NotifierVerticle;
import io.vertx.core.Deployable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All of Rebound in one JVM: a PostgreSQL (the configured one, or the embedded one), every service
 * of {@link #SERVICES} on one local (non-clustered) event bus with its own HTTP server off, and one
 * {@link AllInOneHttpVerticle} serving all their routes on {@code run.port} at {@code run.host}
 * ({@link RuntimeKeys}). The caller checks the settings against {@link #keys()} first
 * ({@code Settings.requireKnown}), as {@code rebound run} does.
 */
public final class ReboundRun {
  /**
   * The services {@code rebound run} starts, in deployment order (the ledger first: the others talk
   * to it), each built from the settings with {@code cluster.enabled=false} and
   * {@code http.enabled=false}. Adding a service is adding its {@code fromSettings} here (and its
   * module to {@code mesh-app/pom.xml}).
   */
  public static final List<ServiceFactory> SERVICES = List.of(
      ServiceFactory.of(LedgerConfig.KEYS, LedgerVerticle::fromSettings),
      ServiceFactory.of(RetryConfig.KEYS, RetryVerticle::fromSettings),
      ServiceFactory.of(AnalyzerConfig.KEYS, AnalyzerVerticle::fromSettings),
      ServiceFactory.of(NotifierConfig.KEYS, NotifierVerticle::fromSettings));

  /** The settings keys of every service in {@link #SERVICES}. */
  public static List<ConfigKey<?>> keys() {
    return SERVICES.stream().flatMap(s -> s.keys().stream()).distinct().toList();
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReboundRun.class);
  /** Beyond shutdown.timeout: time for Vert.x to close and the embedded PostgreSQL to stop. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final RunningService service;
  private final AllInOneHttpVerticle http;
  private final List<String> serviceNames;
  private final Optional<PostgresProvisioner.EmbeddedDatabase> embedded;
  private final String host;
  private final boolean https;

  private ReboundRun(RunningService service, AllInOneHttpVerticle http, List<String> serviceNames,
      Optional<PostgresProvisioner.EmbeddedDatabase> embedded, String host, boolean https) {
    this.service = service;
    this.http = http;
    this.serviceNames = serviceNames;
    this.embedded = embedded;
    this.host = host;
    this.https = https;
  }

  /**
   * Blocking start. Throws {@link PostgresProvisioner.Refused} when no database can be had, a
   * {@code ConfigException} for bad settings (among them: {@code run.host} beyond loopback without
   * {@code auth.tokens} nor {@code auth.disabled}, refused before anything starts), or {@link IllegalStateException} when a service fails
   * to start (everything started so far, embedded PostgreSQL included, is stopped again).
   */
  public static ReboundRun start(Settings settings, List<ServiceFactory> services,
      PostgresProvisioner provisioner) {
    String host = settings.get(RuntimeKeys.RUN_HOST);
    HttpSecurity security = HttpSecurity.from(settings, RuntimeKeys.RUN_HOST);
    int port = settings.get(RuntimeKeys.RUN_PORT);
    boolean https = HttpTls.from(settings).isPresent();
    PostgresProvisioner.Provisioned db = provisioner.provision(settings);
    Map<String, String> overrides = new HashMap<>(db.overrides());
    overrides.put(RuntimeKeys.CLUSTER_ENABLED.name(), "false");
    overrides.put(RuntimeKeys.HTTP_ENABLED.name(), "false");
    Settings serviceSettings = settings.withOverrides(overrides);

    List<ServiceVerticle> built = new ArrayList<>();
    AllInOneHttpVerticle[] http = new AllInOneHttpVerticle[1];
    Function<Settings, List<Deployable>> verticles = s -> {
      services.forEach(factory -> built.add(factory.create().apply(s)));
      http[0] = new AllInOneHttpVerticle(built, security, port);
      List<Deployable> units = new ArrayList<>(built);
      units.add(http[0]);
      return units;
    };
    try {
      RunningService running = ServiceLauncher.start("rebound", serviceSettings, verticles)
          .toCompletionStage().toCompletableFuture().get();
      List<String> names = built.stream().map(ServiceVerticle::name).toList();
      return new ReboundRun(running, http[0], names, db.embedded(), host, https);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      db.embedded().ifPresent(ReboundRun::closeQuietly);
      throw new IllegalStateException("interrupted while starting", e);
    } catch (ExecutionException e) {
      db.embedded().ifPresent(ReboundRun::closeQuietly);
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof ConfigException config) {
        throw config;
      }
      throw new IllegalStateException(cause.getMessage(), cause);
    }
  }

  /** The HTTP port actually bound (differs from run.port when that is 0). */
  public int port() {
    return http.actualPort();
  }

  /** Base URL for clients, e.g. {@code http://127.0.0.1:8080} ({@code https://…} with {@code http.tls.*}). */
  public String url() {
    String shown = "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
    return (https ? "https://" : "http://") + (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + port();
  }

  public List<String> services() {
    return serviceNames;
  }

  public Optional<PostgresProvisioner.EmbeddedDatabase> embeddedPostgres() {
    return embedded;
  }

  public RunningService runningService() {
    return service;
  }

  /**
   * Blocking, idempotent graceful stop: undeploys (HTTP first, so intake stops, then the services
   * in reverse order), closes Vert.x, then stops the embedded PostgreSQL if we started one.
   */
  public synchronized void stop() {
    try {
      service.shutdown().toCompletionStage().toCompletableFuture()
          .get(service.shutdownTimeout().plus(STOP_GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("rebound did not stop cleanly: {}", e.toString());
    } finally {
      embedded.ifPresent(db -> {
        LOG.info("stopping the embedded PostgreSQL (data kept in {})", db.dataDir());
        closeQuietly(db);
      });
    }
  }

  private static void closeQuietly(PostgresProvisioner.EmbeddedDatabase db) {
    try {
      db.close();
    } catch (RuntimeException e) {
      LOG.warn("stopping the embedded PostgreSQL failed: {}", e.toString());
    }
  }
}
