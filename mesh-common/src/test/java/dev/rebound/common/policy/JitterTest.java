package dev.rebound.common.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Every jitter stays within its definition's bounds, spreads its draws, and replays in deterministic mode. */
class JitterTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final int DRAWS = 20_000;

  static RetryPolicy exponential(Jitter jitter) {
    return RetryPolicy.builder().exponential(Duration.ofSeconds(1), 2).maxRetries(10).maxDelay(Duration.ofSeconds(60))
        .jitter(jitter).build();
  }

  static long delayMs(RetryPolicy p, RetryContext ctx, RandomGenerator random) {
    return ((NextAttempt.Scheduled) p.next(ctx, T0, random)).delay().toMillis();
  }

  @Test
  void noJitterWaitsExactlyTheNominalDelay() {
    RetryPolicy p = exponential(Jitter.NONE);
    RandomGenerator random = new SplittableRandom(1);
    for (int retry = 1; retry <= 8; retry++) {
      assertThat(delayMs(p, RetryContext.afterAttempt(retry, T0), random)).isEqualTo(p.nominalDelay(retry).toMillis());
    }
  }

  @Test
  void fullJitterDrawsFromZeroToTheNominalDelayAndReachesBothEnds() {
    RetryPolicy p = exponential(Jitter.FULL);
    RandomGenerator random = new SplittableRandom(42);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < DRAWS; i++) {
      long d = delayMs(p, RetryContext.afterAttempt(3, T0), random); // nominal 4 s
      assertThat(d).isBetween(0L, 4000L);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isLessThan(100);
    assertThat(max).isGreaterThan(3900);
  }

  @Test
  void equalJitterDrawsFromHalfTheNominalDelayToAllOfIt() {
    RetryPolicy p = exponential(Jitter.EQUAL);
    RandomGenerator random = new SplittableRandom(42);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < DRAWS; i++) {
      long d = delayMs(p, RetryContext.afterAttempt(4, T0), random); // nominal 8 s
      assertThat(d).isBetween(4000L, 8000L);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isLessThan(4100);
    assertThat(max).isGreaterThan(7900);
  }

  @Test
  void decorrelatedJitterDrawsFromTheBaseToThreeTimesThePreviousDelayWithinTheCap() {
    RetryPolicy p = exponential(Jitter.DECORRELATED);
    RandomGenerator random = new SplittableRandom(42);
    for (int i = 0; i < DRAWS; i++) {
      long previous = random.nextLong(1000, 40_000);
      long d = delayMs(p, RetryContext.afterAttempt(5, T0).withPreviousDelay(Duration.ofMillis(previous)), random);
      assertThat(d).isBetween(1000L, Math.min(60_000L, previous * 3));
    }
  }

  @Test
  void decorrelatedJitterStartsFromTheBaseAndGrowsAlongItsChain() {
    RetryPolicy p = exponential(Jitter.DECORRELATED);
    RandomGenerator random = new SplittableRandom(7);
    for (int run = 0; run < 1000; run++) {
      long previous = 1000;
      for (int retry = 1; retry <= 10; retry++) {
        long d = delayMs(p, RetryContext.afterAttempt(retry, T0).withPreviousDelay(Duration.ofMillis(previous)), random);
        assertThat(d).isBetween(1000L, Math.min(60_000L, previous * 3));
        previous = d;
      }
    }
    // the first retry knows no previous delay: it draws from [base, 3 × base]
    for (int i = 0; i < 1000; i++) {
      assertThat(delayMs(p, RetryContext.afterAttempt(1, T0), random)).isBetween(1000L, 3000L);
    }
  }

  @Test
  void deterministicModeGivesTheSameDelayForTheSameTaskAndAttempt() {
    for (Jitter jitter : Jitter.values()) {
      RetryPolicy p = exponential(jitter).toBuilder().deterministic(true).build();
      for (int retry = 1; retry <= 10; retry++) {
        RetryContext ctx = RetryContext.afterAttempt(retry, T0).withTaskId("task-7");
        // the injected random source plays no part
        assertThat(delayMs(p, ctx, new SplittableRandom(1))).isEqualTo(delayMs(p, ctx, new SplittableRandom(2)));
      }
    }
  }

  @Test
  void deterministicModeReplaysAKnownScheduleExactly() {
    RetryPolicy p = exponential(Jitter.FULL).toBuilder().deterministic(true).build();
    List<Long> first = new ArrayList<>();
    List<Long> replay = new ArrayList<>();
    for (int retry = 1; retry <= 6; retry++) {
      first.add(delayMs(p, RetryContext.afterAttempt(retry, T0).withTaskId("3f1c-replay"), null));
    }
    for (int retry = 1; retry <= 6; retry++) {
      replay.add(delayMs(p.toBuilder().build(), RetryContext.afterAttempt(retry, T0).withTaskId("3f1c-replay"), null));
    }
    assertThat(replay).isEqualTo(first);
    // pinned: the seed derivation is part of the contract, a change must be deliberate
    assertThat(first).containsExactly(PINNED_FULL_JITTER);
  }

  static final Long[] PINNED_FULL_JITTER = {630L, 465L, 1926L, 3113L, 7842L, 3882L};

  @Test
  void deterministicModeSpreadsDifferentTasksAndStaysWithinTheBounds() {
    RetryPolicy p = exponential(Jitter.EQUAL).toBuilder().deterministic(true).build();
    Set<Long> distinct = new HashSet<>();
    for (int task = 0; task < 2000; task++) {
      long d = delayMs(p, RetryContext.afterAttempt(4, T0).withTaskId("task-" + task), null);
      assertThat(d).isBetween(4000L, 8000L);
      distinct.add(d);
    }
    assertThat(distinct.size()).isGreaterThan(1500);
  }

  @Test
  void deterministicDecorrelatedJitterReplaysItsChainWithoutBeingToldThePreviousDelay() {
    RetryPolicy p = exponential(Jitter.DECORRELATED).toBuilder().deterministic(true).build();
    long previous = 1000;
    for (int retry = 1; retry <= 8; retry++) {
      RetryContext ctx = RetryContext.afterAttempt(retry, T0).withTaskId("chain");
      long replayed = delayMs(p, ctx, null);
      long told = delayMs(p, ctx.withPreviousDelay(Duration.ofMillis(previous)), null);
      assertThat(replayed).isEqualTo(told).isBetween(1000L, Math.min(60_000L, previous * 3));
      previous = replayed;
    }
  }

  @Test
  void fullJitterSpreadsAThousandSimultaneousFailuresEvenly() {
    RetryPolicy p = exponential(Jitter.FULL);
    RandomGenerator random = new SplittableRandom(3);
    int[] buckets = new int[10]; // nominal 8 s: ten windows of 800 ms
    for (int i = 0; i < 1000; i++) {
      long d = delayMs(p, RetryContext.afterAttempt(4, T0), random);
      buckets[(int) Math.min(9, d / 800)]++;
    }
    for (int count : buckets) {
      assertThat(count).isLessThan(200); // mean 100
    }
  }
}
