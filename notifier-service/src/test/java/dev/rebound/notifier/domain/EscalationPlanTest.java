package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EscalationPlanTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private final EscalationPlan plan = EscalationPlan.builder()
      .step(Duration.ofMinutes(5), List.of("oncall"))
      .step(Duration.ofMinutes(10), List.of("manager"))
      .repeatInterval(Duration.ofMinutes(30)).maxRepeats(2).decay(2).build();

  private final Alert alert = Alert.open("a-1", AlertIntake.fromRebound(Map.of("kind", "dead-letter",
      "summary", "x", "task", "t"), T0), T0);

  private static Set<EscalationPlan.StepId> fire(Set<EscalationPlan.StepId> fired, EscalationPlan.DueStep s) {
    Set<EscalationPlan.StepId> out = new HashSet<>(fired);
    out.add(s.id());
    return out;
  }

  @Test
  void stepsFollowEachOtherThenTheCycleRepeatsWithADecayingInterval() {
    Set<EscalationPlan.StepId> fired = Set.of();
    List<Instant> times = new ArrayList<>();
    while (plan.next(alert, fired).isPresent()) {
      EscalationPlan.DueStep s = plan.next(alert, fired).get();
      times.add(s.dueAt());
      fired = fire(fired, s);
    }

    assertThat(times).containsExactly(
        T0.plus(Duration.ofMinutes(5)), T0.plus(Duration.ofMinutes(15)),    // first pass
        T0.plus(Duration.ofMinutes(50)), T0.plus(Duration.ofMinutes(60)),   // +30 m
        T0.plus(Duration.ofMinutes(125)), T0.plus(Duration.ofMinutes(135))); // +60 m
    assertThat(fired).contains(new EscalationPlan.StepId("a-1", 1, 2)).hasSize(6);
  }

  @Test
  void theNextStepNamesItsReceiversAndItsIdempotencyKey() {
    EscalationPlan.DueStep s = plan.next(alert, Set.of()).orElseThrow();

    assertThat(s.id()).isEqualTo(new EscalationPlan.StepId("a-1", 0, 0));
    assertThat(s.receivers()).containsExactly("oncall");
  }

  @Test
  void onlyStepsDueByNowAreDueAndAFiredStepIsNeverDueAgain() {
    assertThat(plan.due(alert, Set.of(), T0.plus(Duration.ofMinutes(4)))).isEmpty();
    List<EscalationPlan.DueStep> due = plan.due(alert, Set.of(), T0.plus(Duration.ofMinutes(5)));
    assertThat(due).singleElement().extracting(EscalationPlan.DueStep::id)
        .isEqualTo(new EscalationPlan.StepId("a-1", 0, 0));

    Set<EscalationPlan.StepId> fired = fire(Set.of(), due.get(0));
    assertThat(plan.due(alert, fired, T0.plus(Duration.ofMinutes(5)))).isEmpty();
    assertThat(plan.next(alert, fired).orElseThrow().dueAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
  }

  @Test
  void afterARestartTheMissedStepFiresOnce() {
    Set<EscalationPlan.StepId> fired = Set.of(new EscalationPlan.StepId("a-1", 0, 0));

    List<EscalationPlan.DueStep> due = plan.due(alert, fired, T0.plus(Duration.ofMinutes(20)));

    assertThat(due).extracting(d -> d.id().step()).containsExactly(1);
  }

  @Test
  void acknowledgingStopsAndResolvingEndsEscalation() {
    assertThat(plan.next(alert.acknowledge("alice", null, T0), Set.of())).isEmpty();
    assertThat(plan.next(alert.resolve("bob", null, T0), Set.of())).isEmpty();
  }

  @Test
  void aPlanIsReadFromConfigurationAndValidated() {
    EscalationPlan p = EscalationPlan.fromMap("e", Map.of("steps", List.of(Map.of("after", "5m", "receivers",
        List.of("oncall"))), "repeat-interval", "1h", "max-repeats", "3", "decay", "1.5"));
    assertThat(p.maxRepeats()).isEqualTo(3);
    assertThat(p.decay()).isEqualTo(1.5);

    assertThatThrownBy(() -> EscalationPlan.fromMap("notifier.route.escalation", Map.of("steps", List.of(),
        "max-repeats", 1)))
        .isInstanceOfSatisfying(PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("notifier.route.escalation.steps"));
    assertThatThrownBy(() -> EscalationPlan.builder().step(Duration.ZERO, List.of("x")).decay(0.5).build())
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("decay"));
  }
}
