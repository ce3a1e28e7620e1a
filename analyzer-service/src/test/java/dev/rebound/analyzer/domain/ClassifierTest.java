package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;
import dev.rebound.common.classification.Category;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTest {

  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final Classifier classifier = Classifier.builder(RuleCatalog.builtin()).clock(clock).build();

  private Verdict classify(String message) {
    return classifier.classify(FailureInput.ofMessage(message));
  }

  @Test
  void structuredSqlStateIsMoreCertainThanALooseRegex() {
    Verdict bySqlState = classifier.classify(FailureInput.builder("ERROR: could not serialize access").sqlState("40001").build());
    Verdict byText = classify("the batch failed: could not serialize access due to read/write dependencies among transactions");

    assertThat(bySqlState.ruleId()).isEqualTo("pg-serialization-failure");
    assertThat(bySqlState.transientFailure()).isTrue();
    assertThat(byText.transientFailure()).isTrue();
    assertThat(bySqlState.confidence()).isGreaterThan(byText.confidence());
  }

  @Test
  void authenticationFailureIsPermanentConfiguration() {
    Verdict v = classifier.classify(FailureInput.builder("FATAL: password authentication failed for user \"orders\"")
        .sqlState("28P01").build());

    assertThat(v.category()).isEqualTo(Category.CONFIGURATION);
    assertThat(v.transientFailure()).isFalse();
    assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("agreeing rules"));
  }

  @Test
  void codesAreReadFromTheMessageWhenTheCallerDidNotSendThem() {
    assertThat(classify("upstream returned HTTP/1.1 502 Bad Gateway").ruleId()).isEqualTo("http-502-bad-gateway");
    assertThat(classify("Container exited with code 137").category()).isEqualTo(Category.RESOURCE_EXHAUSTION);
    assertThat(classify("signal: terminated").category()).isEqualTo(Category.CANCELLED);
    assertThat(classify("pq: could not obtain lock (SQLSTATE 55P03)").transientFailure()).isTrue();
  }

  @Test
  void exitCodesAreReadFromTheUsualPhrasings() {
    assertThat(Evidence.exitCodeIn("container exited with code 137")).isEqualTo(137);
    assertThat(Evidence.exitCodeIn("exit code: 1")).isEqualTo(1);
    assertThat(Evidence.exitCodeIn("returned non-zero exit status 2.")).isEqualTo(2);
    assertThat(Evidence.exitCodeIn("exit_code=124")).isEqualTo(124);
    assertThat(Evidence.exitCodeIn("the command failed with error code 127")).isEqualTo(127);
    assertThat(Evidence.exitCodeIn("exited normally after 3000 ms")).isNull();
    assertThat(Evidence.httpStatusIn("upstream returned http/1.1 503 service unavailable")).isEqualTo(503);
    assertThat(Evidence.httpStatusIn("connect econnrefused 10.0.0.7:503")).isNull();
    assertThat(Evidence.httpStatusIn("exit status 137")).isNull();
  }

  @Test
  void unknownFailuresAreTransientWithLowConfidenceAndAskForInvestigation() {
    Verdict v = classify("the frobnicator returned an unexpected quux for widget 42");

    assertThat(v.category()).isEqualTo(Category.UNKNOWN);
    assertThat(v.transientFailure()).isTrue();
    assertThat(v.confidence()).isLessThanOrEqualTo(Classifier.UNKNOWN_MAX_CONFIDENCE);
    assertThat(v.ruleId()).isNull();
    assertThat(v.recommendations().get(0)).startsWith("Investigate manually");
  }

  @Test
  void unknownFailuresStayTransientEvenWhenTheyWereDeadLetteredBefore() {
    Verdict v = classifier.classify(FailureInput.ofMessage("the frobnicator returned an unexpected quux"),
        new FingerprintHistory(10, 0, 9, 1));

    assertThat(v.transientFailure()).isTrue();
    assertThat(v.confidence()).isLessThan(Classifier.UNKNOWN_CONFIDENCE);
  }

  @Test
  void historyOfHealingByRetryRaisesConfidenceInATransientVerdict() {
    FailureInput input = FailureInput.ofMessage("upstream connect error or disconnect/reset before headers. reset reason: connection termination");
    Verdict fresh = classifier.classify(input);
    Verdict healedBefore = classifier.classify(input, new FingerprintHistory(20, 18, 1, 0));
    Verdict deadLetteredBefore = classifier.classify(input, new FingerprintHistory(20, 2, 18, 0));

    assertThat(healedBefore.confidence()).isGreaterThan(fresh.confidence());
    assertThat(deadLetteredBefore.confidence()).isLessThan(fresh.confidence());
    assertThat(healedBefore.reasons()).anySatisfy(r -> assertThat(r).startsWith("history of 20 failures"));
  }

  @Test
  void retryAfterHintsAreExtractedInMilliseconds() {
    RetryAfterExtractor x = new RetryAfterExtractor(clock);

    assertThat(x.extractMillis("HTTP 429 Too Many Requests; Retry-After: 30")).hasValue(30_000);
    assertThat(x.extractMillis("503 Service Unavailable, retry after 45 seconds")).hasValue(45_000);
    assertThat(x.extractMillis("slack ratelimited, try again in 20s")).hasValue(20_000);
    assertThat(x.extractMillis("Rate limit reached for gpt-4o. Please try again in 1m30s.")).hasValue(90_000);
    assertThat(x.extractMillis("Please try again in 250ms")).hasValue(250);
    assertThat(x.extractMillis("retry-after-ms: 1500")).hasValue(1_500);
    assertThat(x.extractMillis("API rate limit exceeded; x-ratelimit-reset: " + (NOW.getEpochSecond() + 120)))
        .hasValue(120_000);
    assertThat(x.extractMillis("x-ratelimit-reset: " + (NOW.getEpochSecond() - 5))).hasValue(0);
    assertThat(x.extractMillis("Retry-After: Wed, 01 May 2024 12:01:00 GMT")).hasValue(60_000);
    assertThat(x.extractMillis("no hint here")).isEmpty();
  }

  @Test
  void rateLimitVerdictsCarryTheRetryAfterHint() {
    Verdict v = classify("429 Too Many Requests: You have exceeded a secondary rate limit. Retry-After: 60");

    assertThat(v.category()).isEqualTo(Category.RATE_LIMIT);
    assertThat(v.ruleId()).isEqualTo("github-secondary-rate-limit");
    assertThat(v.retryAfterMs()).isEqualTo(60_000L);
  }

  @Test
  void aCatastrophicUserPatternIsCutOffAndTheFailureStillGetsAVerdict() {
    String user = """
        rules:
          - id: evil-pattern
            match: {regex: ['(a+)+$']}
            category: CODE_QUALITY
            transient: false
            rootCause: x
            recommendations: [y]
        """;
    RuleCatalog catalog = RuleCatalog.load(List.of(RuleCatalog.builtinSource(), new RuleCatalog.Source("user.yaml", user)));
    Classifier withEvil = Classifier.builder(catalog).build();
    String attack = "a".repeat(5_000) + "b";

    Verdict v = withEvil.classify(FailureInput.ofMessage(attack));

    assertThat(v.ruleId()).isNotEqualTo("evil-pattern");
    assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("evil-pattern").contains("budget"));
    assertThat(withEvil.unindexedRules()).isEqualTo(1);
  }

  @Test
  void messagesOverTheSizeLimitAreTruncatedNotRefused() {
    String huge = "java.lang.OutOfMemoryError: Java heap space " + "x".repeat(100_000);

    Verdict v = classify(huge);

    assertThat(v.redactedMessage()).hasSize(Classifier.DEFAULT_MAX_MESSAGE_CHARS);
    assertThat(v.ruleId()).isIn("jvm-out-of-memory", "jvm-oom-text");
    assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("truncated"));
  }

  @Test
  void confidenceAlwaysLiesWithinZeroAndOne() {
    for (String m : List.of("", " ", "ECONNRESET ECONNREFUSED ETIMEDOUT 503 429 OOMKilled deadlock detected",
        "permission denied rate limit exceeded context canceled")) {
      Verdict v = classify(m);
      assertThat(v.confidence()).isBetween(0.0, 1.0);
    }
  }
}
