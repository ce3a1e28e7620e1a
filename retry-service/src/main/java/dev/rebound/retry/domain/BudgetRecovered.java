package dev.rebound.retry.domain;

import java.time.Instant;

/** A retry budget that had run out has room again (resolves the {@link BudgetExhausted} alert). */
public record BudgetRecovered(String key, long retries, long allowance, Instant at) implements RetryEvent {
  @Override
  public boolean alert() {
    return true;
  }
}
