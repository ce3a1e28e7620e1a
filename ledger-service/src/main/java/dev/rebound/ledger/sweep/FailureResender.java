package dev.rebound.ledger.sweep;

import dev.rebound.common.message.FailureEvent;
import dev.rebound.ledger.LedgerOperations;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * The outbox's second half: failures without a decision after the decision timeout are sent to the
 * analyzer again, with exponential backoff (timeout × 2^sends, capped at 10 minutes), at most
 * {@code maxSends} times. Failures whose attempt was superseded are retired first.
 */
public final class FailureResender {
  private static final Duration CAP = Duration.ofMinutes(10);
  private final LedgerOperations operations;
  private final int batch;
  private final int maxSends;

  public FailureResender(LedgerOperations operations, int batch, int maxSends) {
    this.operations = operations;
    this.batch = batch;
    this.maxSends = maxSends;
  }

  public Future<Integer> sweep() {
    Duration timeout = operations.decisionTimeout();
    return operations.store().takeFailuresToResend(batch, sends -> backoff(timeout, sends), maxSends).map(due -> {
      for (FailureEvent f : due) {
        operations.sendToAnalyzer(f, null);
      }
      return due.size();
    });
  }

  static Duration backoff(Duration timeout, int sends) {
    long ms = timeout.toMillis() * (1L << Math.min(sends, 20));
    return ms > CAP.toMillis() || ms <= 0 ? CAP : Duration.ofMillis(ms);
  }
}
