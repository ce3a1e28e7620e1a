package dev.rebound.common.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FailureEventTest {
  private static final UUID TASK = UUID.fromString("00000000-0000-4000-8000-000000000001");

  private static JsonObject message() {
    return new JsonObject().put("message", "boom");
  }

  @Test
  void aFullEventSurvivesTheRoundTripThroughJson() {
    FailureEvent f = FailureEvent.builder().failureId(UUID.randomUUID()).taskId(TASK).attempt(2)
        .leaseToken(UUID.randomUUID()).source("worker-1").stage("build").workflowId("wf-1").message("HTTP 503")
        .errorType("IOException").stackTrace("at a.b(C.java:1)").httpStatus(503).exitCode(1).sqlState("40001")
        .details(new JsonObject().put("host", "registry")).occurredAt(Instant.parse("2030-01-01T00:00:00Z"))
        .task(new TaskContext("crawler", "wf-1", 1, Instant.parse("2029-12-31T00:00:00Z"), null)).build();
    assertThat(FailureEvent.fromJson(f.toJson())).isEqualTo(f);
  }

  @Test
  void aDerivedCopyChangesOnlyWhatItSets() {
    FailureEvent f = FailureEvent.builder().taskId(TASK).attempt(1).message("token=abc").stage("build").build();
    FailureEvent copy = f.toBuilder().message("token=[redacted]").build();
    assertThat(copy).isEqualTo(FailureEvent.builder().taskId(TASK).attempt(1).message("token=[redacted]").stage("build")
        .build());
  }

  @Test
  void aFailureWithoutAMessageCannotBeBuilt() {
    assertThatThrownBy(() -> FailureEvent.builder().taskId(TASK).build()).isInstanceOf(NullPointerException.class);
  }

  @Test
  void anUnknownFieldOfTheTaskContextIsRefusedByItsPath() {
    assertRefused(message().put("task", new JsonObject().put("attemptBase", 0).put("owner", "x")),
        "unknown field 'task.owner'", "task.owner");
  }

  @Test
  void anUnknownFieldIsRefusedByName() {
    assertRefused(message().put("exceptionType", "E"), "unknown field 'exceptionType'", "exceptionType");
  }

  @Test
  void eachInvalidFieldIsRefusedWithItsName() {
    assertRefused(new JsonObject(), "'message' is required", "message");
    assertRefused(message().put("taskId", "x"), "'taskId' must be a UUID, was 'x'", "taskId");
    assertRefused(message().put("attempt", 0), "'attempt' must be between 1 and 2147483647, was 0", "attempt");
    assertRefused(message().put("httpStatus", 600), "'httpStatus' must be between 100 and 599, was 600", "httpStatus");
    assertRefused(message().put("exitCode", 70_000), "'exitCode' must be between -255 and 65535, was 70000", "exitCode");
    assertRefused(message().put("sqlState", "4000a"), "'sqlState' must be a 5-character SQLSTATE like 40001", "sqlState");
    assertRefused(message().put("details", new JsonObject().put("k", "x".repeat(FailureEvent.MAX_STACK))),
        "'details' is larger than 65536 bytes", "details");
    assertRefused(message().put("occurredAt", "yesterday"),
        "'occurredAt' must be an ISO-8601 instant like 2026-01-01T00:00:00Z", "occurredAt");
  }

  @Test
  void aFailureOfATaskNeedsItsLeaseTokenOrAttempt() {
    assertThatThrownBy(() -> FailureEvent.fromJson(message().put("taskId", TASK.toString())))
        .isInstanceOfSatisfying(ReboundException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
          assertThat(e.getMessage()).isEqualTo("a failure of a task needs its 'leaseToken' or 'attempt'");
        });
    assertThat(FailureEvent.fromJson(message()).taskId()).as("a free-standing failure needs neither").isNull();
  }

  static void assertRefused(JsonObject body, String message, String field) {
    assertThatThrownBy(() -> FailureEvent.fromJson(body)).isInstanceOfSatisfying(ReboundException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.getMessage()).startsWith(message);
      assertThat(e.details().getString("field")).isEqualTo(field);
    });
  }
}
