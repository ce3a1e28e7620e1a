package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private final CircuitBreaker breaker = CircuitBreaker.ofDefaults();

  private CircuitSnapshot failTimes(CircuitBreaker b, CircuitSnapshot s, int n, Instant at) {
    for (int i = 0; i < n; i++) {
      s = b.onFailure(s, at, "timeout").snapshot();
    }
    return s;
  }

  @Test
  void fiveConsecutiveFailuresOpenTheCircuitForThirtySeconds() {
    CircuitSnapshot s = failTimes(breaker, CircuitSnapshot.closed("stage:tests", T0), 4, T0);
    assertThat(s.state()).isEqualTo(CircuitState.CLOSED);

    CircuitBreaker.Step step = breaker.onFailure(s, T0, "timeout");

    assertThat(step.snapshot().state()).isEqualTo(CircuitState.OPEN);
    assertThat(step.snapshot().openUntil()).isEqualTo(T0.plusSeconds(30));
    assertThat(step.transitions()).singleElement().satisfies(t -> {
      assertThat(t.from()).isEqualTo(CircuitState.CLOSED);
      assertThat(t.to()).isEqualTo(CircuitState.OPEN);
      assertThat(t.reason()).contains("5 consecutive failures");
      assertThat(t.alert()).isTrue();
    });
  }

  @Test
  void aSuccessResetsTheConsecutiveCount() {
    CircuitSnapshot s = failTimes(breaker, CircuitSnapshot.closed("stage:tests", T0), 4, T0);
    s = breaker.onSuccess(s, T0).snapshot();
    s = failTimes(breaker, s, 4, T0);

    assertThat(s.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aFailureRateOverTheWindowOpensTheCircuitOnceTheMinimumNumberOfCallsIsReached() {
    CircuitBreaker b = CircuitBreaker.of(CircuitConfig.builder().failureThreshold(0).failureRateThreshold(0.5)
        .slidingWindowSize(10).minimumCalls(10).build());
    CircuitSnapshot s = CircuitSnapshot.closed("dependency:github", T0);
    for (int i = 0; i < 9; i++) {
      s = i % 2 == 0 ? b.onFailure(s, T0, "502").snapshot() : b.onSuccess(s, T0).snapshot();
    }
    assertThat(s.state()).isEqualTo(CircuitState.CLOSED);

    CircuitBreaker.Step step = b.onSuccess(s, T0);
    assertThat(step.snapshot().state()).isEqualTo(CircuitState.CLOSED);
    step = b.onFailure(step.snapshot(), T0, "502");

    assertThat(step.snapshot().state()).isEqualTo(CircuitState.OPEN);
    assertThat(step.transitions().get(0).reason()).contains("failure rate 50 % over the last 10 calls");
  }

  @Test
  void aCountBasedWindowKeepsOnlyItsLastCalls() {
    CircuitBreaker b = CircuitBreaker.of(CircuitConfig.builder().failureThreshold(0).failureRateThreshold(0.5)
        .slidingWindowSize(10).minimumCalls(10).build());
    CircuitSnapshot s = failTimes(b, CircuitSnapshot.closed("stage:tests", T0), 4, T0);
    for (int i = 0; i < 12; i++) {
      s = b.onSuccess(s, T0).snapshot();
    }
    assertThat(s.window().calls()).isEqualTo(10);
    assertThat(s.window().failures()).isZero();

    s = failTimes(b, s, 4, T0);
    assertThat(s.window().failures()).isEqualTo(4);
    assertThat(s.state()).isEqualTo(CircuitState.CLOSED);
    s = b.onFailure(s, T0, "x").snapshot();

    assertThat(s.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aTimeBasedWindowForgetsCallsOlderThanItsDuration() {
    CircuitBreaker b = CircuitBreaker.of(CircuitConfig.builder().failureThreshold(0).failureRateThreshold(0.5)
        .slidingWindowType(SlidingWindow.Type.TIME_BASED).slidingWindowDuration(Duration.ofSeconds(10)).minimumCalls(4)
        .build());
    CircuitSnapshot s = failTimes(b, CircuitSnapshot.closed("agent:scraper", T0), 3, T0);
    s = b.onSuccess(s, T0.plusSeconds(20)).snapshot();
    s = b.onSuccess(s, T0.plusSeconds(20)).snapshot();
    s = b.onFailure(s, T0.plusSeconds(20), "x").snapshot();

    assertThat(s.window().calls()).isEqualTo(3);
    assertThat(s.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void afterTheOpenTimeOneProbeIsAdmittedAndItsSuccessClosesTheCircuit() {
    CircuitSnapshot open = failTimes(breaker, CircuitSnapshot.closed("stage:tests", T0), 5, T0);
    assertThat(breaker.tryProbe(open, T0.plusSeconds(29)).permitted()).isFalse();

    CircuitBreaker.Step probe = breaker.tryProbe(open, T0.plusSeconds(30));
    assertThat(probe.permitted()).isTrue();
    assertThat(probe.snapshot().state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(breaker.tryProbe(probe.snapshot(), T0.plusSeconds(31)).permitted()).isFalse();

    CircuitBreaker.Step closed = breaker.onSuccess(probe.snapshot(), T0.plusSeconds(40));
    assertThat(closed.snapshot().state()).isEqualTo(CircuitState.CLOSED);
    assertThat(closed.transitions()).singleElement().satisfies(t -> assertThat(t.alert()).isTrue());
  }

  @Test
  void aFailedProbeReopensTheCircuitForLongerWhenGrowthIsConfigured() {
    CircuitBreaker b = CircuitBreaker.of(CircuitConfig.builder().openDurationMultiplier(2)
        .maxOpenDuration(Duration.ofSeconds(90)).build());
    CircuitSnapshot s = failTimes(b, CircuitSnapshot.closed("stage:tests", T0), 5, T0);
    Instant t = T0;
    Duration[] expected = {Duration.ofSeconds(60), Duration.ofSeconds(90), Duration.ofSeconds(90)};
    for (Duration d : expected) {
      t = s.openUntil();
      s = b.refresh(s, t).snapshot();
      assertThat(s.state()).isEqualTo(CircuitState.HALF_OPEN);
      s = b.onFailure(s, t, "probe timed out").snapshot();
      assertThat(s.state()).isEqualTo(CircuitState.OPEN);
      assertThat(Duration.between(t, s.openUntil())).isEqualTo(d);
    }
  }

  @Test
  void halfOpenClosesOnlyAfterTheSuccessThresholdOfProbes() {
    CircuitBreaker b = CircuitBreaker.of(CircuitConfig.builder().halfOpenProbes(3).successThreshold(2).build());
    CircuitSnapshot s = b.refresh(failTimes(b, CircuitSnapshot.closed("stage:tests", T0), 5, T0), T0.plusSeconds(30))
        .snapshot();
    s = b.onSuccess(s, T0.plusSeconds(31)).snapshot();
    assertThat(s.state()).isEqualTo(CircuitState.HALF_OPEN);
    s = b.onSuccess(s, T0.plusSeconds(32)).snapshot();
    assertThat(s.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void operatorsForceOpenCloseDisableAndResetAndEachTransitionNamesTheActor() {
    CircuitSnapshot s = CircuitSnapshot.closed("stage:tests", T0);

    CircuitBreaker.Step forced = breaker.forceOpen(s, T0, "alice", null);
    assertThat(forced.snapshot().state()).isEqualTo(CircuitState.FORCED_OPEN);
    assertThat(forced.transitions().get(0).actor()).isEqualTo("alice");
    // a forced-open circuit neither half-opens by itself nor counts
    assertThat(breaker.refresh(forced.snapshot(), T0.plus(Duration.ofDays(1))).snapshot().state())
        .isEqualTo(CircuitState.FORCED_OPEN);

    CircuitSnapshot disabled = breaker.disable(forced.snapshot(), T0, "bob", null).snapshot();
    assertThat(failTimes(breaker, disabled, 50, T0).state()).isEqualTo(CircuitState.DISABLED);

    assertThat(breaker.close(disabled, T0, "bob", null).snapshot().state()).isEqualTo(CircuitState.CLOSED);
    CircuitSnapshot reset = breaker.reset(failTimes(breaker, s, 5, T0), T0, "carol", "fixed upstream").snapshot();
    assertThat(reset.state()).isEqualTo(CircuitState.CLOSED);
    assertThat(reset.opens()).isZero();
    assertThat(reset.reason()).isEqualTo("fixed upstream");
  }

  @Test
  void everyChangeIncrementsTheVersionSoSharedDataCanCompareAndSet() {
    CircuitSnapshot s = CircuitSnapshot.closed("stage:tests", T0);
    CircuitSnapshot after = breaker.onFailure(s, T0, "x").snapshot();

    assertThat(after.version()).isEqualTo(s.version() + 1);
    assertThat(breaker.refresh(after, T0).snapshot()).isSameAs(after);
  }

  @Test
  void circuitNamesParseAndPrintAsKindColonValue() {
    assertThat(CircuitName.parse("dependency:github").kind()).isEqualTo(CircuitName.Kind.DEPENDENCY);
    assertThat(CircuitName.stage("pull-request").toString()).isEqualTo("stage:pull-request");
    Assertions.assertThatThrownBy(() -> CircuitName.parse("queue:x"))
        .hasMessageContaining("stage:<stage>");
  }
}
