package dev.rebound.ledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.ledger.domain.StagePause.Change;
import dev.rebound.ledger.domain.StagePause.Ignored;
import dev.rebound.ledger.domain.StagePause.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StagePauseTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

  static StagePause.Verdict judge(String name, String to) {
    return StagePause.judge(name, to, CLOCK.instant(), "5 consecutive failures", null);
  }

  @Test
  void openOrForcedOpenPausesHalfOpenProbesClosedOrDisabledReleases() {
    assertThat(((Change) judge("stage:tests", "OPEN")).step()).isEqualTo(Step.PAUSE);
    assertThat(((Change) judge("stage:tests", "FORCED_OPEN")).step()).isEqualTo(Step.PAUSE);
    assertThat(((Change) judge("stage:tests", "HALF_OPEN")).step()).isEqualTo(Step.PROBE);
    assertThat(((Change) judge("stage:tests", "CLOSED")).step()).isEqualTo(Step.RELEASE);
    assertThat(((Change) judge("stage:tests", "DISABLED")).step()).isEqualTo(Step.RELEASE);
    assertThat(StagePause.after(Step.PAUSE)).isEqualTo(StagePause.State.PAUSED);
    assertThat(StagePause.after(Step.PROBE).holdsClaims()).isTrue();
    assertThat(StagePause.after(Step.RELEASE).holdsClaims()).isFalse();
  }

  @Test
  void aChangeNamesItsStageTimeAndWhoMadeIt() {
    Change byRules = (Change) judge("stage:pull-request", "OPEN");
    assertThat(byRules.stage()).isEqualTo("pull-request");
    assertThat(byRules.at()).isEqualTo(CLOCK.instant());
    assertThat(byRules.actor()).isEqualTo("circuit:stage:pull-request");
    assertThat(byRules.reason()).isEqualTo("circuit stage:pull-request is OPEN: 5 consecutive failures");
    Change byOperator = (Change) StagePause.judge("stage:tests", "forced_open", CLOCK.instant(), null, "alice");
    assertThat(byOperator.actor()).isEqualTo("alice");
    assertThat(byOperator.reason()).isEqualTo("circuit stage:tests is FORCED_OPEN");
  }

  @Test
  void circuitsOfAgentsAndDependenciesAndMalformedEventsAreIgnoredWithAReason() {
    assertThat(judge("agent:crawler", "OPEN")).isInstanceOf(Ignored.class);
    assertThat(((Ignored) judge("dependency:github", "OPEN")).why()).contains("does not pause a stage");
    assertThat(((Ignored) judge("tests", "OPEN")).why()).contains("unknown circuit name");
    assertThat(((Ignored) judge("stage:", "OPEN")).why()).contains("empty");
    assertThat(((Ignored) judge(null, "OPEN")).why()).contains("no circuit name");
    assertThat(((Ignored) judge("stage:tests", "PURPLE")).why()).contains("unknown circuit state");
    assertThat(((Ignored) StagePause.judge("stage:tests", "OPEN", null, null, null)).why()).contains("no time");
  }

  @Test
  void aPauseTakesOnlyChangesNewerThanTheLastItTook() {
    Instant last = CLOCK.instant();
    assertThat(StagePause.takes(null, last)).isTrue();
    assertThat(StagePause.takes(last, last)).as("a repeat").isFalse();
    assertThat(StagePause.takes(last, last.minusMillis(1))).as("late").isFalse();
    assertThat(StagePause.takes(last, last.plusMillis(1))).isTrue();
  }

  @Test
  void aReleaseStepMovesTheRateOverItsIntervalAndAtLeastOne() {
    assertThat(StagePause.releaseBatch(50, Duration.ofSeconds(1))).isEqualTo(50);
    assertThat(StagePause.releaseBatch(50, Duration.ofMillis(200))).isEqualTo(10);
    assertThat(StagePause.releaseBatch(1, Duration.ofMillis(100))).isEqualTo(1);
  }
}
