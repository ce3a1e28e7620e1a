package dev.rebound.notifier;

import dev.rebound.common.Addresses;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.auth.RouteRule;
import dev.rebound.common.service.OperationTable;
import dev.rebound.common.service.ServiceOptions;
import dev.rebound.common.service.ServiceVerticle;
import dev.rebound.notifier.delivery.NotificationPlanner;
import dev.rebound.notifier.delivery.NotifierMetrics;
import dev.rebound.notifier.delivery.OutboxSender;
import dev.rebound.notifier.delivery.Routing;
import dev.rebound.notifier.store.AlertStore;
import dev.rebound.notifier.store.GroupStore;
import dev.rebound.notifier.store.OutboxStore;
import dev.rebound.notifier.store.SilenceStore;
import dev.rebound.notifier.sweep.DueGroupWakeups;
import dev.rebound.notifier.sweep.NotificationTimers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Wiring of the notifier on the {@link ServiceVerticle} skeleton: the stores, the {@link NotifierEndpoints} table
 * ({@code rebound.notifier.alerts} and {@code /v1}, plus Alertmanager's {@code /api/v2/alerts}), healing observed on
 * {@code rebound.events.tasks} and {@code rebound.events.circuits}, and the sweeps that carry every timer from
 * PostgreSQL: due groups, due escalation steps, ended alerts, the delivery outbox, the gauges.
 */
public final class NotifierVerticle extends ServiceVerticle {
  public static final String SCHEMA = "notifier";
  private static final Duration GAUGES_EVERY = Duration.ofSeconds(15);

  private final NotifierConfig config;
  private final Clock clock;
  private NotifierOperations ops;
  private NotificationTimers timers;
  private OutboxSender sender;

  public NotifierVerticle(NotifierConfig config, PgConnectOptions pgOptions, Clock clock) {
    super(new ServiceOptions("notifier", SCHEMA, pgOptions, config.pgPoolSize(), config.pgMaxWaitQueue(), config.httpEnabled(),
        config.httpPort(), config.security()));
    this.config = config;
    this.clock = clock;
  }

  public static NotifierVerticle fromSettings(Settings settings) {
    return new NotifierVerticle(NotifierConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
  }

  @Override
  protected Future<OperationTable<?>> wire(Pool pool) {
    Routing routing = new Routing(config.policy());
    AlertStore alerts = new AlertStore();
    GroupStore groups = new GroupStore();
    SilenceStore silences = new SilenceStore();
    OutboxStore outbox = new OutboxStore(pool);
    NotifierMetrics metrics = new NotifierMetrics(ReboundVertx.registry(vertx).orElse(null));
    NotificationPlanner planner = new NotificationPlanner(config.externalUrl());
    timers = new NotificationTimers(vertx, pool, alerts, groups, silences, outbox, routing, planner, clock);
    DueGroupWakeups wakeups = new DueGroupWakeups(() -> timers.flushDueGroups(), () -> sender.drainDue());
    ops = new NotifierOperations(pool, alerts, groups, silences, outbox, routing, timers, metrics, clock,
        config.resolveTimeout(), wakeups::wake, Math.max(1, config.pgPoolSize() / 2));
    sender = new OutboxSender(vertx, pool, outbox, alerts, routing, planner, metrics, new OutboxSender.Settings(
        config.deliveryMaxAttempts(), config.deliveryRetryBase(), config.deliveryRetryMax(),
        config.endpointFailureThreshold(), config.endpointPause(), config.deliveryTimeout(), config.digest()), clock);
    timers.dispatchFlushedWith(sender::sendClaimed);
    observe(Addresses.EVENTS_TASKS, ops::onTransition);
    observe(Addresses.EVENTS_CIRCUITS, ops::onCircuit);
    observe(Addresses.EVENTS_CLASSIFIED, ops::onClassified);
    addSweep("group flush", config.sweepInterval(), timers::flushDueGroups);
    addSweep("escalation", config.sweepInterval(), timers::fireDueEscalations);
    addSweep("alert expiry", config.sweepInterval(), ops::expireEnded);
    addSweep("delivery outbox", config.sweepInterval(), sender::drain);
    addSweep("gauges", GAUGES_EVERY, ops::refreshGauges);
    return Future.succeededFuture(NotifierEndpoints.table(ops));
  }

  @Override
  protected List<RouteRule> addedRouteRules() {
    return NotifierEndpoints.ROUTE_RULES;
  }

  @Override
  protected void addRoutes(Router router, JsonHandlers json) {
    NotifierEndpoints.addRoutes(router, json, ops);
  }

  @Override
  protected Future<JsonObject> readinessDetails() {
    return Future.succeededFuture(new JsonObject().put("receivers", config.policy().routing().receivers().size()));
  }

  @Override
  protected Future<Void> onClose() {
    return sender == null ? Future.succeededFuture() : sender.close();
  }

  /** The timers, for tests that run a pass themselves instead of waiting for the sweep. */
  public NotificationTimers timers() {
    return timers;
  }

  /** One pass over the delivery outbox (tests). */
  public Future<Integer> drainOutbox() {
    return sender.drain();
  }
}
