package dev.rebound.retry.domain;

import java.time.Instant;

/**
 * A retry budget's state as {@link RetryDecider} keeps it between its restore and its snapshot: the fields
 * of a {@link BudgetSnapshot}, changed in place by the {@link RetryBudget}'s rules. Every change increments
 * the version (buckets leave the window only in a change), so the snapshot exported is equal to the one the
 * rules used to build and is built again only after a change.
 */
final class WorkingBudget {

  final String key;
  /** First attempts (first) and retries (second) per bucket. */
  final BucketRing buckets = new BucketRing();
  Instant exhaustedSince;
  long version;
  private BudgetSnapshot exported;

  private WorkingBudget(String key) {
    this.key = key;
  }

  static WorkingBudget empty(String key) {
    return of(BudgetSnapshot.empty(key));
  }

  static WorkingBudget of(BudgetSnapshot s) {
    WorkingBudget b = new WorkingBudget(s.key());
    for (BudgetSnapshot.Bucket x : s.buckets()) {
      b.buckets.append(x.start(), x.firstAttempts(), x.retries(), Integer.MAX_VALUE);
    }
    b.exhaustedSince = s.exhaustedSince();
    b.version = s.version();
    b.exported = s;
    return b;
  }

  /** The budget as a record: the one imported or last exported while nothing has changed since. */
  BudgetSnapshot snapshot() {
    if (exported == null || exported.version() != version || exported.exhaustedSince() != exhaustedSince) {
      exported = new BudgetSnapshot(key, buckets.toList(BudgetSnapshot.Bucket::new), exhaustedSince, version);
    }
    return exported;
  }
}
