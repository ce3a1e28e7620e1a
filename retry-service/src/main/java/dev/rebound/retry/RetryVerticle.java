package dev.rebound.retry;

import dev.rebound.common.Addresses;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.service.OperationTable;
import dev.rebound.common.service.ServiceOptions;
import dev.rebound.common.service.ServiceVerticle;
import dev.rebound.retry.domain.DecisionEngine;
import dev.rebound.retry.state.SharedRetryState;
import dev.rebound.retry.store.RetryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring of the retry service on the {@link ServiceVerticle} skeleton: the {@link DecisionEngine} with the
 * configured rules, the cluster-wide {@link SharedRetryState} (persisted circuits restored into it when the
 * cluster does not hold them), the {@link RetryEndpoints} table ({@code rebound.retry.classified},
 * {@code rebound.retry} and {@code /v1}), task outcomes from {@code rebound.retry.outcomes}, and sweeps that
 * half-open circuits and prune old rows.
 */
public final class RetryVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(RetryVerticle.class);
  public static final String SCHEMA = "retry";
  private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);

  private final RetryConfig config;
  private final Clock clock;
  private SharedRetryState shared;

  public RetryVerticle(RetryConfig config, PgConnectOptions pgOptions, Clock clock) {
    super(new ServiceOptions("retry", SCHEMA, pgOptions, config.pgPoolSize(), config.pgMaxWaitQueue(), config.httpEnabled(),
        config.httpPort(), config.security()));
    this.config = config;
    this.clock = clock;
  }

  public static RetryVerticle fromSettings(Settings settings) {
    return new RetryVerticle(RetryConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
  }

  @Override
  protected Future<OperationTable<?>> wire(Pool pool) {
    RetryStore store = new RetryStore(pool, clock);
    DecisionEngine engine = DecisionEngine.of(config.rules(), clock, new SplittableRandom());
    RetryMetrics metrics = RetryMetrics.of(ReboundVertx.registry(vertx).orElse(null));
    return SharedRetryState.open(vertx, config.lockTimeout())
        .compose(state -> {
          shared = state;
          return store.circuits().compose(state::restore);
        })
        .map(restored -> {
          LOG.info("retry state: {} persisted circuit(s) restored into shared data", restored);
          RetryOperations ops = new RetryOperations(engine, shared, store,
              new LedgerClient(vertx, config.ledgerTimeout().toMillis()), new RetryEvents(vertx, metrics), metrics);
          observe(Addresses.RETRY_OUTCOMES, ops::onTaskOutcome);
          addSweep("circuits", config.sweepInterval(), ops::refreshCircuits);
          addSweep("retention", PRUNE_EVERY, () -> store.prune(config.retention(), 10_000));
          return RetryEndpoints.table(ops);
        });
  }

  @Override
  protected void addRoutes(Router router, JsonHandlers json) {
    RetryEndpoints.addRoutes(router, config.bodyLimitBytes());
  }

  @Override
  protected Future<JsonObject> readinessDetails() {
    return shared == null ? Future.succeededFuture(new JsonObject())
        : shared.circuits().map(all -> new JsonObject().put("circuits", all.size()));
  }
}
