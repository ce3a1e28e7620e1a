package dev.rebound.common.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.Category;
import dev.rebound.common.classification.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FailureClassifiedTest {
  private static FailureClassified classified() {
    FailureClassified.Verdict verdict = new FailureClassified.Verdict("0123456789abcdef", "fedcba9876543210", "connect <ip>:<port> refused",
        Category.NETWORK, true, 0.9, Severity.ERROR, "net.refused", "the database is down", List.of("check the host"),
        2_000L, "connect 10.0.0.1:5432 refused", List.of("rule net.refused"));
    return new FailureClassified(UUID.randomUUID(), UUID.randomUUID(), 2, "build", "wf-1", "worker",
        Instant.parse("2030-01-01T00:00:00Z"), verdict, new FailureClassified.History(3, 1, 1, 0),
        new JsonArray().add(new JsonObject().put("fingerprint", "fedcba9876543210")), new JsonObject().put("tasks", 2),
        Instant.parse("2030-01-01T00:00:01Z"),
        new FailureClassified.Signals("java.net.SocketTimeoutException", List.of("java.io.IOException"), 503, null,
            null, "github"),
        new TaskContext("crawler-1", "wf-1", 0, Instant.parse("2029-12-31T23:59:00Z"), 3));
  }

  @Test
  void aVerdictSurvivesTheRoundTripWithItsCategoryAndSeverityTyped() {
    FailureClassified c = classified();
    assertThat(FailureClassified.fromJson(c.toJson())).isEqualTo(c);
  }

  @Test
  void theSignalsAreTakenFromTheReportedFailureAndItsDetails() {
    FailureEvent f = FailureEvent.builder().taskId(UUID.randomUUID()).attempt(1).message("read timed out")
        .errorType("java.net.SocketTimeoutException").httpStatus(504)
        .details(new JsonObject().put("dependency", "github")
            .put("causes", new JsonArray().add(new JsonObject().put("type", "java.io.IOException").put("message", "x"))))
        .build();
    FailureClassified.Signals s = FailureClassified.Signals.of(f);
    assertThat(s.errorType()).isEqualTo("java.net.SocketTimeoutException");
    assertThat(s.causeTypes()).containsExactly("java.io.IOException");
    assertThat(s.httpStatus()).isEqualTo(504);
    assertThat(s.dependency()).isEqualTo("github");
    assertThat(FailureClassified.Signals.of(FailureEvent.builder().message("plain").build())).isNull();
  }

  @Test
  void onTheWireTheCategoryIsItsNameTheSeverityItsLabelAndTransienceABoolean() {
    JsonObject verdict = classified().toJson().getJsonObject("verdict");
    assertThat(verdict.getString("category")).isEqualTo("NETWORK");
    assertThat(verdict.getString("severity")).isEqualTo("error");
    assertThat(verdict.getBoolean("transient")).isTrue();
  }

  @Test
  void anUnknownFieldIsRefusedByNameAtEveryLevel() {
    JsonObject top = classified().toJson().put("retryAfter", 1);
    assertRefused(top, "unknown field 'retryAfter'", "retryAfter");
    JsonObject inVerdict = classified().toJson();
    inVerdict.getJsonObject("verdict").put("kind", "x");
    assertRefused(inVerdict, "unknown field 'verdict.kind'", "verdict.kind");
    JsonObject inHistory = classified().toJson();
    inHistory.getJsonObject("history").put("healed", 1);
    assertRefused(inHistory, "unknown field 'history.healed'", "history.healed");
  }

  @Test
  void anUnknownCategoryOrSeverityIsMalformed() {
    JsonObject badCategory = classified().toJson();
    badCategory.getJsonObject("verdict").put("category", "COSMIC_RAYS");
    assertRefused(badCategory, "malformed FailureClassified: IllegalArgumentException", null);
    JsonObject badSeverity = classified().toJson();
    badSeverity.getJsonObject("verdict").put("severity", "meh");
    assertRefused(badSeverity, "malformed FailureClassified: IllegalArgumentException unknown severity 'meh'", null);
  }

  static void assertRefused(JsonObject body, String message, String field) {
    assertThatThrownBy(() -> FailureClassified.fromJson(body)).isInstanceOfSatisfying(ReboundException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.getMessage()).startsWith(message);
      assertThat(e.details().getString("field")).isEqualTo(field);
    });
  }
}
