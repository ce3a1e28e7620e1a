package dev.rebound.analyzer;

import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.RuleCatalog;
import dev.rebound.analyzer.domain.RuleProblem;
import dev.rebound.analyzer.domain.TemplateMiner;
import dev.rebound.analyzer.http.AnalyzerRoutes;
import dev.rebound.analyzer.store.AnalyzerStore;
import dev.rebound.common.Addresses;
import dev.rebound.common.runtime.BusRequests;
import dev.rebound.common.runtime.InFlight;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.http.ServiceHttpServer;
import dev.rebound.common.db.Migrations;
import dev.rebound.common.runtime.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring of the analyzer: rule catalog and classifier (learned templates restored from PostgreSQL),
 * the event-bus consumers ({@code rebound.analyzer.failures}, {@code rebound.analyzer.classify},
 * {@code rebound.events.tasks} for outcomes) and HTTP.
 */
public final class AnalyzerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyzerVerticle.class);
  public static final String SCHEMA = "analyzer";

  private final AnalyzerConfig config;
  private final PgConnectOptions pgOptions;
  private final Clock clock;

  private Pool pool;
  private Migrations migrations;
  private AnalyzerStore store;
  private AnalyzerOperations ops;
  private TemplateMiner miner;
  private Router routes;
  private HttpServer server;
  private long saveTimer = -1;
  private long pruneTimer = -1;
  private static final java.time.Duration PRUNE_EVERY = java.time.Duration.ofMinutes(10);
  private int savedSize = -1;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final InFlight inFlight = new InFlight();

  public AnalyzerVerticle(AnalyzerConfig config, PgConnectOptions pgOptions, Clock clock) {
    this.config = config;
    this.pgOptions = pgOptions;
    this.clock = clock;
  }

  public static AnalyzerVerticle fromSettings(Settings settings) {
    return new AnalyzerVerticle(AnalyzerConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
  }

  /** The catalog: built-in rules, plus the user's file when configured. Broken rules are logged and skipped. */
  static RuleCatalog catalog(AnalyzerConfig config) {
    RuleCatalog catalog = config.rulesFile().map(RuleCatalog::builtinAnd).orElseGet(RuleCatalog::builtin);
    for (RuleProblem p : catalog.problems()) {
      LOG.warn("rule catalog: {}", p);
    }
    LOG.info("rule catalog: {} rules loaded, {} problems", catalog.rules().size(), catalog.problems().size());
    return catalog;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.pgPoolSize()).setName("analyzer-" + deploymentID()))
        .connectingTo(pgOptions)
        .using(vertx)
        .build();
    migrations = Migrations.forSchema(SCHEMA);
    store = new AnalyzerStore(pool, clock);
    return migrations.apply(pool)
        .compose(v -> vertx.executeBlocking(() -> catalog(config)))
        .compose(catalog -> store.learnedTemplates().map(learned -> {
          miner = new TemplateMiner();
          miner.restore(learned);
          savedSize = learned.size();
          LOG.info("restored {} learned templates", learned.size());
          return Classifier.builder(catalog).miner(miner).clock(clock).build();
        }))
        .compose(classifier -> {
          ops = new AnalyzerOperations(vertx, classifier, store, clock);
          routes = new AnalyzerRoutes(vertx, new JsonHandlers(context, inFlight), ops, config.bodyLimitBytes(),
              config.maxBatchLines()).router();
          consumers.add(vertx.eventBus().<Object>consumer(Addresses.ANALYZER_FAILURES, m -> BusRequests.answer(m, ops::analyzeFailure, inFlight)));
          consumers.add(vertx.eventBus().<Object>consumer(Addresses.ANALYZER_CLASSIFY, m -> BusRequests.answer(m, ops::classify, inFlight)));
          consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_TASKS, m -> {
            if (m.body() instanceof JsonObject) {
              inFlight.track(() -> ops.onTransition(m.body())).onFailure(t -> LOG.warn("outcome not recorded: {}", t.getMessage()));
            }
          }));
          saveTimer = vertx.setPeriodic(Math.max(100, config.templateSaveInterval().toMillis()), t -> saveTemplates());
          pruneTimer = vertx.setPeriodic(PRUNE_EVERY.toMillis(), t -> store.prune(config.retention(), 10_000)
              .onFailure(e -> LOG.warn("retention sweep failed: {}", e.getMessage())));
          return startHttp();
        })
        .onSuccess(v -> LOG.info("analyzer started (http {})", config.httpEnabled() ? actualPort() : "off"));
  }

  /** Persists the miner's clusters when they changed, so fingerprints survive a restart. */
  Future<Integer> saveTemplates() {
    var learned = miner.export();
    long total = learned.stream().mapToLong(l -> l.size()).sum();
    int signature = (int) (learned.size() * 31 + total);
    if (signature == savedSize) {
      return Future.succeededFuture(0);
    }
    return store.saveLearnedTemplates(learned).onSuccess(n -> savedSize = signature)
        .onFailure(t -> LOG.warn("learned templates not saved: {}", t.getMessage()));
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

  public Future<JsonObject> readiness() {
    return migrations.readiness(pool).map(r -> r.put("rules", ops.classifier().catalog().rules().size()));
  }

  public Router routes() {
    return routes;
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  public AnalyzerOperations operations() {
    return ops;
  }

  @Override
  public Future<?> stop() {
    // intake first (consumers, then the HTTP server, which waits for the requests it is serving),
    // then what was accepted, then the learned templates and the pool
    List<Future<Void>> unregistered = new ArrayList<>();
    consumers.forEach(c -> unregistered.add(c.unregister()));
    if (saveTimer >= 0) {
      vertx.cancelTimer(saveTimer);
    }
    if (pruneTimer >= 0) {
      vertx.cancelTimer(pruneTimer);
    }
    return Future.join(unregistered).otherwiseEmpty()
        .compose(v -> server == null ? Future.succeededFuture()
            : server.shutdown(10, java.util.concurrent.TimeUnit.SECONDS).otherwiseEmpty())
        .compose(v -> inFlight.drained(vertx))
        .compose(v -> miner == null ? Future.succeededFuture() : saveTemplates().otherwiseEmpty().mapEmpty())
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close());
  }
}
