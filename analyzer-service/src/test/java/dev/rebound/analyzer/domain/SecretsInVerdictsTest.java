package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every secret kind of the shared redactor's catalogue, embedded in a realistic failure, never reaches a verdict. */
class SecretsInVerdictsTest {

  @ParameterizedTest(name = "{0} never reaches a verdict")
  @MethodSource("dev.rebound.common.text.RedactorTest#secrets")
  void secretsNeverSurviveIntoAnyVerdictField(String kind, String message, String secret) {
    Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();

    Verdict v = classifier.classify(FailureInput.builder(message).stackTrace("java.lang.RuntimeException: " + message
        + "\n\tat com.acme.Client.call(Client.java:42)").build());

    assertThat(v.redactedMessage()).doesNotContain(secret);
    assertThat(v.template()).doesNotContain(secret);
    assertThat(v.rootCause()).doesNotContain(secret);
    assertThat(v.reasons()).allSatisfy(r -> assertThat(r).doesNotContain(secret));
    assertThat(v.recommendations()).allSatisfy(r -> assertThat(r).doesNotContain(secret));
    assertThat(classifier.miner().export()).allSatisfy(t -> assertThat(t.template()).doesNotContain(secret));
  }}
