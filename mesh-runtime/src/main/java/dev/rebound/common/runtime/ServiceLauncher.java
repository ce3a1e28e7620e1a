package dev.rebound.common.runtime;

import ch.qos.logback.classic.LoggerContext;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each service's {@code main} calls:
 * <pre>{@code
 * public static void main(String[] args) {
 *   ServiceLauncher.launch("ledger", Settings.fromEnvironment(), LedgerConfig.KEYS,
 *       s -> List.of(LedgerVerticle.fromSettings(s)));
 * }
 * }</pre>
 *
 * <p>{@link #launch} routes logging through SLF4J, refuses settings no registry declares
 * ({@link Settings#requireKnown}: {@link RuntimeKeys} and the service's {@code KEYS}), builds the verticles from the settings (a
 * {@link ConfigException} here stops the start before any Vert.x or Hazelcast resource exists),
 * creates Vert.x with {@link ReboundVertx#create}, installs {@link Correlation} propagation,
 * deploys the verticles one after another in list order, logs {@link Settings#describe()} (secrets
 * masked), and registers a JVM shutdown hook for graceful shutdown. If anything fails it logs the
 * cause (the {@link ConfigException} message when that is the cause), closes Vert.x and exits
 * with status 1.
 *
 * <p><b>Graceful shutdown</b> undeploys the verticles in reverse order, one at a time, then
 * closes Vert.x (leaving the cluster). Each verticle's {@code stop()} stops intake first (closes
 * its HTTP server, unregisters its consumers), finishes in-flight work, then closes its pools; the
 * launcher provides the order and an overall bound, {@code shutdown.timeout} (default 20s), after
 * which Vert.x is closed regardless.
 *
 * <p>{@link #start} does the same without the shutdown hook and without exiting, for tests and
 * for embedding ({@code rebound run}).
 */
public final class ServiceLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);
  /** How long the shutdown hook waits for {@code vertx.close()} after the undeploy deadline. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  static {
    LoggingSetup.apply();
  }

  private ServiceLauncher() {
  }

  /** A started service: its Vert.x instance and deployments, and how to stop it gracefully. */
  public static final class RunningService {
    private final String name;
    private final Vertx vertx;
    private final List<String> deploymentIds;
    private final Duration shutdownTimeout;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Promise<Void> stopped = Promise.promise();

    RunningService(String name, Vertx vertx, List<String> deploymentIds, Duration shutdownTimeout) {
      this.name = name;
      this.vertx = vertx;
      this.deploymentIds = List.copyOf(deploymentIds);
      this.shutdownTimeout = shutdownTimeout;
    }

    public String name() {
      return name;
    }

    public Vertx vertx() {
      return vertx;
    }

    /** Deployment ids in deployment order. */
    public List<String> deploymentIds() {
      return deploymentIds;
    }

    public Duration shutdownTimeout() {
      return shutdownTimeout;
    }

    /**
     * Undeploys in reverse order within {@link #shutdownTimeout()}, then closes Vert.x. Calling
     * it again returns the same future.
     */
    public Future<Void> shutdown() {
      if (!stopping.compareAndSet(false, true)) {
        return stopped.future();
      }
      LOG.info("{} shutting down: undeploying {} verticles (timeout {} ms)", name,
          deploymentIds.size(), shutdownTimeout.toMillis());
      Promise<Void> undeployed = Promise.promise();
      long timer = vertx.setTimer(Math.max(1, shutdownTimeout.toMillis()), t -> {
        if (undeployed.tryComplete()) {
          LOG.warn("{} did not finish undeploying within {} ms; closing Vert.x anyway", name,
              shutdownTimeout.toMillis());
        }
      });
      List<String> reversed = new ArrayList<>(deploymentIds);
      Collections.reverse(reversed);
      Future<Void> chain = Future.succeededFuture();
      for (String id : reversed) {
        chain = chain.transform(ignored -> undeployed.future().isComplete()
            ? Future.<Void>succeededFuture()
            : vertx.undeploy(id).onFailure(e -> LOG.warn("{}: undeploying {} failed", name, id, e))
                .otherwiseEmpty());
      }
      chain.onComplete(ar -> {
        vertx.cancelTimer(timer);
        undeployed.tryComplete();
      });
      undeployed.future()
          .transform(ignored -> vertx.close())
          .onComplete(ar -> {
            if (ar.succeeded()) {
              LOG.info("{} stopped", name);
            } else {
              LOG.warn("{}: closing Vert.x failed", name, ar.cause());
            }
            stopped.tryComplete();
          });
      return stopped.future();
    }
  }

  /** Starts the service (see the class comment), or logs why it cannot and exits with status 1. */
  public static Future<Vertx> launch(String serviceName, Settings settings, List<? extends ConfigKey<?>> keys,
      Function<? super Settings, ? extends List<? extends Deployable>> verticles) {
    return start(serviceName, settings, keys, verticles)
        .onSuccess(running -> {
          Thread hook = new Thread(() -> awaitShutdown(running), serviceName + "-shutdown");
          Runtime.getRuntime().addShutdownHook(hook);
        })
        .onFailure(e -> {
          Thread exit = new Thread(() -> System.exit(1), serviceName + "-exit");
          exit.start();
        })
        .map(RunningService::vertx);
  }

  /**
   * Starts the service without a shutdown hook and without exiting on failure; a failed start
   * closes whatever it created and fails the future with the cause.
   */
  public static Future<RunningService> start(String serviceName, Settings settings,
      Function<? super Settings, ? extends List<? extends Deployable>> verticles) {
    return start(serviceName, settings, null, verticles);
  }

  /**
   * The same, first refusing settings that neither {@link RuntimeKeys} nor {@code keys} (the
   * registries of the services started) declare: see {@link Settings#requireKnown}. With
   * {@code keys} null, nothing is refused (embedding, where the caller checked).
   */
  public static Future<RunningService> start(String serviceName, Settings settings,
      List<? extends ConfigKey<?>> keys, Function<? super Settings, ? extends List<? extends Deployable>> verticles) {
    Objects.requireNonNull(serviceName, "serviceName");
    LoggingSetup.apply();
    nameLogs(serviceName);
    List<? extends Deployable> units;
    Duration shutdownTimeout;
    try {
      if (keys != null) {
        settings.requireKnown(keys);
      }
      shutdownTimeout = settings.get(RuntimeKeys.SHUTDOWN_TIMEOUT);
      units = List.copyOf(verticles.apply(settings));
    } catch (RuntimeException e) {
      return Future.failedFuture(failed(serviceName, settings, e));
    }
    LOG.info("{} starting {} verticles", serviceName, units.size());
    return ReboundVertx.create(settings)
        .recover(e -> Future.failedFuture(failed(serviceName, settings, e)))
        .compose(vertx -> {
          Correlation.install(vertx);
          List<String> ids = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (Deployable unit : units) {
            chain = chain.compose(v -> vertx.deployVerticle(unit)
                .recover(e -> Future.failedFuture(new IllegalStateException(
                    "deploying " + unit.getClass().getSimpleName() + " failed: " + e.getMessage(), e)))
                .map(id -> {
                  ids.add(id);
                  return null;
                }));
          }
          return chain
              .map(v -> {
                RunningService running = new RunningService(serviceName, vertx, ids, shutdownTimeout);
                LOG.info("{} started; {}", serviceName, settings.describe());
                return running;
              })
              .recover(e -> {
                Throwable cause = failed(serviceName, settings, e);
                // Undeploy what started (reverse order) before closing, as a normal shutdown would.
                return new RunningService(serviceName, vertx, ids, shutdownTimeout).shutdown()
                    .transform(ignored -> Future.failedFuture(cause));
              });
        });
  }

  private static void awaitShutdown(RunningService running) {
    try {
      running.shutdown().toCompletionStage().toCompletableFuture()
          .get(running.shutdownTimeout().plus(CLOSE_GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("{}: graceful shutdown did not complete: {}", running.name(), e.toString());
    }
  }

  /** Logs why the start failed (a config error's own message says it all) and returns the cause. */
  private static Throwable failed(String serviceName, Settings settings, Throwable e) {
    ConfigException config = configCause(e);
    if (config != null) {
      LOG.error("{} cannot start: {}", serviceName, config.getMessage());
      return config;
    }
    LOG.error("{} failed to start: {}; {}", serviceName, e.getMessage(), settings.describe(), e);
    return e;
  }

  private static ConfigException configCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException c) {
        return c;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static void nameLogs(String serviceName) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty(JsonLogEncoder.SERVICE_PROPERTY, serviceName);
    }
  }
}
