package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rules of a retry budget as pure functions over a {@link BudgetSnapshot}: count first attempts,
 * check whether one more retry fits, withdraw it, or mark the budget exhausted (reported once per
 * episode, with {@link BudgetExhausted}, and its end with {@link BudgetRecovered}).
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
    BudgetSnapshot t = trimmed(s, now);
    long allowance = config.allowance(t.firstAttempts());
    boolean fits = !config.enabled() || t.retries() + 1 <= allowance;
    return new Usage(s.key(), t.firstAttempts(), t.retries(), allowance, fits, s.exhaustedSince() != null);
  }

  /** {@code usage(s, now).permitted()}, without building the usage: checked by every retry. */
  boolean permits(BudgetSnapshot s, Instant now) {
    if (!config.enabled()) {
      return true;
    }
    BudgetSnapshot t = trimmed(s, now);
    return t.retries() + 1 <= config.allowance(t.firstAttempts());
  }

  /** {@code n} first attempts started (or, by default, failed: see {@link BudgetConfig#firstAttemptsFromFailures()}). */
  public Step recordFirstAttempts(BudgetSnapshot s, Instant now, long n) {
    return add(s, now, n, 0);
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
    Step added = add(s, now, 0, 1);
    BudgetSnapshot b = added.snapshot();
    if (s.exhaustedSince() == null || b.retries() > RECOVERY_SHARE * config.allowance(b.firstAttempts())) {
      return added;
    }
    BudgetSnapshot next = new BudgetSnapshot(b.key(), b.buckets(), null, b.version());
    return new Step(next, List.of(new BudgetRecovered(s.key(), next.retries(),
        config.allowance(next.firstAttempts()), now)), true);
  }

  /** The budget had no room for a retry: reported once, until a retry fits again. */
  public Step exhausted(BudgetSnapshot s, Instant now) {
    if (s.exhaustedSince() != null) {
      return new Step(s, List.of(), false);
    }
    Usage u = usage(s, now);
    BudgetSnapshot next = new BudgetSnapshot(s.key(), trimmed(s, now).buckets(), now, s.version() + 1);
    return new Step(next, List.of(new BudgetExhausted(s.key(), u.retries(), u.allowance(), u.firstAttempts(),
        config.whenExhausted(), now)), false);
  }

  private Step add(BudgetSnapshot s, Instant now, long firstAttempts, long retries) {
    long slice = slice();
    long start = Math.floorDiv(now.toEpochMilli(), slice) * slice;
    WindowList<BudgetSnapshot.Bucket> kept = trimmed(s, now).entries();
    BudgetSnapshot.Bucket last = kept.newest();
    WindowList<BudgetSnapshot.Bucket> out = last != null && last.start() == start
        ? kept.withNewest(new BudgetSnapshot.Bucket(start, last.firstAttempts() + firstAttempts, last.retries() + retries))
        : kept.append(new BudgetSnapshot.Bucket(start, firstAttempts, retries));
    return new Step(new BudgetSnapshot(s.key(), out, s.exhaustedSince(), s.version() + 1), List.of(), true);
  }

  private BudgetSnapshot trimmed(BudgetSnapshot s, Instant now) {
    long horizon = now.toEpochMilli() - config.window().toMillis();
    // usually nothing, or only the oldest buckets, have left the window: no copy then
    List<BudgetSnapshot.Bucket> buckets = s.buckets();
    int n = buckets.size();
    int leaving = 0;
    while (leaving < n && buckets.get(leaving).start() <= horizon) {
      leaving++;
    }
    for (int i = leaving; i < n; i++) {
      if (buckets.get(i).start() <= horizon) {
        // out of order (a restored snapshot): keep the later ones still inside, as a filter would
        List<BudgetSnapshot.Bucket> keep = new ArrayList<>(n);
        for (BudgetSnapshot.Bucket b : buckets) {
          if (b.start() > horizon) {
            keep.add(b);
          }
        }
        return new BudgetSnapshot(s.key(), keep, s.exhaustedSince(), s.version());
      }
    }
    return leaving == 0 ? s : new BudgetSnapshot(s.key(), s.entries().dropOldest(leaving), s.exhaustedSince(),
        s.version());
  }

  private long slice() {
    return Math.max(1, config.window().toMillis() / 10);
  }
}
