package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupTimersTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  private final RoutingTree tree = NotifierPolicy.fromMap("notifier", RoutingTreeTest.issueExample(), p -> "k").routing();

  private static AlertEvent alert(String task, Instant at) {
    return AlertIntake.fromRebound(Map.of("kind", "dead-letter", "summary", "x", "stage", "tests", "task", task), at);
  }

  private RouteMatch match(AlertEvent e) {
    return tree.match(e.labels()).get(0);
  }

  @Test
  void theFirstNotificationWaitsGroupWaitAndCarriesEveryAlertThatArrivedMeanwhile() {
    AlertEvent a = alert("t-1", T0);
    RouteMatch m = match(a);
    AggregationGroup g = GroupTimers.add(Optional.empty(), m, a, T0);
    g = GroupTimers.add(Optional.of(g), m, alert("t-2", T0.plusSeconds(10)), T0.plusSeconds(10));

    assertThat(GroupTimers.flush(g, m.route(), T0.plusSeconds(29), false).notification()).isEmpty();
    GroupTimers.Flush f = GroupTimers.flush(g, m.route(), T0.plusSeconds(30), false);

    assertThat(f.notification()).get().satisfies(n -> {
      assertThat(n.firing()).containsExactlyInAnyOrder("dead-letter:t-1", "dead-letter:t-2");
      assertThat(n.groupKey()).isEqualTo("{}/{kind=\"dead-letter\"}:{stage=\"tests\"}");
    });
    assertThat(f.next().nextFlushAt()).isEqualTo(T0.plusSeconds(30).plus(Duration.ofMinutes(5)));
  }

  @Test
  void aRepeatOfTheSameAlertNeverNotifiesTwiceUntilRepeatInterval() {
    AlertEvent a = alert("t-1", T0);
    RouteMatch m = match(a);
    AggregationGroup g = GroupTimers.flush(GroupTimers.add(Optional.empty(), m, a, T0), m.route(),
        T0.plusSeconds(30), false).next();

    g = GroupTimers.add(Optional.of(g), m, alert("t-1", T0.plusSeconds(60)), T0.plusSeconds(60));
    Instant tick = g.nextFlushAt();
    GroupTimers.Flush f = GroupTimers.flush(g, m.route(), tick, false);
    assertThat(f.notification()).isEmpty();

    Instant afterRepeat = T0.plusSeconds(30).plus(Duration.ofHours(4));
    GroupTimers.Flush repeat = GroupTimers.flush(f.next(), m.route(), afterRepeat, false);
    assertThat(repeat.notification()).get().satisfies(n -> assertThat(n.repeat()).isTrue());
  }

  @Test
  void aNewAlertInAFlushedGroupGoesOutAtTheNextGroupInterval() {
    AlertEvent a = alert("t-1", T0);
    RouteMatch m = match(a);
    AggregationGroup g = GroupTimers.flush(GroupTimers.add(Optional.empty(), m, a, T0), m.route(),
        T0.plusSeconds(30), false).next();
    g = GroupTimers.add(Optional.of(g), m, alert("t-2", T0.plusSeconds(40)), T0.plusSeconds(40));

    assertThat(GroupTimers.flush(g, m.route(), T0.plusSeconds(60), false).notification()).isEmpty();
    assertThat(GroupTimers.flush(g, m.route(), T0.plusSeconds(330), false).notification()).get()
        .satisfies(n -> assertThat(n.firing()).contains("dead-letter:t-2"));
  }

  @Test
  void resolvedAlertsAreToldOnceAndThenLeaveTheGroup() {
    AlertEvent a = alert("t-1", T0);
    RouteMatch m = match(a);
    AggregationGroup g = GroupTimers.flush(GroupTimers.add(Optional.empty(), m, a, T0), m.route(),
        T0.plusSeconds(30), false).next();
    g = GroupTimers.resolve(g, "dead-letter:t-1");

    GroupTimers.Flush f = GroupTimers.flush(g, m.route(), g.nextFlushAt(), false);

    assertThat(f.notification()).get().satisfies(n -> {
      assertThat(n.firing()).isEmpty();
      assertThat(n.resolved()).containsExactly("dead-letter:t-1");
    });
    assertThat(f.next()).as("an empty group is deleted").isNull();
  }

  @Test
  void anAlertResolvedBeforeItsFirstNotificationIsNeverSent() {
    AlertEvent a = alert("t-1", T0);
    RouteMatch m = match(a);
    AggregationGroup g = GroupTimers.resolve(GroupTimers.add(Optional.empty(), m, a, T0), "dead-letter:t-1");

    GroupTimers.Flush f = GroupTimers.flush(g, m.route(), T0.plusSeconds(30), false);

    assertThat(f.notification()).isEmpty();
    assertThat(f.next()).isNull();
  }

  @Test
  void anAlertOlderThanGroupWaitIsSentAtTheFirstFlushWithoutWaiting() {
    AlertEvent old = alert("t-1", T0.minusSeconds(120));
    RouteMatch m = match(old);

    AggregationGroup g = GroupTimers.add(Optional.empty(), m, old, T0);

    assertThat(g.nextFlushAt()).isEqualTo(T0);
  }

  @Test
  void aMutedRouteSendsNothingAndTellsTheChangeAfterTheMute() {
    AlertEvent a = alert("t-1", T0);
    RouteMatch m = match(a);
    AggregationGroup g = GroupTimers.add(Optional.empty(), m, a, T0);

    GroupTimers.Flush muted = GroupTimers.flush(g, m.route(), T0.plusSeconds(30), true);
    assertThat(muted.notification()).isEmpty();
    assertThat(GroupTimers.flush(muted.next(), m.route(), muted.next().nextFlushAt(), false).notification()).isPresent();
  }

  @Test
  void aStormOfOneGroupBecomesOneDigestListingEachAlertOnce() {
    GroupNotification n = new GroupNotification("g", "r", Map.of(), Set.of(), Set.of(), false);
    AlertView a1 = AlertView.of(Alert.open("a-1", alert("t-1", T0), T0));
    AlertView a1resolved = AlertView.of(Alert.open("a-1", alert("t-1", T0), T0).resolve("x", null, T0));
    AlertView a2 = AlertView.of(Alert.open("a-2", alert("t-2", T0), T0));
    DigestPolicy policy = DigestPolicy.DEFAULT;

    assertThat(policy.digest(3, false)).isFalse();
    assertThat(policy.digest(6, false)).isTrue();
    assertThat(policy.digest(2, true)).isTrue();
    GroupNotification.Message merged = policy.merge(List.of(n.with(List.of(a1), List.of(), false),
        n.with(List.of(a2), List.of(), false), n.with(List.of(), List.of(a1resolved), false)));

    assertThat(merged.digest()).isTrue();
    assertThat(merged.firing()).extracting(AlertView::id).containsExactly("a-2");
    assertThat(merged.resolved()).extracting(AlertView::id).containsExactly("a-1");
  }
}
