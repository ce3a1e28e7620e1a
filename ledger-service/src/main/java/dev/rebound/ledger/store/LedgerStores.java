package dev.rebound.ledger.store;

import dev.rebound.ledger.domain.FailureCipher;
import dev.rebound.ledger.domain.ProvisionalRetry;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;

/** The ledger's stores over one pool, one per kind of record. */
public record LedgerStores(TaskStore tasks, TaskQueries queries, FailureStore failures, DecisionStore decisions,
                           CheckpointStore checkpoints, StagePauseStore pauses) {

  /**
   * @param firstResend when the outbox first re-sends a failure without a decision
   * @param cipher encrypts the failures' texts at rest ({@link FailureCipher#NONE}: plaintext)
   */
  public static LedgerStores create(Pool pool, Clock clock, ProvisionalRetry provisional, Duration firstResend,
      FailureCipher cipher) {
    return new LedgerStores(new TaskStore(pool, clock), new TaskQueries(pool),
        new FailureStore(pool, clock, provisional, firstResend, cipher), new DecisionStore(pool, clock),
        new CheckpointStore(pool, clock), new StagePauseStore(pool, clock));
  }
}
