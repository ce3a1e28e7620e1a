package dev.rebound.analyzer.domain;

/**
 * What the caller knows about earlier failures with the same fingerprint. The domain core keeps no
 * history itself: the service reads it from its store and passes it in, so classification stays a
 * pure function of (input, catalog, learned templates, history).
 *
 * @param count            failures seen with this fingerprint
 * @param healedByRetry    of those, how many later succeeded by retrying alone
 * @param deadLettered     of those, how many ended in the dead-letter queue
 * @param resolvedByPerson of those, how many a person had to resolve
 */
public record FingerprintHistory(long count, long healedByRetry, long deadLettered, long resolvedByPerson) {

  public static final FingerprintHistory NONE = new FingerprintHistory(0, 0, 0, 0);

  public FingerprintHistory {
    if (count < 0 || healedByRetry < 0 || deadLettered < 0 || resolvedByPerson < 0) {
      throw new IllegalArgumentException("history counts must not be negative");
    }
    if (healedByRetry + deadLettered + resolvedByPerson > count) {
      throw new IllegalArgumentException("outcomes (" + (healedByRetry + deadLettered + resolvedByPerson)
          + ") exceed the failure count (" + count + ")");
    }
  }

  double healedRate() {
    return count == 0 ? 0 : (double) healedByRetry / count;
  }

  double deadLetteredRate() {
    return count == 0 ? 0 : (double) deadLettered / count;
  }

  double resolvedByPersonRate() {
    return count == 0 ? 0 : (double) resolvedByPerson / count;
  }
}
