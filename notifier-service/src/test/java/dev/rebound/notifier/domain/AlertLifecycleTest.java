package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class AlertLifecycleTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private static AlertEvent deadLetter(String task) {
    return AlertIntake.fromRebound(Map.of("kind", "dead-letter", "summary", "task dead", "stage", "tests",
        "task", task), T0);
  }

  @Test
  void aNewDedupKeyOpensAFiringAlertWithAHistoryEntry() {
    AlertLifecycle.Received r = AlertLifecycle.receive(Optional.empty(), deadLetter("t-1"), "a-1", T0);

    assertThat(r.change()).isEqualTo(AlertLifecycle.Change.OPENED);
    assertThat(r.alert().state()).isEqualTo(AlertState.FIRING);
    assertThat(r.alert().history()).singleElement().satisfies(h -> {
      assertThat(h.from()).isNull();
      assertThat(h.to()).isEqualTo(AlertState.FIRING);
      assertThat(h.by()).isEqualTo("rebound");
    });
  }

  @Test
  void aRepeatOfAnOpenAlertUpdatesItInsteadOfOpeningAnother() {
    Alert open = Alert.open("a-1", deadLetter("t-1"), T0);
    AlertLifecycle.Received r = AlertLifecycle.receive(Optional.of(open), deadLetter("t-1"), "a-2", T0.plusSeconds(5));

    assertThat(r.change()).isEqualTo(AlertLifecycle.Change.UPDATED);
    assertThat(r.alert().id()).isEqualTo("a-1");
    assertThat(r.alert().occurrences()).isEqualTo(2);
    assertThat(r.alert().lastSeenAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(r.alert().version()).isEqualTo(open.version() + 1);
  }

  @Test
  void acknowledgingThenResolvingRecordsWhoWhyAndWhen() {
    Alert a = Alert.open("a-1", deadLetter("t-1"), T0)
        .acknowledge("alice", "looking", T0.plusSeconds(60))
        .resolve("bob", "fixed the DNS", T0.plusSeconds(120));

    assertThat(a.state()).isEqualTo(AlertState.RESOLVED);
    assertThat(a.acknowledgedBy()).isEqualTo("alice");
    assertThat(a.resolvedAt()).isEqualTo(T0.plusSeconds(120));
    assertThat(a.history()).extracting(AlertHistoryEntry::to, AlertHistoryEntry::by, AlertHistoryEntry::reason)
        .containsExactly(
            Tuple.tuple(AlertState.FIRING, "rebound", "task dead"),
            Tuple.tuple(AlertState.ACKNOWLEDGED, "alice", "looking"),
            Tuple.tuple(AlertState.RESOLVED, "bob", "fixed the DNS"));
  }

  @Test
  void illegalTransitionsAreRefusedNamingTheCurrentState() {
    Alert acked = Alert.open("a-1", deadLetter("t-1"), T0).acknowledge("alice", null, T0);
    assertThatThrownBy(() -> acked.acknowledge("bob", null, T0))
        .isInstanceOfSatisfying(AlertTransitionException.class,
            e -> assertThat(e.current()).isEqualTo(AlertState.ACKNOWLEDGED));
    Alert resolved = acked.resolve("alice", null, T0);
    assertThatThrownBy(() -> resolved.resolve("bob", null, T0)).isInstanceOf(AlertTransitionException.class);
    assertThatThrownBy(() -> resolved.acknowledge("bob", null, T0)).hasMessageContaining("resolved");
  }

  @Test
  void anOperatorMustSayWhoActs() {
    Alert open = Alert.open("a-1", deadLetter("t-1"), T0);
    assertThatThrownBy(() -> open.acknowledge(" ", null, T0)).isInstanceOf(InvalidAlertException.class);
  }

  @Test
  void theTaskSucceedingResolvesItsDeadLetterAlertByItself() {
    Alert open = Alert.open("a-1", deadLetter("t-1"), T0);

    assertThat(AlertLifecycle.heal(open, new Healing.TaskSucceeded("t-2", null), T0)).isEmpty();
    Alert healed = AlertLifecycle.heal(open, new Healing.TaskSucceeded("t-1", null), T0.plusSeconds(9)).orElseThrow();

    assertThat(healed.state()).isEqualTo(AlertState.RESOLVED);
    assertThat(healed.history().get(1).reason()).isEqualTo("task t-1 succeeded");
    assertThat(healed.history().get(1).by()).isEqualTo("rebound");
  }

  @Test
  void anAcknowledgedAlertIsHealedToo() {
    Alert acked = Alert.open("a-1", deadLetter("t-1"), T0).acknowledge("alice", null, T0);
    assertThat(AlertLifecycle.heal(acked, new Healing.TaskSucceeded("t-1", null), T0)).isPresent();
  }

  @Test
  void aClosedCircuitResolvesOnlyItsOwnCircuitOpenAlert() {
    AlertEvent circuit = AlertIntake.fromRebound(Map.of("kind", "circuit-open", "summary", "open",
        "circuit", "stage:tests", "stage", "tests"), T0);
    Alert open = Alert.open("a-1", circuit, T0);

    assertThat(AlertLifecycle.heal(open, new Healing.CircuitClosed("stage:build"), T0)).isEmpty();
    assertThat(AlertLifecycle.heal(open, new Healing.CircuitClosed("stage:tests"), T0)).isPresent();
    assertThat(AlertLifecycle.heal(Alert.open("a-2", deadLetter("t-1"), T0),
        new Healing.CircuitClosed("stage:tests"), T0)).isEmpty();
  }

  @Test
  void anAlertmanagerAlertWhoseEndsAtPassedResolves() {
    AlertEvent firing = AlertIntake.fromAlertmanager(List.of(Map.of("labels", Map.of("alertname", "X"))), T0,
        Duration.ofMinutes(5)).get(0);
    Alert open = Alert.open("a-1", firing, T0);

    assertThat(AlertLifecycle.expire(open, T0.plusSeconds(299))).isEmpty();
    Alert ended = AlertLifecycle.expire(open, T0.plusSeconds(300)).orElseThrow();
    assertThat(ended.state()).isEqualTo(AlertState.RESOLVED);
    assertThat(ended.history().get(1).by()).isEqualTo("alertmanager");

    AlertEvent resolvedReport = AlertIntake.fromAlertmanager(List.of(Map.of("labels", Map.of("alertname", "X"),
        "endsAt", "2025-03-01T10:00:30Z")), T0.plusSeconds(60), Duration.ofMinutes(5)).get(0);
    AlertLifecycle.Received r = AlertLifecycle.receive(Optional.of(open), resolvedReport, "unused", T0.plusSeconds(60));
    assertThat(r.change()).isEqualTo(AlertLifecycle.Change.RESOLVED);
    assertThat(AlertLifecycle.receive(Optional.empty(), resolvedReport, "a-9", T0.plusSeconds(60)).change())
        .isEqualTo(AlertLifecycle.Change.IGNORED);
  }
}
