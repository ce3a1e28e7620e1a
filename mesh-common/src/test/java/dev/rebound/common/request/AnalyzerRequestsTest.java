package dev.rebound.common.request;

import static dev.rebound.common.request.Refusals.badField;
import static dev.rebound.common.request.Refusals.unknownField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.message.FailureEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AnalyzerRequestsTest {
  @Test
  void aClassifyRequestSurvivesTheRoundTrip() {
    ClassifyRequest r = new ClassifyRequest("connection reset", "java.net.SocketException", "at x.y(Z.java:1)", 503, 1,
        "SIGKILL", "40001", "build", true);
    assertThat(ClassifyRequest.fromJson(r.toJson())).isEqualTo(r);
    assertThat(ClassifyRequest.fromJson(ClassifyRequest.ofMessage("").toJson())).isEqualTo(ClassifyRequest.ofMessage(""));
  }

  @Test
  void aClassifyRequestTakesErrorTypeAndTheSignalOfItsDetails() {
    ClassifyRequest r = ClassifyRequest.fromJson(new JsonObject().put("message", "killed").put("errorType", "OOM")
        .put("details", new JsonObject().put("signal", "9")));
    assertThat(r.exceptionType()).isEqualTo("OOM");
    assertThat(r.signal()).isEqualTo("9");
  }

  @Test
  void aClassifyRequestKeepsAnOverlongMessageOrANulForTheAnalyzerToHandle() {
    String huge = "x".repeat(2 * 1024 * 1024) + "\u0000";
    assertThat(ClassifyRequest.fromJson(new JsonObject().put("message", huge)).message()).isEqualTo(huge);
  }

  @Test
  void aClassifyRequestRefusesEachInvalidFieldAndUnknownOnesByName() {
    JsonObject m = new JsonObject().put("message", "x");
    unknownField(() -> ClassifyRequest.fromJson(m.copy().put("exception", "E")), "exception");
    badField(() -> ClassifyRequest.fromJson(new JsonObject()), "message", "'message' is required");
    badField(() -> ClassifyRequest.fromJson(new JsonObject().put("nomessage", true)), "message", "'message' is required");
    badField(() -> ClassifyRequest.fromJson(new JsonObject().put("message", 1)), "message", "'message' must be a string");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("exceptionType", "Boom\u0000")), "exceptionType",
        "'exceptionType' contains a NUL character");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("errorType", 1)), "errorType", "'errorType' must be a string");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("exitCode", "1")), "exitCode",
        "'exitCode' must be an integer between -2147483648 and 2147483647");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("signal", "x".repeat(33))), "signal",
        "'signal' is longer than 32 characters");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("stackTrace", 1)), "stackTrace", "'stackTrace' must be a string");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("httpStatus", "500")), "httpStatus",
        "'httpStatus' must be an integer between 100 and 599");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("sqlState", "400011")), "sqlState",
        "'sqlState' is longer than 5 characters");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("stage", "x".repeat(201))), "stage",
        "'stage' is longer than 200 characters");
    badField(() -> ClassifyRequest.fromJson(m.copy().put("explain", "yes")), "explain", "'explain' must be true or false");
  }

  @Test
  void aRecordedFailureIsClassifiedByWhatItSays() {
    FailureEvent f = FailureEvent.builder().message("killed").errorType("OOM").exitCode(137).httpStatus(503)
        .sqlState("53300").stage("build").stackTrace("at a").details(new JsonObject().put("signal", "SIGKILL")).build();
    assertThat(ClassifyRequest.of(f))
        .isEqualTo(new ClassifyRequest("killed", "OOM", "at a", 503, 137, "SIGKILL", "53300", "build", false));
  }

  @Test
  void aFingerprintListingSurvivesTheRoundTripAndDefaultsToTheMostFrequent() {
    FingerprintsQuery q = new FingerprintsQuery(FingerprintsQuery.Order.RECENT, "build", 5);
    assertThat(FingerprintsQuery.fromJson(q.toJson())).isEqualTo(q);
    assertThat(FingerprintsQuery.fromJson(new JsonObject()))
        .isEqualTo(new FingerprintsQuery(FingerprintsQuery.Order.COUNT, null, 50));
  }

  @Test
  void aFingerprintListingRefusesEachInvalidField() {
    unknownField(() -> FingerprintsQuery.fromJson(new JsonObject().put("order", "count")), "order");
    badField(() -> FingerprintsQuery.fromJson(new JsonObject().put("sort", "newest")), "sort",
        "'sort' must be 'count' or 'recent'");
    badField(() -> FingerprintsQuery.fromJson(new JsonObject().put("limit", 0)), "limit",
        "'limit' must be between 1 and 1000, was 0");
    badField(() -> FingerprintsQuery.fromJson(new JsonObject().put("stage", 1)), "stage", "'stage' must be a string");
  }

  @Test
  void aFingerprintIsSixteenLowerCaseHexDigits() {
    FingerprintRequest r = FingerprintRequest.of("0123456789abcdef");
    assertThat(FingerprintRequest.fromJson(r.toJson())).isEqualTo(r);
    badField(() -> FingerprintRequest.of("0123456789ABCDEF"), "fingerprint", "'fingerprint' must be 16 lower-case hex digits");
    badField(() -> FingerprintRequest.fromJson(new JsonObject()), "fingerprint",
        "'fingerprint' must be 16 lower-case hex digits");
    unknownField(() -> FingerprintRequest.fromJson(r.toJson().put("similar", true)), "similar");
  }
}
