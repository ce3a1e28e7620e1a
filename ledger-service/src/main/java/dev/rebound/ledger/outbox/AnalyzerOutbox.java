package dev.rebound.ledger.outbox;

import dev.rebound.common.Addresses;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.runtime.Correlation;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands recorded failures to the analyzer after their commit. The first send is best effort; the
 * {@link FailureResender} repeats it until a decision arrives.
 */
public final class AnalyzerOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyzerOutbox.class);

  private final Vertx vertx;
  private final OutboxStore store;
  private final Duration decisionTimeout;

  public AnalyzerOutbox(Vertx vertx, OutboxStore store, Duration decisionTimeout) {
    this.vertx = vertx;
    this.store = store;
    this.decisionTimeout = decisionTimeout;
  }

  public void send(FailureEvent f, String correlationId) {
    DeliveryOptions options = (correlationId == null ? new DeliveryOptions() : Correlation.options(correlationId))
        .setSendTimeout(decisionTimeout.toMillis());
    vertx.eventBus().request(Addresses.ANALYZER_FAILURES, f.toJson(), options).onComplete(ar -> {
      if (ar.succeeded() && f.taskId() == null) {
        store.markDelivered(f.failureId())
            .onFailure(t -> LOG.warn("failure {} delivered but not marked: it will be sent again", f.failureId()));
      }
    });
  }
}
