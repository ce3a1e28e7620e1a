package dev.rebound.common.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in stage policies have their documented figures, and configuration overrides them by stage. */
class StagePoliciesTest {
  final StagePolicies builtIn = StagePolicies.builtIn();

  static List<Long> seconds(RetryPolicy p) {
    return p.nominalSchedule(100).stream().map(Duration::toSeconds).toList();
  }

  @Test
  void theRepositoryStageRetriesThreeTimesAfter30And60And120Seconds() {
    RetryPolicy p = builtIn.forStage("repository");
    assertThat(p.backoff().kind()).isEqualTo(Backoff.Kind.EXPONENTIAL);
    assertThat(seconds(p)).containsExactly(30L, 60L, 120L);
  }

  @Test
  void theAnalysisStageRetriesTwiceAfterAFixedMinute() {
    RetryPolicy p = builtIn.forStage("analysis");
    assertThat(p.backoff().kind()).isEqualTo(Backoff.Kind.FIXED);
    assertThat(seconds(p)).containsExactly(60L, 60L);
  }

  @Test
  void theTestsStageRetriesTwiceLinearlyAfter30And60Seconds() {
    RetryPolicy p = builtIn.forStage("tests");
    assertThat(p.backoff().kind()).isEqualTo(Backoff.Kind.LINEAR);
    assertThat(seconds(p)).containsExactly(30L, 60L);
  }

  @Test
  void theCoverageStageRetriesTwiceAfter30And60Seconds() {
    RetryPolicy p = builtIn.forStage("coverage");
    assertThat(p.backoff().kind()).isEqualTo(Backoff.Kind.EXPONENTIAL);
    assertThat(seconds(p)).containsExactly(30L, 60L);
  }

  @Test
  void thePullRequestStageRetriesThreeTimesAfter30And60And120Seconds() {
    RetryPolicy p = builtIn.forStage("pull-request");
    assertThat(p.backoff().kind()).isEqualTo(Backoff.Kind.EXPONENTIAL);
    assertThat(seconds(p)).containsExactly(30L, 60L, 120L);
  }

  @Test
  void theNamedStagesUseEqualJitterAndEveryOtherStageTheFullJitterDefault() {
    assertThat(builtIn.named()).containsOnlyKeys("repository", "analysis", "tests", "coverage", "pull-request");
    builtIn.named().values().forEach(p -> assertThat(p.jitter()).isEqualTo(Jitter.EQUAL));
    assertThat(builtIn.forStage("deploy")).isSameAs(RetryPolicy.DEFAULT).isSameAs(builtIn.fallback());
    assertThat(seconds(builtIn.forStage("deploy"))).containsExactly(1L, 2L, 4L, 8L, 16L);
    assertThat(builtIn.forStage("deploy").jitter()).isEqualTo(Jitter.FULL);
  }

  @Test
  void configurationOverridesANamedStageFieldByFieldAndAddsNewStages() {
    StagePolicies p = builtIn.withOverrides("retry.policies", Map.of(
        "tests", Map.of("max-retries", "3"),
        "scrape", Map.of("backoff", "fixed", "interval", "5s", "maxRetries", "10")));
    assertThat(seconds(p.forStage("tests"))).containsExactly(30L, 60L, 90L);
    assertThat(p.forStage("tests").jitter()).isEqualTo(Jitter.EQUAL);
    assertThat(seconds(p.forStage("scrape"))).hasSize(10).containsOnly(5L);
    assertThat(p.forStage("scrape").jitter()).isEqualTo(Jitter.FULL); // inherited from the fallback
    assertThat(p.forStage("repository")).isEqualTo(builtIn.forStage("repository"));
    assertThat(builtIn.forStage("scrape")).isSameAs(RetryPolicy.DEFAULT); // the original is unchanged
  }

  @Test
  void aBadOverrideIsRefusedNamingTheStageAndTheField() {
    assertThatThrownBy(() -> builtIn.withOverrides("retry.policies", Map.of("tests", Map.of("factor", "2"))))
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("retry.policies.tests.factor"))
        .hasMessageContaining("not a parameter of linear backoff");
    assertThatThrownBy(() -> builtIn.withOverrides("retry.policies", Map.of("tests", "fast")))
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("retry.policies.tests"))
        .hasMessageContaining("must be a map of policy fields");
  }

  @Test
  void theTimeScaleAppliesToEveryStageAndTheFallback() {
    StagePolicies fast = builtIn.scaled(0.001);
    assertThat(fast.forStage("repository").nominalSchedule(3))
        .containsExactly(Duration.ofMillis(30), Duration.ofMillis(60), Duration.ofMillis(120));
    assertThat(fast.forStage("anything").nominalSchedule(1)).containsExactly(Duration.ofMillis(1));
  }

  @Test
  void theStagePoliciesListEveryStageAndTheFallbackAsJson() {
    var json = builtIn.toJson();
    assertThat(json.getJsonObject("stages").fieldNames())
        .containsExactlyInAnyOrder("repository", "analysis", "tests", "coverage", "pull-request");
    assertThat(json.getJsonObject("stages").getJsonObject("tests").getString("backoff")).isEqualTo("linear");
    assertThat(RetryPolicy.fromJson(json.getJsonObject("fallback"))).isEqualTo(RetryPolicy.DEFAULT);
  }
}
