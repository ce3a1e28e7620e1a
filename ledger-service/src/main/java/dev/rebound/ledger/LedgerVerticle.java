package dev.rebound.ledger;

import dev.rebound.common.Addresses;
import dev.rebound.common.runtime.BusRequests;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.InFlight;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.http.ServiceHttpServer;
import dev.rebound.common.ReboundException;
import dev.rebound.common.db.Migrations;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.claim.ClaimWaiters;
import dev.rebound.ledger.claim.ClaimWakeups;
import dev.rebound.ledger.domain.ProvisionalRetry;
import dev.rebound.ledger.domain.TaskIds;
import dev.rebound.ledger.http.LedgerRoutes;
import dev.rebound.ledger.outbox.AnalyzerOutbox;
import dev.rebound.ledger.outbox.FailureResender;
import dev.rebound.ledger.outbox.OutboxStore;
import dev.rebound.ledger.store.LedgerStores;
import dev.rebound.ledger.store.Origin;
import dev.rebound.ledger.sweep.LeaseRescuer;
import dev.rebound.ledger.sweep.PeriodicSweep;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring of the ledger: pool and migrations, the event-bus API ({@code rebound.failures},
 * {@code rebound.ledger}, {@code rebound.ledger.decide}), HTTP, LISTEN/NOTIFY wake-ups and the
 * sweepers. Stops intake first on undeploy, then finishes what is in flight and closes the pool.
 */
public final class LedgerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerVerticle.class);
  public static final String SCHEMA = "ledger";
  /** How long the HTTP server waits for the requests it is serving when stopping. */
  private static final java.time.Duration HTTP_SHUTDOWN = java.time.Duration.ofSeconds(10);

  private final LedgerConfig config;
  private final PgConnectOptions pgOptions;
  private final Clock clock;

  private Pool pool;
  private Migrations migrations;
  private LedgerOperations ops;
  private LedgerStores stores;
  private LedgerMetrics metrics;
  private OutboxStore outboxStore;
  private AnalyzerOutbox outbox;
  private ClaimWaiters waiters;
  private ClaimWakeups wakeups;
  private PgSubscriber subscriber;
  private HttpServer server;
  private Router routes;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<PeriodicSweep> sweeps = new ArrayList<>();
  private final InFlight inFlight = new InFlight();

  public LedgerVerticle(LedgerConfig config, PgConnectOptions pgOptions, Clock clock) {
    this.config = config;
    this.pgOptions = pgOptions;
    this.clock = clock;
  }

  public static LedgerVerticle fromSettings(Settings settings) {
    return new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.pgPoolSize()).setName("ledger-" + deploymentID()).setShared(false))
        .connectingTo(pgOptions)
        .using(vertx)
        .build();
    migrations = Migrations.forSchema(SCHEMA);
    return migrations.apply(pool).compose(applied -> {
      SecureRandom random = new SecureRandom();
      stores = LedgerStores.create(pool, clock, new ProvisionalRetry(config.defaultPolicy(), clock, random),
          config.decisionTimeout());
      waiters = new ClaimWaiters(vertx, clock, stores.tasks()::nextDue);
      wakeups = new ClaimWakeups(vertx, clock, waiters, stores.tasks()::notifyChannel);
      outboxStore = new OutboxStore(pool, clock);
      outbox = new AnalyzerOutbox(vertx, outboxStore, config.decisionTimeout());
      metrics = new LedgerMetrics(ReboundVertx.registry(vertx).orElse(null), waiters::waiting);
      ops = new LedgerOperations(vertx, config, stores, waiters, wakeups, outbox, new TaskIds(clock, random), clock,
          metrics);
      routes = new LedgerRoutes(vertx, new JsonHandlers(context, inFlight), ops, config.payloadLimitBytes() + 64L * 1024).router();
      registerConsumers();
      startSweeps();
      return listen().compose(v -> startHttp());
    }).onSuccess(v -> LOG.info("ledger started (http {})", config.httpEnabled() ? actualPort() : "off"));
  }

  private Future<Void> listen() {
    subscriber = PgSubscriber.subscriber(vertx, pgOptions)
        .reconnectPolicy(retries -> retries < 1000 ? 500L : -1L);
    subscriber.channel(ClaimWakeups.CHANNEL).handler(wakeups::onNotification);
    subscriber.channel(ClaimWakeups.CHANNEL).subscribeHandler(v -> wakeups.onReconnect());
    return subscriber.connect();
  }

  private void registerConsumers() {
    consumers.add(vertx.eventBus().<Object>consumer(Addresses.FAILURES, msg ->
        handle(msg, ops::reportFailure)));
    consumers.add(vertx.eventBus().<Object>consumer(Addresses.LEDGER_DECIDE, msg ->
        handle(msg, ops::decide)));
    Map<String, BiFunction<JsonObject, Origin, Future<JsonObject>>> api = Map.ofEntries(
        Map.entry("enqueue", ops::enqueue),
        Map.entry("get", (b, o) -> ops.get(b)),
        Map.entry("history", (b, o) -> ops.history(b)),
        Map.entry("list", (b, o) -> ops.list(b)),
        Map.entry("claim", ops::claim),
        Map.entry("heartbeat", (b, o) -> ops.heartbeat(b)),
        Map.entry("complete", ops::complete),
        Map.entry("cancel", ops::cancel),
        Map.entry("block", ops::block),
        Map.entry("unblock", ops::unblock),
        Map.entry("checkpoint", (b, o) -> ops.saveCheckpoint(b)),
        Map.entry("checkpoint.latest", (b, o) -> ops.latestCheckpoint(b)),
        Map.entry("dlq.list", (b, o) -> ops.deadLetters(b)),
        Map.entry("dlq.redrive", ops::redrive),
        Map.entry("dlq.purge", (b, o) -> ops.purge(b)),
        Map.entry("stats", (b, o) -> ops.stats()));
    consumers.add(vertx.eventBus().<Object>consumer(Addresses.LEDGER, msg -> {
      String action = msg.headers().get(Addresses.ACTION_HEADER);
      BiFunction<JsonObject, Origin, Future<JsonObject>> op = action == null ? null : api.get(action);
      if (op == null) {
        ErrorReplies.fail(msg, ReboundException.badRequest("unknown or missing action header '" + Addresses.ACTION_HEADER
            + "' (known: " + new java.util.TreeSet<>(api.keySet()) + ")"));
        return;
      }
      handle(msg, op);
    }));
  }

  /** The actor (header {@code actor}) and correlation id of a request go into the task history. */
  private void handle(Message<Object> msg, BiFunction<JsonObject, Origin, Future<JsonObject>> op) {
    String actor = msg.headers().get("actor");
    Origin origin = new Origin(actor == null ? "event-bus" : actor, Correlation.of(msg));
    BusRequests.answer(msg, body -> op.apply(body, origin), inFlight);
  }

  private void startSweeps() {
    LeaseRescuer rescuer = new LeaseRescuer(stores.tasks()::expiredLeases, ops::recordExpiredLease, metrics::leaseRescued,
        200);
    FailureResender resender = new FailureResender(outboxStore, outbox, config.decisionTimeout(), 200, config.maxResends());
    sweeps.add(new PeriodicSweep(vertx, "lease rescue", config.leaseSweepInterval(), rescuer::sweep));
    sweeps.add(new PeriodicSweep(vertx, "failure resend", config.leaseSweepInterval().multipliedBy(5), resender::sweep));
    sweeps.add(new PeriodicSweep(vertx, "retention", config.retentionSweepInterval(),
        () -> stores.tasks().prune(config.doneRetention(), config.failedRetention(), 5000)));
    sweeps.forEach(PeriodicSweep::start);
  }

  private Future<Void> startHttp() {
    if (!config.httpEnabled()) {
      return Future.succeededFuture();
    }
    return ServiceHttpServer.start(vertx, routes, this::readiness, config.httpPort()).map(s -> {
      server = s;
      return null;
    });
  }

  /** Ready = the database answers and every migration is applied. */
  public Future<JsonObject> readiness() {
    return migrations.readiness(pool);
  }

  /** The /v1 routes, for an all-in-one server that mounts several services on one port. */
  public Router routes() {
    return routes;
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /**
   * Ends every long-poll claim now (they answer with no tasks) and makes new ones return at once:
   * the first step of a graceful stop, also called by the all-in-one server before it shuts down.
   */
  public Future<Void> endLongPolls() {
    if (waiters == null) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      waiters.releaseAll();
      done.complete();
    });
    return done.future();
  }

  @Override
  public Future<?> stop() {
    // 1. stop intake: no new bus requests, long polls answered, the HTTP server stops accepting and
    //    waits (bounded) for the requests it is serving
    List<Future<Void>> unregistered = new ArrayList<>();
    consumers.forEach(c -> unregistered.add(c.unregister()));
    return Future.join(unregistered).otherwiseEmpty()
        .compose(v -> endLongPolls())
        .compose(v -> server == null ? Future.succeededFuture()
            : server.shutdown(HTTP_SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS).otherwiseEmpty())
        // 2. finish what was accepted: requests being answered (their group commits with them), running sweeps
        .compose(v -> inFlight.drained(vertx))
        .compose(v -> {
          List<Future<Void>> stopped = new ArrayList<>();
          sweeps.forEach(s -> stopped.add(s.stop()));
          return Future.join(stopped).otherwiseEmpty();
        })
        // 3. close connections
        .compose(v -> subscriber == null ? Future.succeededFuture() : subscriber.close().otherwiseEmpty())
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close());
  }
}
