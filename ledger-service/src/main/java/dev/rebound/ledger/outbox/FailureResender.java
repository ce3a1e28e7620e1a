package dev.rebound.ledger.outbox;

import dev.rebound.common.message.FailureEvent;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * The outbox's second half: failures without a decision after the decision timeout are sent to the
 * analyzer again, with exponential backoff (timeout × 2^sends, capped at 10 minutes), at most
 * {@code maxSends} times. Failures whose attempt was superseded are retired first.
 */
public final class FailureResender {
  private static final Duration CAP = Duration.ofMinutes(10);
  private final OutboxStore store;
  private final AnalyzerOutbox outbox;
  private final Duration decisionTimeout;
  private final int batch;
  private final int maxSends;

  public FailureResender(OutboxStore store, AnalyzerOutbox outbox, Duration decisionTimeout, int batch, int maxSends) {
    this.store = store;
    this.outbox = outbox;
    this.decisionTimeout = decisionTimeout;
    this.batch = batch;
    this.maxSends = maxSends;
  }

  public Future<Integer> sweep() {
    return store.takeDue(batch, sends -> backoff(decisionTimeout, sends), maxSends).map(due -> {
      for (FailureEvent f : due) {
        outbox.send(f, null);
      }
      return due.size();
    });
  }

  static Duration backoff(Duration timeout, int sends) {
    long ms = timeout.toMillis() * (1L << Math.min(sends, 20));
    return ms > CAP.toMillis() || ms <= 0 ? CAP : Duration.ofMillis(ms);
  }
}
