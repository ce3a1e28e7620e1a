package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryConditionsTest {

  private static FailureFacts.Builder failure() {
    return FailureFacts.builder("tests").taskId("t-1");
  }

  @Test
  void aConfidentTransientVerdictIsRetryable() {
    Eligibility e = RetryConditions.DEFAULT.evaluate(failure().verdict("NETWORK", true, 0.9)
        .errorType("java.net.SocketTimeoutException").message("Read timed out").build());

    assertThat(e.retryable()).isTrue();
    assertThat(e.basis()).isEqualTo(Eligibility.Basis.VERDICT);
    assertThat(e.degraded()).isFalse();
    assertThat(e.reasons()).anySatisfy(r -> assertThat(r).contains("transient NETWORK").contains("90 %"));
  }

  @Test
  void aConfidentPermanentVerdictIsNotRetryable() {
    Eligibility e = RetryConditions.DEFAULT.evaluate(failure().verdict("CONFIGURATION", false, 0.95).build());

    assertThat(e.retryable()).isFalse();
    assertThat(e.basis()).isEqualTo(Eligibility.Basis.VERDICT);
  }

  @Test
  void aVerdictBelowTheConfidenceThresholdIsNotTrustedAndTheFallbackDecides() {
    Eligibility e = RetryConditions.DEFAULT.evaluate(failure().verdict("UNKNOWN", false, 0.3).message("Read timed out").build());

    assertThat(e.retryable()).isTrue();
    assertThat(e.basis()).isEqualTo(Eligibility.Basis.LOW_CONFIDENCE_FALLBACK);
    assertThat(e.degraded()).isFalse();
  }

  @Test
  void withoutAVerdictAFailureIsTransientAndDegraded() {
    Eligibility e = RetryConditions.DEFAULT.evaluate(failure().noVerdict().message("connection reset by peer").build());

    assertThat(e.retryable()).isTrue();
    assertThat(e.degraded()).isTrue();
    assertThat(e.basis()).isEqualTo(Eligibility.Basis.NO_VERDICT_FALLBACK);
  }

  @Test
  void withoutAVerdictKnownPermanentSignaturesAreNotRetried() {
    List<FailureFacts> permanent = List.of(
        failure().httpStatus(401).message("HttpError: Bad credentials").build(),
        failure().httpStatus(422).build(),
        failure().exitCode(127).message("sh: foo").build(),
        failure().sqlState("42P01").build(),
        failure().errorType("java.lang.IllegalArgumentException").build(),
        failure().message("open config.yml: permission denied").build(),
        failure().message("Repository not found").build(),
        failure().message("SyntaxError: invalid syntax").build());

    for (FailureFacts f : permanent) {
      Eligibility e = RetryConditions.DEFAULT.evaluate(f);
      assertThat(e.retryable()).as(f.toString()).isFalse();
      assertThat(e.degraded()).isTrue();
    }
  }

  @Test
  void aHostNotFoundIsLeftToBeRetriedInDegradedMode() {
    assertThat(RetryConditions.DEFAULT.evaluate(failure().message("getaddrinfo: host not found").build()).retryable()).isTrue();
  }

  @Test
  void theNeverRetryListAlwaysWinsEvenOverTheRetryListAndATransientVerdict() {
    RetryConditions c = RetryConditions.fromMap("retry.conditions.tests", Map.of(
        "retryOn", Map.of("httpStatuses", List.of("5xx")),
        "neverRetryOn", Map.of("httpStatuses", List.of("501"))), RetryConditions.DEFAULT);

    Eligibility e = c.evaluate(failure().verdict("EXTERNAL_DEPENDENCY", true, 0.99).httpStatus(501).build());

    assertThat(e.retryable()).isFalse();
    assertThat(e.basis()).isEqualTo(Eligibility.Basis.NEVER_RETRY_ON);
    assertThat(e.reasons().get(0)).contains("HTTP status 501").contains("never-retry");
  }

  @Test
  void theRetryListOverridesAPermanentVerdict() {
    RetryConditions c = RetryConditions.fromMap("", Map.of("retryOn", Map.of("sqlStates", List.of("40", "08"))),
        RetryConditions.DEFAULT);

    Eligibility e = c.evaluate(failure().verdict("INFRASTRUCTURE", false, 0.9).sqlState("40001").build());

    assertThat(e.retryable()).isTrue();
    assertThat(e.basis()).isEqualTo(Eligibility.Basis.RETRY_ON);
    assertThat(e.reasons().get(0)).contains("SQLSTATE 40001 (class 40)");
  }

  @Test
  void errorTypesMatchBySimpleOrQualifiedNameAnywhereInTheCauseChain() {
    RetryConditions c = RetryConditions.builder().neverRetryOn(new FailureMatcher(Set.of(),
        Set.of("AccessDeniedException", "com.acme.QuotaError"), CodeRanges.NONE, CodeRanges.NONE, Set.of(), List.of()))
        .build();

    assertThat(c.evaluate(failure().verdict("NETWORK", true, 1).errorType("java.io.UncheckedIOException")
        .causeTypes(List.of("java.nio.file.AccessDeniedException")).build()).retryable()).isFalse();
    assertThat(c.evaluate(failure().verdict("NETWORK", true, 1).errorType("com.acme.QuotaError").build()).retryable())
        .isFalse();
    assertThat(c.evaluate(failure().verdict("NETWORK", true, 1).errorType("org.other.QuotaError").build()).retryable())
        .isTrue();
  }

  @Test
  void exitCodesAndMessagePatternsSelectFailures() {
    RetryConditions c = RetryConditions.fromMap("", Map.of("retryOn", Map.of("exitCodes", "137, 143",
        "messages", List.of("flaky test \\w+"))), RetryConditions.DEFAULT);

    assertThat(c.evaluate(failure().verdict("CODE_QUALITY", false, 0.9).exitCode(137).build()).retryable()).isTrue();
    assertThat(c.evaluate(failure().verdict("CODE_QUALITY", false, 0.9).message("FLAKY TEST testLogin").build())
        .retryable()).isTrue();
    assertThat(c.evaluate(failure().verdict("CODE_QUALITY", false, 0.9).exitCode(1).build()).retryable()).isFalse();
  }

  @Test
  void aRateLimitIsAFreeRetryUntilTheFreeRetriesOfTheRunAreUsed() {
    FailureFacts limited = failure().verdict("RATE_LIMIT", true, 0.9).build();

    assertThat(RetryConditions.DEFAULT.evaluate(limited).free()).isTrue();
    assertThat(RetryConditions.DEFAULT.evaluate(limited.toBuilder().priorFreeRetries(20).build()).free()).isFalse();
    assertThat(RetryConditions.DEFAULT.evaluate(failure().verdict("NETWORK", true, 0.9).build()).free()).isFalse();
  }

  @Test
  void conditionsRoundTripThroughTheirMapShape() {
    RetryConditions c = RetryConditions.fromMap("", Map.of("retryOn", Map.of("httpStatuses", List.of("5xx", "429"),
        "sqlStates", List.of("40")), "minConfidence", "60%", "freeCategories", List.of("rate_limit", "CANCELLED")),
        RetryConditions.DEFAULT);

    @SuppressWarnings("unchecked")
    RetryConditions again = RetryConditions.fromMap("", (Map<String, ?>) (Map<?, ?>) c.toMap(), RetryConditions.DEFAULT);

    assertThat(again).isEqualTo(c);
    assertThat(c.minConfidence()).isEqualTo(0.6);
    assertThat(c.freeCategories()).containsExactlyInAnyOrder("RATE_LIMIT", "CANCELLED");
  }
}
