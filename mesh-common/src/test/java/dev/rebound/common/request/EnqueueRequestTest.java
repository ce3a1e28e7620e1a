package dev.rebound.common.request;

import static dev.rebound.common.request.Refusals.LIMITS;
import static dev.rebound.common.request.Refusals.badField;
import static dev.rebound.common.request.Refusals.refused;
import static dev.rebound.common.request.Refusals.unknownField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EnqueueRequestTest {
  private static JsonObject valid() {
    return new JsonObject().put("stage", "build");
  }

  @Test
  void aFullRequestSurvivesTheRoundTripThroughJson() {
    EnqueueRequest r = EnqueueRequest.builder("build").idempotencyKey("k-1").workflowId("wf:1").agent("ci bot")
        .type("compile").payload(new JsonObject().put("n", 1)).priority(-5).maxAttempts(3)
        .runAfter(Instant.parse("2030-01-01T00:00:00Z")).actor("alice").build();
    assertThat(EnqueueRequest.fromJson(r.toJson(), LIMITS)).isEqualTo(r);
    EnqueueRequest delayed = EnqueueRequest.builder("build").payload(new JsonArray().add(1)).delayMs(5_000).build();
    assertThat(EnqueueRequest.fromJson(delayed.toJson(), LIMITS)).isEqualTo(delayed);
  }

  @Test
  void onlyTheStageIsRequiredAndTheRestTakesItsDefaults() {
    EnqueueRequest r = EnqueueRequest.fromJson(valid(), LIMITS);
    assertThat(r.payloadJson()).isEqualTo("{}");
    assertThat(r.priority()).isZero();
    assertThat(r.maxAttempts()).as("the ledger's default policy decides").isNull();
    assertThat(r.runAfter(Instant.EPOCH)).isNull();
  }

  @Test
  void aDelayIsCountedFromTheGivenNow() {
    EnqueueRequest r = EnqueueRequest.fromJson(valid().put("delayMs", 1500), LIMITS);
    assertThat(r.runAfter(Instant.parse("2030-01-01T00:00:00Z"))).isEqualTo(Instant.parse("2030-01-01T00:00:01.500Z"));
  }

  @Test
  void anUnknownFieldIsRefusedByName() {
    unknownField(() -> EnqueueRequest.fromJson(valid().put("priorty", 1), LIMITS), "priorty");
  }

  @Test
  void eachInvalidFieldIsRefusedWithItsName() {
    badField(() -> EnqueueRequest.fromJson(new JsonObject(), LIMITS), "stage", "'stage' is required");
    badField(() -> EnqueueRequest.fromJson(new JsonObject().put("stage", "a b"), LIMITS), "stage",
        "'stage' may only contain letters, digits and . _ : / - (was 'a b')");
    badField(() -> EnqueueRequest.fromJson(valid().put("payload", "text"), LIMITS), "payload",
        "'payload' must be a JSON object or array");
    badField(() -> EnqueueRequest.fromJson(valid().put("payload", new JsonObject().put("k", "a\u0000")), LIMITS),
        "payload", "'payload' contains a NUL character");
    badField(() -> EnqueueRequest.fromJson(valid().put("runAfter", "tomorrow"), LIMITS), "runAfter",
        "'runAfter' must be an ISO-8601 instant like 2026-01-01T00:00:00Z");
    badField(() -> EnqueueRequest.fromJson(valid().put("delayMs", -1), LIMITS), "delayMs",
        "'delayMs' must be between 0 and 31536000000, was -1");
    badField(() -> EnqueueRequest.fromJson(valid().put("actor", "x".repeat(201)), LIMITS), "actor",
        "'actor' is longer than 200 characters");
    badField(() -> EnqueueRequest.fromJson(valid().put("idempotencyKey", 7), LIMITS), "idempotencyKey",
        "'idempotencyKey' must be a string");
    badField(() -> EnqueueRequest.fromJson(valid().put("workflowId", "wf 1"), LIMITS), "workflowId",
        "'workflowId' may only contain letters, digits and . _ : / - (was 'wf 1')");
    badField(() -> EnqueueRequest.fromJson(valid().put("agent", "x".repeat(201)), LIMITS), "agent",
        "'agent' is longer than 200 characters");
    badField(() -> EnqueueRequest.fromJson(valid().put("type", "a|b"), LIMITS), "type",
        "'type' may only contain letters, digits and . _ : / - (was 'a|b')");
    badField(() -> EnqueueRequest.fromJson(valid().put("priority", 1001), LIMITS), "priority",
        "'priority' must be between -1000 and 1000, was 1001");
    badField(() -> EnqueueRequest.fromJson(valid().put("maxAttempts", 0), LIMITS), "maxAttempts",
        "'maxAttempts' must be between 1 and 1000, was 0");
  }

  @Test
  void aPayloadThatWouldNotBeStoredAsSentIsRefusedInsteadOfQuietlyChanged() {
    // 1e400 parses as an infinite double, which would be stored as the string "Infinity"
    badField(() -> EnqueueRequest.fromJson(new JsonObject("{\"stage\":\"s\",\"payload\":{\"n\":1e400}}"), LIMITS),
        "payload", "'payload' holds a number that is not finite (beyond the range of a double, like 1e400)");
    // a lone surrogate is valid JSON text but no character: it would be stored as '?'
    badField(() -> EnqueueRequest.fromJson(new JsonObject("{\"stage\":\"s\",\"payload\":[\"a\\ud800\"]}"), LIMITS),
        "payload", "'payload' contains an unpaired UTF-16 surrogate (\\ud800), which is not a Unicode character");
    badField(() -> EnqueueRequest.fromJson(new JsonObject("{\"stage\":\"s\",\"payload\":{\"\\udc00\":1}}"), LIMITS),
        "payload", "'payload' contains an unpaired UTF-16 surrogate (\\udc00), which is not a Unicode character");
    // a surrogate pair is one character, and a large finite number is a number: both kept as sent
    EnqueueRequest kept = EnqueueRequest.fromJson(
        new JsonObject("{\"stage\":\"s\",\"payload\":{\"k\":\"\\ud83d\\udca5\",\"n\":1e300,\"big\":123456789012345678901234567890}}"),
        LIMITS);
    assertThat(new JsonObject(kept.payloadJson()).getString("k")).isEqualTo("\ud83d\udca5");
    assertThat(new JsonObject(kept.payloadJson()).getDouble("n")).isEqualTo(1e300);
    assertThat(kept.payloadJson()).contains("123456789012345678901234567890");
  }

  @Test
  void aRunAfterAndADelayTogetherAreRefused() {
    refused(() -> EnqueueRequest.fromJson(valid().put("runAfter", "2030-01-01T00:00:00Z").put("delayMs", 1), LIMITS),
        ErrorCode.BAD_REQUEST, "give either 'runAfter' or 'delayMs', not both");
  }

  @Test
  void aPayloadOverTheLedgersLimitIsTooLarge() {
    refused(() -> EnqueueRequest.fromJson(valid().put("payload", new JsonObject().put("k", "x".repeat(100))), LIMITS),
        ErrorCode.PAYLOAD_TOO_LARGE, "payload is 108 bytes, over the limit of 100 bytes");
  }
}
