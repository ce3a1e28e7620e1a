package dev.rebound.common.service;

import dev.rebound.common.auth.RouteRule;
import dev.rebound.common.db.Migrations;
import dev.rebound.common.db.PlannerStatistics;
import dev.rebound.common.http.HttpServers;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.http.ServiceHttpServer;
import dev.rebound.common.http.ServiceRoutes;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.InFlight;
import dev.rebound.common.runtime.PostgresTls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skeleton every Rebound service runs on; a service's verticle extends it and only wires.
 *
 * <p><b>Start</b>: a PostgreSQL pool (the service's pool size, named {@code <service>-<deployment>}),
 * the migrations of its schema, then {@link #wire(Pool)} (the service builds its store and
 * operations, declares its sweeps and observers, and answers its {@link OperationTable}), then the
 * table's event-bus consumers, the sweeps, and — unless {@code http.enabled=false} — its own HTTP
 * server ({@link ServiceHttpServer}: correlation ids, {@code /health/*}, {@code /metrics}, the
 * service's router, JSON errors; on {@code http.event-loops} event loops, the operations still on the service's
 * own context). {@code rebound run} mounts {@link #routes()} on its shared server
 * instead.
 *
 * <p><b>Readiness</b>: every migration applied, plus {@link #readinessDetails()}.
 *
 * <p><b>Stop</b>, in this order: consumers unregistered (no new bus requests) → {@link #onQuiesce()}
 * (answer what holds requests open, such as long polls) → the HTTP servers stop accepting and wait,
 * bounded, for the requests they are serving → requests in flight answered → sweeps stopped (a running
 * one finishes) → {@link #onClose()} (save what must survive a restart) → pool closed.
 */
public abstract class ServiceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceVerticle.class);

  private final ServiceOptions options;
  private final InFlight inFlight = new InFlight();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<PeriodicSweep> sweeps = new ArrayList<>();
  private Pool pool;
  private Migrations migrations;
  private OperationTable<?> operations;
  private Router routes;
  private HttpServers server;

  protected ServiceVerticle(ServiceOptions options) {
    this.options = options;
  }

  // ------------------------------------------------------------ what a service provides

  /**
   * Builds the service on its pool (its migrations are applied): store, operations, sweeps
   * ({@link #addSweep}), observers ({@link #observe}); answers the operations table, which must
   * bind every entry of its API.
   */
  protected abstract Future<OperationTable<?>> wire(Pool pool);

  /**
   * Routes that are not JSON in and out (NDJSON, documents) and the body handler for the service's
   * own paths (scoped: in {@code rebound run} other services' routes sit beside these); mounted
   * ahead of the operations table's routes.
   */
  protected void addRoutes(Router router, JsonHandlers json) {
  }

  /**
   * The guard's rules of the routes {@link #addRoutes} adds (their scope and body type); the operations table
   * gives those of its own routes. A route without a rule needs {@code read} for GET, {@code operator} otherwise.
   */
  protected List<RouteRule> addedRouteRules() {
    return List.of();
  }

  /** Details added to a ready answer (e.g. how many rules are loaded); a failure makes it DOWN. */
  protected Future<JsonObject> readinessDetails() {
    return Future.succeededFuture(new JsonObject());
  }

  /** First step of a stop, on the service's context: answer requests held open (long polls). */
  protected Future<Void> onQuiesce() {
    return Future.succeededFuture();
  }

  /** Last step before the pool closes: nothing is in flight and no sweep runs. */
  protected Future<Void> onClose() {
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------ what the base offers while wiring

  /** A sweep run every {@code interval} once the service started, never two at once; stop waits for it. */
  protected final PeriodicSweep addSweep(String name, Duration interval, Supplier<Future<Integer>> sweep) {
    PeriodicSweep periodic = new PeriodicSweep(vertx, options.name() + " " + name, interval, sweep);
    sweeps.add(periodic);
    return periodic;
  }

  /**
   * Handles events published on {@code address} (observers, no reply), counted as in flight until
   * handled; a failure is logged. Unregistered with the other consumers when the service stops.
   */
  protected final void observe(String address, Function<JsonObject, Future<?>> handler) {
    consumers.add(vertx.eventBus().<Object>consumer(address, m -> {
      if (m.body() instanceof JsonObject event) {
        inFlight.track(() -> handler.apply(event)).onFailure(t -> LOG.warn("{}: an event on {} was not handled: {}",
            options.name(), address, ErrorReplies.toReboundException(t).getMessage()));
      }
    }));
  }

  protected final PgConnectOptions pgOptions() {
    return options.pgOptions();
  }

  // ------------------------------------------------------------ lifecycle

  @Override
  public final Future<?> start() {
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(options.poolSize()).setName(options.name() + "-" + deploymentID()).setShared(false)
            // bounded: past the wait queue a request is refused (429), and nothing waits longer than a connect
            .setMaxWaitQueueSize(options.maxWaitQueue())
            .setConnectionTimeout((int) CONNECT_TIMEOUT.toMillis())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT.toMillis()))
        .connectingTo(options.pgOptions())
        .using(vertx)
        .build();
    migrations = Migrations.forSchema(options.schema());
    return migrations.apply(pool)
        .recover(e -> Future.failedFuture(PostgresTls.explain(e, options.pgOptions())))
        .compose(applied -> {
          addSweep("planner statistics", PLANNER_STATISTICS_INTERVAL,
              () -> PlannerStatistics.analyzeGrownTables(pool, options.schema()));
          return wire(pool);
        })
        .compose(table -> {
          operations = table.requireComplete();
          JsonHandlers json = new JsonHandlers(context, inFlight);
          routes = Router.router(vertx);
          addRoutes(routes, json);
          operations.mountRoutes(routes, json);
          ErrorReplies.install(routes);
          consumers.addAll(operations.registerConsumers(vertx.eventBus(), inFlight));
          List<Future<Void>> registered = new ArrayList<>();
          consumers.forEach(c -> registered.add(c.completion()));
          return Future.all(registered);
        })
        .compose(registered -> {
          sweeps.forEach(PeriodicSweep::start);
          return startHttp();
        })
        .onSuccess(v -> LOG.info("{} started ({} {})", options.name(), ServiceHttpServer.scheme(vertx),
            options.httpEnabled() ? actualPort() : "off"));
  }

  private Future<Void> startHttp() {
    if (!options.httpEnabled()) {
      return Future.succeededFuture();
    }
    return ServiceHttpServer.start(vertx, serviceRoutes(), this::readiness, options.security(), options.httpPort())
        .map(s -> {
          server = s;
          LOG.info("{}: {} event loop(s) on port {}; {}", options.name(), s.size(), s.actualPort(),
              options.security().describe());
          return null;
        });
  }

  @Override
  public final Future<?> stop() {
    List<Future<Void>> unregistered = new ArrayList<>();
    consumers.forEach(c -> unregistered.add(c.unregister()));
    return Future.join(unregistered).otherwiseEmpty()
        .compose(v -> quiesce())
        .compose(v -> server == null ? Future.succeededFuture()
            : server.shutdown(ServiceHttpServer.SHUTDOWN_GRACE))
        .compose(v -> inFlight.drained(vertx))
        .compose(v -> {
          List<Future<Void>> stopped = new ArrayList<>();
          sweeps.forEach(s -> stopped.add(s.stop()));
          return Future.join(stopped).otherwiseEmpty();
        })
        .compose(v -> onClose()
            .onFailure(t -> LOG.warn("{}: closing did not complete: {}", options.name(), t.getMessage()))
            .otherwiseEmpty())
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close());
  }

  // ------------------------------------------------------------ what others see

  /** Short name: {@code ledger}, {@code analyzer}… */
  public String name() {
    return options.name();
  }

  /**
   * Ready = the database answers within {@link #READINESS_BOUND}, every migration is applied, and the
   * service's own details. Each ask probes the database (one cheap query), so a PostgreSQL that went
   * away reads DOWN within a second, and UP again as soon as the pool reconnects.
   */
  public Future<JsonObject> readiness() {
    if (migrations == null) {
      return Future.failedFuture(new IllegalStateException(options.name() + " is not started"));
    }
    return migrations.readiness(pool).timeout(READINESS_BOUND.toMillis(), TimeUnit.MILLISECONDS)
        .compose(ready -> readinessDetails().map(ready::mergeIn));
  }

  /** Longest wait for a new PostgreSQL connection, and for a free one of the pool: then 503. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** How often a service analyses its own tables that doubled since their last analysis ({@link PlannerStatistics}). */
  public static final Duration PLANNER_STATISTICS_INTERVAL = Duration.ofSeconds(5);

  /** Longest a readiness probe waits for the database before it answers DOWN. */
  public static final Duration READINESS_BOUND = Duration.ofMillis(900);

  /** The service's routes (its {@code /v1} API and documents), for the all-in-one server; after start. */
  public Router routes() {
    return routes;
  }

  /** The service's routes with the guard's rules for them (scopes, body types), for a router assembly; after start. */
  public ServiceRoutes serviceRoutes() {
    List<RouteRule> rules = new ArrayList<>(addedRouteRules());
    rules.addAll(operations.routeRules());
    return new ServiceRoutes(routes, rules);
  }

  /** The operations table bound at start. */
  public OperationTable<?> operations() {
    return operations;
  }

  /** The port of the service's own HTTP server, or -1 when it has none. */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /**
   * Runs {@link #onQuiesce()} on the service's context: part of {@link #stop()}, and called by the
   * all-in-one server before it shuts down so that held requests do not hold up its shutdown.
   */
  public final Future<Void> quiesce() {
    if (context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> onQuiesce().onComplete(done));
    return done.future();
  }
}
