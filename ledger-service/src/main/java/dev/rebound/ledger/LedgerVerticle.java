package dev.rebound.ledger;

import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.service.OperationTable;
import dev.rebound.common.service.ServiceOptions;
import dev.rebound.common.service.ServiceVerticle;
import dev.rebound.ledger.claim.ClaimWaiters;
import dev.rebound.ledger.domain.ProvisionalRetry;
import dev.rebound.ledger.domain.TaskIds;
import dev.rebound.ledger.claim.ClaimWakeups;
import dev.rebound.ledger.outbox.AnalyzerOutbox;
import dev.rebound.ledger.outbox.FailureResender;
import dev.rebound.ledger.outbox.OutboxStore;
import dev.rebound.ledger.pause.StagePauses;
import dev.rebound.common.Addresses;
import dev.rebound.ledger.store.LedgerStores;
import dev.rebound.ledger.sweep.LeaseRescuer;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Wiring of the ledger on the {@link ServiceVerticle} skeleton: store, operations and claim waiters,
 * the {@link LedgerEndpoints} table ({@code rebound.failures}, {@code rebound.ledger},
 * {@code rebound.ledger.decide} and {@code /v1}), LISTEN/NOTIFY wake-ups and the sweepers. A stop
 * answers parked long polls with no tasks before the HTTP server shuts down.
 */
public final class LedgerVerticle extends ServiceVerticle {
  public static final String SCHEMA = "ledger";

  private final LedgerConfig config;
  private final Clock clock;

  private LedgerOperations ops;
  private ClaimWaiters waiters;
  private ClaimWakeups wakeups;
  private PgSubscriber subscriber;
  private StagePauses pauses;

  public LedgerVerticle(LedgerConfig config, PgConnectOptions pgOptions, Clock clock) {
    super(new ServiceOptions("ledger", SCHEMA, pgOptions, config.pgPoolSize(), config.pgMaxWaitQueue(), config.httpEnabled(),
        config.httpPort(), config.security()));
    this.config = config;
    this.clock = clock;
  }

  public static LedgerVerticle fromSettings(Settings settings) {
    return new LedgerVerticle(LedgerConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
  }

  @Override
  protected Future<OperationTable<?>> wire(Pool pool) {
    SecureRandom random = new SecureRandom();
    LedgerStores stores = LedgerStores.create(pool, clock, new ProvisionalRetry(config.defaultPolicy(), clock, random),
        config.decisionTimeout(), config.failureCipher());
    waiters = new ClaimWaiters(vertx, clock, stores.tasks()::nextDue, config.maxClaimWaiters());
    wakeups = new ClaimWakeups(vertx, clock, waiters, stores.tasks()::notifyChannel);
    OutboxStore outboxStore = new OutboxStore(pool, clock, config.failureCipher());
    AnalyzerOutbox outbox = new AnalyzerOutbox(vertx, outboxStore, config.decisionTimeout());
    LedgerMetrics metrics = new LedgerMetrics(ReboundVertx.registry(vertx).orElse(null), waiters::waiting);
    ops = new LedgerOperations(vertx, config, stores, waiters, wakeups, outbox,
        new TaskIds(clock, random), clock, metrics);

    LeaseRescuer rescuer = new LeaseRescuer(stores.tasks()::expiredLeases, ops::recordExpiredLease,
        metrics::leaseRescued, 200);
    FailureResender resender = new FailureResender(outboxStore, outbox, config.decisionTimeout(), 200,
        config.maxResends());
    addSweep("lease rescue", config.leaseSweepInterval(), rescuer::sweep);
    addSweep("failure resend", config.leaseSweepInterval().multipliedBy(5), resender::sweep);
    addSweep("retention", config.retentionSweepInterval(),
        () -> stores.tasks().prune(config.doneRetention(), config.failedRetention(), 5000));
    pauses = new StagePauses(stores.pauses(), wakeups, ops::publish, clock, config.unparkRate());
    addSweep("stage release", config.releaseSweepInterval(), pauses::releaseStep);
    addSweep("task counts", LedgerMetrics.TASK_COUNT_INTERVAL,
        () -> stores.queries().stats().map(stats -> {
          metrics.tasks(stats.byState());
          return 0;
        }));
    observe(Addresses.EVENTS_CIRCUITS, pauses::onCircuitTransition);
    return listen().map(v -> LedgerEndpoints.table(ops, pauses));
  }

  /**
   * Other instances NOTIFY after their commits; their new tasks wake the claims parked here. The
   * listener reconnects forever (every 500 ms, then every second): a PostgreSQL restart of any
   * length ends with the ledger listening again by itself.
   */
  private Future<Void> listen() {
    subscriber = PgSubscriber.subscriber(vertx, pgOptions())
        .reconnectPolicy(retries -> retries < 20 ? 500L : 1000L);
    subscriber.channel(ClaimWakeups.CHANNEL).handler(wakeups::onNotification);
    // after a reconnect notifications may have been missed: wake everyone once to re-check
    subscriber.channel(ClaimWakeups.CHANNEL).subscribeHandler(v -> wakeups.onReconnect());
    return subscriber.connect();
  }

  /** Stage pauses: tests trigger a release step directly. */
  StagePauses stagePauses() {
    return pauses;
  }

  @Override
  protected void addRoutes(Router router, JsonHandlers json) {
    LedgerEndpoints.addRoutes(router, config.payloadLimitBytes() + 64L * 1024, config.batchBodyLimit());
  }

  /** Every long-poll claim answers now (with no tasks), and new ones return at once. */
  @Override
  protected Future<Void> onQuiesce() {
    if (waiters != null) {
      waiters.releaseAll();
    }
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> onClose() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
