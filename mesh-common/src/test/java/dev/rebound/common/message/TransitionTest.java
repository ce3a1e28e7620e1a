package dev.rebound.common.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TransitionTest {
  private static final UUID TASK = UUID.fromString("00000000-0000-4000-8000-000000000001");
  private static final Instant AT = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void aTransitionCarriesItsTasksAgentThroughTheRoundTrip() {
    Transition t = new Transition(TASK, "wf-1", "build", "agent-7", TaskState.RUNNING, TaskState.DONE, 2, "completed",
        null, "worker-1", "corr-1", AT);
    assertThat(t.toJson().getString("agent")).isEqualTo("agent-7");
    assertThat(Transition.fromJson(t.toJson())).isEqualTo(t);
  }

  @Test
  void aTaskWithoutAnAgentLeavesTheFieldOut() {
    Transition t = new Transition(TASK, null, "build", TaskState.QUEUED, TaskState.RUNNING, 1, "claimed", null, "w",
        null, AT);
    assertThat(t.agent()).isNull();
    assertThat(t.toJson().containsKey("agent")).isFalse();
    assertThat(Transition.fromJson(t.toJson())).isEqualTo(t);
  }

  @Test
  void anAgentThatIsNotAStringIsRefusedByName() {
    JsonObject o = new Transition(TASK, null, "build", "a", null, TaskState.QUEUED, 0, "enqueued", null, "w", null, AT)
        .toJson().put("agent", 7);
    assertThatThrownBy(() -> Transition.fromJson(o)).isInstanceOf(ReboundException.class).hasMessageContaining("agent");
  }
}
