package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rules of a retry budget as pure functions over a {@link BudgetSnapshot}: count first attempts,
 * check whether one more retry fits, withdraw it, or mark the budget exhausted (reported once per
 * episode, with {@link BudgetExhausted}, and its end with {@link BudgetRecovered}). The rules are written
 * once, over a {@link WorkingBudget} changed in place (as {@link RetryDecider} keeps its budgets); each
 * public method runs the same rule over a copy of its snapshot.
 */
public final class RetryBudget {

  private final BudgetConfig config;

  private RetryBudget(BudgetConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public static RetryBudget of(BudgetConfig config) {
    return new RetryBudget(config);
  }

  public BudgetConfig config() {
    return config;
  }

  /** What a rule did: the next snapshot, its events, and (for a check or withdrawal) whether a retry fits. */
  public record Step(BudgetSnapshot snapshot, List<RetryEvent> events, boolean permitted) {
    public Step {
      events = List.copyOf(events);
    }
  }

  /** Where the budget stands now: {@code permitted} when one more retry fits. */
  public record Usage(String key, long firstAttempts, long retries, long allowance, boolean permitted,
      boolean exhausted) {
  }

  public Usage usage(BudgetSnapshot s, Instant now) {
    return usage(WorkingBudget.of(s), now);
  }

  /** {@code n} first attempts started (or, by default, failed: see {@link BudgetConfig#firstAttemptsFromFailures()}). */
  public Step recordFirstAttempts(BudgetSnapshot s, Instant now, long n) {
    WorkingBudget b = WorkingBudget.of(s);
    recordFirstAttempts(b, now, n);
    return new Step(b.snapshot(), List.of(), true);
  }

  /**
   * Below this share of its allowance an exhausted budget counts as recovered: without the headroom a
   * budget at its limit would report exhausted/recovered on every other failure.
   */
  public static final double RECOVERY_SHARE = 0.8;

  /**
   * Takes one retry from the budget (the caller checked {@link #usage} first); ends an exhaustion episode
   * once the retries are back under {@link #RECOVERY_SHARE} of the allowance.
   */
  public Step withdraw(BudgetSnapshot s, Instant now) {
    WorkingBudget b = WorkingBudget.of(s);
    List<RetryEvent> events = new ArrayList<>(1);
    withdraw(b, now, events);
    return new Step(b.snapshot(), events, true);
  }

  /** The budget had no room for a retry: reported once, until a retry fits again. */
  public Step exhausted(BudgetSnapshot s, Instant now) {
    WorkingBudget b = WorkingBudget.of(s);
    List<RetryEvent> events = new ArrayList<>(1);
    exhausted(b, now, events);
    return new Step(b.snapshot(), events, false);
  }

  // ---- the rules, over a budget changed in place (the methods above run them over a copy of a snapshot)

  Usage usage(WorkingBudget b, Instant now) {
    long horizon = horizon(now);
    long firstAttempts = b.buckets.firstSumAfter(horizon);
    long retries = b.buckets.secondSumAfter(horizon);
    long allowance = config.allowance(firstAttempts);
    boolean fits = !config.enabled() || retries + 1 <= allowance;
    return new Usage(b.key, firstAttempts, retries, allowance, fits, b.exhaustedSince != null);
  }

  /** {@code usage(b, now).permitted()}, without building the usage: checked by every retry. */
  boolean permits(WorkingBudget b, Instant now) {
    if (!config.enabled()) {
      return true;
    }
    long horizon = horizon(now);
    return b.buckets.secondSumAfter(horizon) + 1 <= config.allowance(b.buckets.firstSumAfter(horizon));
  }

  void recordFirstAttempts(WorkingBudget b, Instant now, long n) {
    add(b, now, n, 0);
  }

  void withdraw(WorkingBudget b, Instant now, List<? super RetryEvent> events) {
    boolean wasExhausted = b.exhaustedSince != null;
    add(b, now, 0, 1);
    if (!wasExhausted) {
      return;
    }
    long retries = b.buckets.secondSum();
    long allowance = config.allowance(b.buckets.firstSum());
    if (retries > RECOVERY_SHARE * allowance) {
      return;
    }
    b.exhaustedSince = null; // the version of the withdrawal
    events.add(new BudgetRecovered(b.key, retries, allowance, now));
  }

  void exhausted(WorkingBudget b, Instant now, List<? super RetryEvent> events) {
    if (b.exhaustedSince != null) {
      return;
    }
    Usage u = usage(b, now);
    b.buckets.trim(horizon(now));
    b.exhaustedSince = now;
    b.version++;
    events.add(new BudgetExhausted(b.key, u.retries(), u.allowance(), u.firstAttempts(), config.whenExhausted(), now));
  }

  private void add(WorkingBudget b, Instant now, long firstAttempts, long retries) {
    long slice = Math.max(1, config.window().toMillis() / 10);
    long start = Math.floorDiv(now.toEpochMilli(), slice) * slice;
    BucketRing buckets = b.buckets;
    buckets.trim(horizon(now));
    if (buckets.size() > 0 && buckets.start(buckets.size() - 1) == start) {
      buckets.addToNewest(firstAttempts, retries);
    } else {
      buckets.append(start, firstAttempts, retries, Integer.MAX_VALUE);
    }
    b.version++;
  }

  private long horizon(Instant now) {
    return now.toEpochMilli() - config.window().toMillis();
  }
}
