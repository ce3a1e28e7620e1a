package dev.rebound.ledger.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.LedgerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ledger's provisional retry: exponential 1 s × 2^n, cap 5 min, 5 attempts per run, full jitter. */
class ProvisionalRetryTest {
  static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static LedgerConfig config(Map<String, String> settings) {
    return LedgerConfig.from(Settings.empty().withOverrides(settings));
  }

  @Test
  void theDefaultConfigurationIsTheLedgersDefaultPolicy() {
    RetryPolicy p = config(Map.of()).defaultPolicy();
    assertThat(p).isEqualTo(ProvisionalRetry.DEFAULT_POLICY);
    assertThat(p.maxAttempts()).isEqualTo(5);
    assertThat(p.jitter()).isEqualTo(Jitter.FULL);
    assertThat(p.nominalSchedule(4)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(4), Duration.ofSeconds(8));
  }

  @Test
  void aFailedAttemptIsRetriedAfterTheSameJitteredDelayAsBeforeThePolicyPackage() {
    // the former BackoffPolicy: ceiling = min(1 s × 2^(n-1), 5 min), delay = random.nextLong(ceiling + 1)
    ProvisionalRetry retry = new ProvisionalRetry(ProvisionalRetry.DEFAULT_POLICY.toBuilder().maxRetries(30).build(),
        CLOCK, new SplittableRandom(99));
    SplittableRandom former = new SplittableRandom(99);
    for (int attempt = 1; attempt < 30; attempt++) {
      long ceiling = (long) Math.min(1000 * Math.pow(2, attempt - 1), 300_000);
      ProvisionalRetry.Outcome o = retry.afterFailure(attempt, 0, 30);
      assertThat(o.state()).isEqualTo(TaskState.RETRY);
      assertThat(o.runAfter()).isEqualTo(NOW.plusMillis(former.nextLong(ceiling + 1)));
    }
  }

  @Test
  void theLastAttemptOfARunIsDeadLetteredAtOnce() {
    ProvisionalRetry retry = new ProvisionalRetry(ProvisionalRetry.DEFAULT_POLICY, CLOCK, new SplittableRandom(1));
    assertThat(retry.afterFailure(4, 0, 5).state()).isEqualTo(TaskState.RETRY);
    assertThat(retry.afterFailure(5, 0, 5)).isEqualTo(new ProvisionalRetry.Outcome(TaskState.FAILED, NOW));
  }

  @Test
  void theTasksOwnAttemptBudgetAndItsRedriveBaseDecide() {
    ProvisionalRetry retry = new ProvisionalRetry(ProvisionalRetry.DEFAULT_POLICY, CLOCK, new SplittableRandom(1));
    assertThat(retry.afterFailure(1, 0, 1).state()).isEqualTo(TaskState.FAILED);
    assertThat(retry.afterFailure(7, 0, 10).state()).isEqualTo(TaskState.RETRY);
    // redriven after 5 attempts: attempt 7 is the second of the new run
    assertThat(retry.afterFailure(7, 5, 2).state()).isEqualTo(TaskState.FAILED);
    assertThat(retry.afterFailure(6, 5, 2).state()).isEqualTo(TaskState.RETRY);
  }

  @Test
  void noJitterWaitsTheConfiguredBaseExactly() {
    LedgerConfig c = config(Map.of("ledger.retry.base", "1h", "ledger.retry.cap", "2h", "ledger.retry.jitter", "none",
        "ledger.retry.max-attempts", "2"));
    ProvisionalRetry retry = new ProvisionalRetry(c.defaultPolicy(), CLOCK, new SplittableRandom(1));
    assertThat(retry.afterFailure(1, 0, 2)).isEqualTo(new ProvisionalRetry.Outcome(TaskState.RETRY, NOW.plusSeconds(3600)));
    assertThat(retry.afterFailure(2, 0, 2).state()).isEqualTo(TaskState.FAILED);
  }

  @Test
  void anInvalidRetrySettingIsRefusedNamingItsKey() {
    assertThatThrownBy(() -> config(Map.of("ledger.retry.multiplier", "0.5")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("ledger.retry.multiplier"))
        .hasMessageContaining("between 1 and 100");
    assertThatThrownBy(() -> config(Map.of("ledger.retry.base", "10m", "ledger.retry.cap", "1m")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("ledger.retry.cap"));
    assertThatThrownBy(() -> config(Map.of("ledger.retry.jitter", "sometimes")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("ledger.retry.jitter"))
        .hasMessageContaining("none, full, equal, decorrelated");
  }
}
