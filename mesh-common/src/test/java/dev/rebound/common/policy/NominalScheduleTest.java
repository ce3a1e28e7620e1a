package dev.rebound.common.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delays before jitter each backoff kind produces, with the cap and the retry limit. */
class NominalScheduleTest {

  static List<Long> millis(List<Duration> ds) {
    return ds.stream().map(Duration::toMillis).toList();
  }

  static RetryPolicy.Builder many() {
    return RetryPolicy.builder().maxRetries(10).maxDelay(Duration.ofHours(1)).jitter(Jitter.NONE);
  }

  @Test
  void exponentialBackoffMultipliesTheBaseByTheFactorEachRetry() {
    RetryPolicy p = many().exponential(Duration.ofSeconds(1), 2).build();
    assertThat(millis(p.nominalSchedule(6))).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 32000L);
  }

  @Test
  void exponentialBackoffAcceptsAFractionalFactor() {
    RetryPolicy p = many().exponential(Duration.ofMillis(100), 1.5).build();
    assertThat(millis(p.nominalSchedule(4))).containsExactly(100L, 150L, 225L, 337L);
  }

  @Test
  void linearBackoffAddsTheIncrementEachRetry() {
    RetryPolicy p = many().linear(Duration.ofSeconds(30), Duration.ofSeconds(15)).build();
    assertThat(millis(p.nominalSchedule(4))).containsExactly(30_000L, 45_000L, 60_000L, 75_000L);
  }

  @Test
  void fixedBackoffWaitsTheSameIntervalEveryTime() {
    RetryPolicy p = many().fixed(Duration.ofSeconds(60)).build();
    assertThat(millis(p.nominalSchedule(3))).containsExactly(60_000L, 60_000L, 60_000L);
  }

  @Test
  void customBackoffFollowsItsListAndRepeatsTheLastDelayPastTheEnd() {
    RetryPolicy p = many().custom(Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(45)).build();
    assertThat(millis(p.nominalSchedule(5))).containsExactly(5000L, 0L, 45_000L, 45_000L, 45_000L);
  }

  @Test
  void theCapBoundsEveryNominalDelay() {
    RetryPolicy p = many().exponential(Duration.ofSeconds(1), 10).maxDelay(Duration.ofSeconds(30)).build();
    assertThat(millis(p.nominalSchedule(4))).containsExactly(1000L, 10_000L, 30_000L, 30_000L);
    assertThat(p.nominalDelay(1000)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theScheduleStopsAtTheLastRetryThePolicyAllows() {
    RetryPolicy p = RetryPolicy.builder().fixed(Duration.ofSeconds(1)).maxRetries(2).build();
    assertThat(p.nominalSchedule(10)).hasSize(2);
    assertThat(p.nominalSchedule(0)).isEmpty();
    assertThat(RetryPolicy.builder().maxRetries(0).build().nominalSchedule(3)).isEmpty();
  }

  @Test
  void aNegativeNumberOfRetriesIsRefused() {
    assertThatThrownBy(() -> RetryPolicy.DEFAULT.nominalSchedule(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retries");
  }

  @Test
  void theDefaultPolicyIsOneTwoFourEightSixteenSecondsWithFullJitter() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertThat(millis(p.nominalSchedule(100))).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L);
    assertThat(p.jitter()).isEqualTo(Jitter.FULL);
    assertThat(p.maxRetries()).isEqualTo(5);
    assertThat(p.maxAttempts()).isEqualTo(6);
    assertThat(p.maxDelay()).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.deadline()).isEmpty();
    assertThat(p.attemptTimeout()).isEmpty();
    assertThat(p.deterministic()).isFalse();
  }

  @Test
  void aHugeRetryNumberSaturatesAtTheCapInsteadOfOverflowing() {
    RetryPolicy exp = many().exponential(Duration.ofDays(1), 100).maxDelay(Duration.ofDays(365)).build();
    RetryPolicy lin = many().linear(Duration.ofDays(1), Duration.ofDays(300)).maxDelay(Duration.ofDays(365)).build();
    assertThat(exp.nominalDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(365));
    assertThat(lin.nominalDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(365));
  }
}
