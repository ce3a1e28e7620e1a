package dev.rebound.analyzer;

import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.LearnedTemplate;
import dev.rebound.analyzer.domain.RuleCatalog;
import dev.rebound.analyzer.domain.RuleProblem;
import dev.rebound.analyzer.domain.TemplateMiner;
import dev.rebound.analyzer.store.AnalyzerStore;
import dev.rebound.common.Addresses;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.auth.RouteRule;
import dev.rebound.common.service.OperationTable;
import dev.rebound.common.service.ServiceOptions;
import dev.rebound.common.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring of the analyzer on the {@link ServiceVerticle} skeleton: rule catalog and classifier
 * (learned templates restored from PostgreSQL), the {@link AnalyzerEndpoints} table
 * ({@code rebound.analyzer.failures}, {@code rebound.analyzer.classify} and {@code /v1}), outcomes
 * observed on {@code rebound.events.tasks}, and sweeps that save learned templates and prune old
 * rows. A stop saves the learned templates last.
 */
public final class AnalyzerVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyzerVerticle.class);
  public static final String SCHEMA = "analyzer";
  private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);

  private final AnalyzerConfig config;
  private final Clock clock;

  private AnalyzerStore store;
  private AnalyzerOperations ops;
  private TemplateMiner miner;
  private int savedSignature = -1;

  public AnalyzerVerticle(AnalyzerConfig config, PgConnectOptions pgOptions, Clock clock) {
    super(new ServiceOptions("analyzer", SCHEMA, withCommitMode(pgOptions, config), config.pgPoolSize(), config.pgMaxWaitQueue(), config.httpEnabled(),
        config.httpPort(), config.security()));
    this.config = config;
    this.clock = clock;
  }

  /**
   * The analyzer's connections commit without waiting for the WAL flush unless told to: what it writes is derived
   * from the ledger's failures (a lost occurrence is re-sent by the ledger while its failure is undecided), and a
   * flush per commit is the largest fixed cost of its batches.
   */
  private static PgConnectOptions withCommitMode(PgConnectOptions pgOptions, AnalyzerConfig config) {
    PgConnectOptions copy = new PgConnectOptions(pgOptions);
    copy.addProperty("synchronous_commit", config.synchronousCommit() ? "on" : "off");
    return copy;
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
  protected Future<OperationTable<?>> wire(Pool pool) {
    store = new AnalyzerStore(pool, clock);
    return vertx.executeBlocking(() -> catalog(config))
        .compose(catalog -> store.learnedTemplates().map(learned -> {
          miner = new TemplateMiner();
          miner.restore(learned);
          savedSignature = signature(learned);
          LOG.info("restored {} learned templates", learned.size());
          return Classifier.builder(catalog).miner(miner).clock(clock).build();
        }))
        .map(classifier -> {
          ops = new AnalyzerOperations(vertx, classifier, store, clock);
          observe(Addresses.EVENTS_TASKS, ops::onTransition);
          addSweep("learned templates save", config.templateSaveInterval(), this::saveTemplates);
          addSweep("retention", PRUNE_EVERY, () -> store.prune(config.retention(), 10_000));
          return AnalyzerEndpoints.table(ops);
        });
  }

  @Override
  protected void addRoutes(Router router, JsonHandlers json) {
    AnalyzerEndpoints.addRoutes(router, json, ops, config.bodyLimitBytes(), config.maxBatchLines());
  }

  @Override
  protected List<RouteRule> addedRouteRules() {
    return AnalyzerEndpoints.ROUTE_RULES;
  }

  @Override
  protected Future<JsonObject> readinessDetails() {
    return Future.succeededFuture(new JsonObject().put("rules", ops.classifier().catalog().rules().size()));
  }

  /** Saves the learned templates once more, after the last classification. */
  @Override
  protected Future<Void> onClose() {
    return miner == null ? Future.succeededFuture() : saveTemplates().mapEmpty();
  }

  /** Persists the miner's clusters when they changed, so fingerprints survive a restart. */
  private Future<Integer> saveTemplates() {
    List<LearnedTemplate> learned = miner.export();
    int signature = signature(learned);
    if (signature == savedSignature) {
      return Future.succeededFuture(0);
    }
    return store.saveLearnedTemplates(learned).onSuccess(n -> savedSignature = signature);
  }

  private static int signature(List<LearnedTemplate> learned) {
    long total = learned.stream().mapToLong(LearnedTemplate::size).sum();
    return (int) (learned.size() * 31 + total);
  }
}
