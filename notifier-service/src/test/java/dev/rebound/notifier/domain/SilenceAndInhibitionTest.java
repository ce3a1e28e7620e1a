package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SilenceAndInhibitionTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private static Silence silence(String matcher) {
    return new Silence("s-1", List.of(LabelMatcher.parse("m", matcher)), T0, T0.plusSeconds(3600), "alice",
        "deploying");
  }

  @Test
  void aSilenceIsPendingThenActiveThenExpired() {
    Silence s = silence("stage=\"tests\"");

    assertThat(s.state(T0.minusSeconds(1))).isEqualTo(Silence.State.PENDING);
    assertThat(s.state(T0)).isEqualTo(Silence.State.ACTIVE);
    assertThat(s.state(T0.plusSeconds(3600))).isEqualTo(Silence.State.EXPIRED);
  }

  @Test
  void anActiveSilenceMutesOnlyMatchingAlerts() {
    Silence s = silence("stage=\"tests\"");

    assertThat(s.mutes(Map.of("stage", "tests"), T0.plusSeconds(1))).isTrue();
    assertThat(s.mutes(Map.of("stage", "build"), T0.plusSeconds(1))).isFalse();
    assertThat(s.mutes(Map.of("stage", "tests"), T0.minusSeconds(1))).isFalse();
  }

  @Test
  void expiringASilenceEndsItNow() {
    Silence expired = silence("stage=\"tests\"").expire(T0.plusSeconds(60));

    assertThat(expired.state(T0.plusSeconds(60))).isEqualTo(Silence.State.EXPIRED);
    assertThat(expired.endsAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(silence("stage=\"tests\"").expire(T0.minusSeconds(60)).state(T0.minusSeconds(60)))
        .isEqualTo(Silence.State.EXPIRED);
  }

  @Test
  void aSilenceMustSayWhoWhyAndMustNotMatchEverything() {
    assertThatThrownBy(() -> silence("stage=~\".*\"")).isInstanceOfSatisfying(InvalidAlertException.class,
        e -> assertThat(e.field()).isEqualTo("matchers"));
    assertThatThrownBy(() -> new Silence("s", List.of(LabelMatcher.parse("m", "a=\"b\"")), T0, T0.plusSeconds(1),
        "alice", " ")).isInstanceOfSatisfying(InvalidAlertException.class,
        e -> assertThat(e.field()).isEqualTo("comment"));
    assertThatThrownBy(() -> new Silence("s", List.of(LabelMatcher.parse("m", "a=\"b\"")), T0, T0, "alice", "x"))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("endsAt"));
  }

  @Test
  void anOpenCircuitInhibitsDeadLettersOfTheSameStageOnly() {
    InhibitionRule rule = InhibitionRule.openCircuitInhibitsDeadLetters();
    List<Map<String, String>> firing = List.of(Map.of("kind", "circuit-open", "stage", "tests"));

    assertThat(rule.inhibits(Map.of("kind", "dead-letter", "stage", "tests"), firing)).isTrue();
    assertThat(rule.inhibits(Map.of("kind", "dead-letter", "stage", "build"), firing)).isFalse();
    assertThat(rule.inhibits(Map.of("kind", "circuit-open", "stage", "tests"), firing)).isFalse();
    assertThat(rule.inhibits(Map.of("kind", "dead-letter", "stage", "tests"), List.of())).isFalse();
  }

  @Test
  void anAlertMatchingBothSidesDoesNotInhibitItself() {
    InhibitionRule rule = new InhibitionRule(List.of(LabelMatcher.parse("s", "severity=\"critical\"")),
        List.of(LabelMatcher.parse("t", "team=\"db\"")), List.of("team"));
    Map<String, String> both = Map.of("severity", "critical", "team", "db");

    assertThat(rule.inhibits(both, List.of(both))).isFalse();
    assertThat(rule.inhibits(Map.of("severity", "warning", "team", "db"), List.of(both))).isTrue();
  }

  @Test
  void theDefaultInhibitionAppliesUnlessConfigurationGivesRules() {
    NotifierPolicy defaults = NotifierPolicy.fromMap("notifier", RoutingTreeTest.issueExample(), p -> "k");
    assertThat(defaults.inhibitions()).containsExactly(InhibitionRule.openCircuitInhibitsDeadLetters());

    Map<String, Object> section = new HashMap<>(RoutingTreeTest.issueExample());
    section.put("inhibit-rules", List.of(Map.of("source-matchers", List.of("kind=\"x\""),
        "target-matchers", List.of("kind=\"y\""), "equal", List.of("stage"))));
    assertThat(NotifierPolicy.fromMap("notifier", section, p -> "k").inhibitions()).singleElement()
        .satisfies(r -> assertThat(r.equal()).containsExactly("stage"));
  }
}
