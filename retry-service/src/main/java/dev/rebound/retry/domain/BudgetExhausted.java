package dev.rebound.retry.domain;

import java.time.Instant;

/** A retry budget ran out: from now on its failures park or dead-letter until it has room again. */
public record BudgetExhausted(String key, long retries, long allowance, long firstAttempts,
    BudgetConfig.WhenExhausted then, Instant at) implements RetryEvent {
  @Override
  public boolean alert() {
    return true;
  }
}
