package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A retry budget's state as a plain record: kept in cluster-wide shared data under {@link #key()}
 * ({@code stage:<stage>} or {@code global}).
 *
 * @param buckets        oldest first, each a tenth of the window; {@code start} in epoch milliseconds
 * @param exhaustedSince when the budget last ran out, null while it has room (so exhaustion is reported once)
 */
public record BudgetSnapshot(String key, List<Bucket> buckets, Instant exhaustedSince, long version) {

  public static final String GLOBAL = "global";

  public record Bucket(long start, long firstAttempts, long retries) {
  }

  public BudgetSnapshot {
    Objects.requireNonNull(key, "key");
    buckets = List.copyOf(buckets);
  }

  public static BudgetSnapshot empty(String key) {
    return new BudgetSnapshot(key, List.of(), null, 0);
  }

  public static String stageKey(String stage) {
    return "stage:" + stage;
  }

  public long firstAttempts() {
    long n = 0;
    for (int i = 0; i < buckets.size(); i++) {
      n += buckets.get(i).firstAttempts;
    }
    return n;
  }

  public long retries() {
    long n = 0;
    for (int i = 0; i < buckets.size(); i++) {
      n += buckets.get(i).retries;
    }
    return n;
  }
}
