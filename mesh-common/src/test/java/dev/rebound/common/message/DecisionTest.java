package dev.rebound.common.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.DecisionAction;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DecisionTest {
  private static final UUID TASK = UUID.fromString("00000000-0000-4000-8000-000000000001");

  private static JsonObject park() {
    return new JsonObject().put("taskId", TASK.toString()).put("attempt", 1).put("action", "PARK");
  }

  @Test
  void everyActionSurvivesTheRoundTripAsItsName() {
    for (DecisionAction action : DecisionAction.values()) {
      Decision d = new Decision(TASK, 3, action, Instant.parse("2030-01-01T00:00:00Z"), "why", "retry-service");
      assertThat(d.toJson().getString("action")).isEqualTo(action.name());
      assertThat(Decision.fromJson(d.toJson())).isEqualTo(d);
    }
  }

  @Test
  void anUnknownFieldIsRefusedByName() {
    assertRefused(park().put("runAfter", "2030-01-01T00:00:00Z"), "unknown field 'runAfter'", "runAfter");
  }

  @Test
  void eachInvalidFieldIsRefusedWithItsName() {
    assertRefused(park().put("action", "RETRY_LATER"), "'action' must be one of [RETRY, PARK, DEAD_LETTER, ABORT_WORKFLOW]",
        "action");
    JsonObject noAction = park();
    noAction.remove("action");
    assertRefused(noAction, "'action' is required", "action");
    JsonObject noAttempt = park();
    noAttempt.remove("attempt");
    assertRefused(noAttempt, "'attempt' is required", "attempt");
    assertRefused(park().put("action", "RETRY"), "'runAt' is required for a RETRY decision", "runAt");
    assertRefused(park().put("taskId", "x"), "'taskId' must be a UUID, was 'x'", "taskId");
    assertRefused(park().put("reason", "x".repeat(2001)), "'reason' is longer than 2000 characters", "reason");
    assertRefused(park().put("decidedBy", "x".repeat(201)), "'decidedBy' is longer than 200 characters", "decidedBy");
  }

  static void assertRefused(JsonObject body, String message, String field) {
    assertThatThrownBy(() -> Decision.fromJson(body)).isInstanceOfSatisfying(ReboundException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.getMessage()).startsWith(message);
      assertThat(e.details().getString("field")).isEqualTo(field);
    });
  }
}
