package dev.rebound.common.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Whether and when the next attempt runs: retry limit, task budget, deadline, retry-after hint, time scale. */
class NextAttemptTest {
  static final Instant FIRST = Instant.parse("2025-01-01T00:00:00Z");
  final RandomGenerator random = new SplittableRandom(11);

  static RetryPolicy.Builder exact() {
    return RetryPolicy.builder().jitter(Jitter.NONE);
  }

  @Test
  void aRetryIsScheduledAtNowPlusTheDelay() {
    RetryPolicy p = exact().fixed(Duration.ofSeconds(60)).maxRetries(2).build();
    Instant now = FIRST.plusSeconds(5);
    NextAttempt next = p.next(RetryContext.afterAttempt(1, FIRST), now, random);
    assertThat(next).isEqualTo(new NextAttempt.Scheduled(1, Duration.ofSeconds(60), now.plusSeconds(60)));
    assertThat(next.exhausted()).isFalse();
  }

  @Test
  void theInjectedClockGivesNow() {
    Instant now = FIRST.plusSeconds(30);
    RetryPolicy p = exact().fixed(Duration.ofSeconds(1)).build();
    NextAttempt next = p.next(RetryContext.afterAttempt(1, FIRST), Clock.fixed(now, ZoneOffset.UTC), random);
    assertThat(((NextAttempt.Scheduled) next).at()).isEqualTo(now.plusSeconds(1));
  }

  @Test
  void theAttemptAfterTheLastRetryIsExhaustedWithTheReason() {
    RetryPolicy p = exact().fixed(Duration.ofSeconds(60)).maxRetries(2).build();
    assertThat(p.next(RetryContext.afterAttempt(2, FIRST), FIRST, random).exhausted()).isFalse();
    NextAttempt next = p.next(RetryContext.afterAttempt(3, FIRST), FIRST, random);
    assertThat(next).isInstanceOfSatisfying(NextAttempt.Exhausted.class, e -> {
      assertThat(e.reason()).isEqualTo(NextAttempt.Reason.MAX_RETRIES);
      assertThat(e.detail()).isEqualTo("attempt 3 failed and 2 retries are allowed");
    });
  }

  @Test
  void aPolicyWithoutRetriesStopsAfterTheFirstAttempt() {
    RetryPolicy p = exact().maxRetries(0).build();
    assertThat(p.next(RetryContext.afterAttempt(1, FIRST), FIRST, random))
        .isEqualTo(new NextAttempt.Exhausted(NextAttempt.Reason.MAX_RETRIES, "attempt 1 failed and no retry is allowed"));
  }

  @Test
  void aTasksOwnAttemptBudgetOverridesThePolicysRetries() {
    RetryPolicy p = exact().fixed(Duration.ofSeconds(1)).maxRetries(2).build();
    assertThat(p.next(RetryContext.afterAttempt(4, FIRST).withMaxAttempts(5), FIRST, random).exhausted()).isFalse();
    assertThat(p.next(RetryContext.afterAttempt(5, FIRST).withMaxAttempts(5), FIRST, random).exhausted()).isTrue();
    assertThat(p.next(RetryContext.afterAttempt(1, FIRST).withMaxAttempts(1), FIRST, random).exhausted()).isTrue();
  }

  @Test
  void aRetryThatWouldStartAfterTheDeadlineIsNotScheduled() {
    RetryPolicy p = exact().fixed(Duration.ofSeconds(60)).maxRetries(10).deadline(Duration.ofMinutes(3)).build();
    RetryContext ctx = RetryContext.afterAttempt(3, FIRST);
    // 2 min in: the retry at 3 min is still in time (the deadline itself included)
    assertThat(p.next(ctx, FIRST.plusSeconds(120), random).exhausted()).isFalse();
    NextAttempt late = p.next(ctx, FIRST.plusSeconds(121), random);
    assertThat(late).isInstanceOfSatisfying(NextAttempt.Exhausted.class, e -> {
      assertThat(e.reason()).isEqualTo(NextAttempt.Reason.DEADLINE);
      assertThat(e.detail()).contains("retry 3", "2025-01-01T00:03:01Z", "deadline 2025-01-01T00:03:00Z",
          "3m after the first attempt");
    });
  }

  @Test
  void aRetryAfterHintRaisesTheDelayToAtLeastTheHintEvenBeyondTheCap() {
    RetryPolicy p = RetryPolicy.DEFAULT; // full jitter, first delay at most 1 s, cap 5 min
    for (int i = 0; i < 100; i++) {
      NextAttempt next = p.next(RetryContext.afterAttempt(1, FIRST).withRetryAfter(Duration.ofSeconds(120)), FIRST, random);
      assertThat(((NextAttempt.Scheduled) next).delay()).isEqualTo(Duration.ofSeconds(120));
    }
    NextAttempt beyondCap = p.next(RetryContext.afterAttempt(1, FIRST).withRetryAfter(Duration.ofMinutes(10)), FIRST, random);
    assertThat(((NextAttempt.Scheduled) beyondCap).delay()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void aRetryAfterHintShorterThanTheDelayChangesNothing() {
    RetryPolicy p = exact().fixed(Duration.ofSeconds(60)).build();
    NextAttempt next = p.next(RetryContext.afterAttempt(1, FIRST).withRetryAfter(Duration.ofSeconds(5)), FIRST, random);
    assertThat(((NextAttempt.Scheduled) next).delay()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aRetryAfterHintIsStillBoundByTheDeadline() {
    RetryPolicy p = exact().fixed(Duration.ofSeconds(1)).deadline(Duration.ofMinutes(1)).build();
    NextAttempt next = p.next(RetryContext.afterAttempt(1, FIRST).withRetryAfter(Duration.ofSeconds(120)), FIRST, random);
    assertThat(next).isInstanceOfSatisfying(NextAttempt.Exhausted.class,
        e -> assertThat(e.reason()).isEqualTo(NextAttempt.Reason.DEADLINE));
  }

  @Test
  void theTimeScaleMultipliesEveryDurationOfThePolicy() {
    RetryPolicy p = exact().exponential(Duration.ofSeconds(30), 2).maxRetries(3).maxDelay(Duration.ofMinutes(5))
        .deadline(Duration.ofMinutes(10)).attemptTimeout(Duration.ofSeconds(45)).build();
    RetryPolicy fast = p.scaled(0.01);
    assertThat(fast.nominalSchedule(3)).containsExactly(Duration.ofMillis(300), Duration.ofMillis(600),
        Duration.ofMillis(1200));
    assertThat(fast.maxDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(fast.deadline()).contains(Duration.ofSeconds(6));
    assertThat(fast.attemptTimeout()).contains(Duration.ofMillis(450));
    assertThat(fast.maxRetries()).isEqualTo(3);
    assertThat(((Backoff.Exponential) fast.backoff()).factor()).isEqualTo(2.0);
    assertThat(p.scaled(1.0)).isSameAs(p);
    assertThat(p.scaled(2).nominalDelay(1)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void aScaledDelayNeverRoundsDownToNothing() {
    RetryPolicy fast = exact().linear(Duration.ofMillis(10), Duration.ofMillis(5)).build().scaled(0.0001);
    assertThat(fast.nominalSchedule(2)).containsExactly(Duration.ofMillis(1), Duration.ofMillis(2));
    assertThat(exact().custom(Duration.ZERO, Duration.ofSeconds(1)).build().scaled(0.5).nominalSchedule(2))
        .containsExactly(Duration.ZERO, Duration.ofMillis(500));
  }

  @Test
  void aTimeScaleThatIsNotAPositiveNumberIsRefused() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> RetryPolicy.DEFAULT.scaled(bad)).isInstanceOfSatisfying(PolicyException.class,
          e -> assertThat(e.field()).isEqualTo("timeScale"));
    }
  }

  @Test
  void aDeterministicPolicyNeedsTheTaskIdAndADeadlineNeedsTheFirstAttempt() {
    RetryPolicy deterministic = RetryPolicy.builder().deterministic(true).build();
    assertThatThrownBy(() -> deterministic.next(RetryContext.afterAttempt(1, FIRST), FIRST, random))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("task id");
    RetryPolicy deadline = RetryPolicy.builder().deadline(Duration.ofMinutes(1)).build();
    assertThatThrownBy(() -> deadline.next(RetryContext.afterAttempt(1, null), FIRST, random))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first attempt");
  }

  @Test
  void aContextRefusesAnAttemptBeforeTheFirst() {
    assertThatThrownBy(() -> RetryContext.afterAttempt(0, FIRST)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attempt");
  }

  @Test
  void theLedgersProvisionalPolicyIsExponentialOneSecondDoublingCappedAtFiveMinutesWithFullJitter() {
    // what ledger.retry.* configures by default: 5 attempts per run = 4 retries
    RetryPolicy p = RetryPolicy.DEFAULT.toBuilder().maxRetries(4).build();
    RandomGenerator r = new SplittableRandom(5);
    for (int attempt = 1; attempt <= 4; attempt++) {
      long ceiling = 1000L << (attempt - 1);
      for (int i = 0; i < 500; i++) {
        NextAttempt next = p.next(RetryContext.afterAttempt(attempt, FIRST).withMaxAttempts(5), FIRST, r);
        assertThat(((NextAttempt.Scheduled) next).delay().toMillis()).isBetween(0L, ceiling);
      }
    }
    assertThat(p.next(RetryContext.afterAttempt(5, FIRST).withMaxAttempts(5), FIRST, r).exhausted()).isTrue();
    RetryPolicy capped = p.toBuilder().maxRetries(20).jitter(Jitter.NONE).build();
    assertThat(capped.nominalDelay(9)).isEqualTo(Duration.ofMillis(256_000));
    assertThat(capped.nominalDelay(10)).isEqualTo(Duration.ofMinutes(5));
  }
}
