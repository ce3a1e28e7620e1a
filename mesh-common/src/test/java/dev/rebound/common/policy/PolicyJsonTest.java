package dev.rebound.common.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A policy survives JSON and configuration maps unchanged; every bad field is refused by its key path. */
class PolicyJsonTest {

  static Stream<RetryPolicy> policies() {
    return Stream.of(
        RetryPolicy.DEFAULT,
        RetryPolicy.builder().exponential(Duration.ofMillis(250), 1.5).maxRetries(7).maxDelay(Duration.ofSeconds(90))
            .deadline(Duration.ofMinutes(30)).attemptTimeout(Duration.ofMillis(1500)).jitter(Jitter.DECORRELATED)
            .deterministic(true).build(),
        RetryPolicy.builder().linear(Duration.ofSeconds(30), Duration.ofSeconds(30)).maxRetries(2).jitter(Jitter.EQUAL)
            .build(),
        RetryPolicy.builder().fixed(Duration.ofHours(1)).maxDelay(Duration.ofDays(1)).jitter(Jitter.NONE).build(),
        RetryPolicy.builder().custom(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(2)).maxRetries(3).build());
  }

  @ParameterizedTest
  @MethodSource("policies")
  void everyPolicySurvivesAJsonRoundTrip(RetryPolicy p) {
    JsonObject json = p.toJson();
    assertThat(RetryPolicy.fromJson(new JsonObject(json.encode()))).isEqualTo(p);
  }

  @ParameterizedTest
  @MethodSource("policies")
  void everyPolicySurvivesAMapOfStringsAsYamlDeliversIt(RetryPolicy p) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    p.toJson().forEach(e -> yaml.put(e.getKey(), e.getValue() instanceof Iterable<?> list
        ? list : String.valueOf(e.getValue())));
    assertThat(RetryPolicy.fromMap("retry.policies.s", yaml, RetryPolicy.DEFAULT)).isEqualTo(p);
  }

  @Test
  void durationsAreWrittenInTheirShortestExactUnit() {
    RetryPolicy p = RetryPolicy.builder().custom(Duration.ofMillis(250), Duration.ofMillis(1500), Duration.ofSeconds(30),
        Duration.ofMinutes(1), Duration.ofHours(2), Duration.ofDays(1)).maxDelay(Duration.ofDays(2)).build();
    assertThat(p.toJson()).isEqualTo(new JsonObject("""
        {"backoff":"custom","delays":["250ms","1500ms","30s","1m","2h","1d"],"maxRetries":5,"maxDelay":"2d",
         "jitter":"full","deterministic":false}"""));
  }

  @Test
  void durationsAreAlsoAcceptedAsMilliseconds() {
    RetryPolicy p = RetryPolicy.fromJson(new JsonObject().put("backoff", "linear").put("base", 30000)
        .put("increment", "15000").put("maxDelay", 600_000.0));
    assertThat(p.backoff()).isEqualTo(Backoff.linear(Duration.ofSeconds(30), Duration.ofSeconds(15)));
    assertThat(p.maxDelay()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void fieldsLeftOutTakeTheDefaults() {
    RetryPolicy p = RetryPolicy.fromJson(new JsonObject().put("maxRetries", 2));
    assertThat(p).isEqualTo(RetryPolicy.DEFAULT.toBuilder().maxRetries(2).build());
  }

  @Test
  void aConfigurationMapOverridesItsBasePolicyFieldByField() {
    RetryPolicy tests = StagePolicies.builtIn().forStage(StagePolicies.TESTS);
    RetryPolicy p = RetryPolicy.fromMap("retry.policies.tests", Map.of("max-retries", "4", "jitter", "NONE"), tests);
    assertThat(p).isEqualTo(tests.toBuilder().maxRetries(4).jitter(Jitter.NONE).build());
  }

  @Test
  void changingTheKindInAMapNeedsTheNewKindsParameters() {
    RetryPolicy p = RetryPolicy.fromMap("p", Map.of("backoff", "linear", "base", "10s"), RetryPolicy.DEFAULT);
    assertThat(p.backoff()).isEqualTo(Backoff.linear(Duration.ofSeconds(10), Duration.ofSeconds(10)));
    assertRefused(() -> RetryPolicy.fromMap("p", Map.of("backoff", "fixed"), RetryPolicy.DEFAULT),
        "p.interval", "is required by fixed backoff");
  }

  @Test
  void customDelaysMayBeAListOrACommaSeparatedString() {
    RetryPolicy fromList = RetryPolicy.fromMap("p", Map.of("backoff", "custom", "delays", List.of("1s", 2000)),
        RetryPolicy.DEFAULT);
    RetryPolicy fromText = RetryPolicy.fromMap("p", Map.of("backoff", "custom", "delays", "1s, 2s"), RetryPolicy.DEFAULT);
    assertThat(fromList).isEqualTo(fromText);
    assertThat(fromText.nominalSchedule(2)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void noneClearsAnInheritedDeadline() {
    RetryPolicy base = RetryPolicy.builder().deadline(Duration.ofMinutes(5)).attemptTimeout(Duration.ofSeconds(9)).build();
    RetryPolicy p = RetryPolicy.fromMap("p", Map.of("deadline", "none", "attempt-timeout", "none"), base);
    assertThat(p.deadline()).isEmpty();
    assertThat(p.attemptTimeout()).isEmpty();
  }

  static Stream<Arguments> badFields() {
    return Stream.of(
        Arguments.of(Map.of("fator", "2"), "retry.policies.tests.fator", "unknown field"),
        Arguments.of(Map.of("backoff", "quadratic"), "retry.policies.tests.backoff", "one of exponential, linear"),
        Arguments.of(Map.of("factor", "0.5"), "retry.policies.tests.factor", "between 1 and 100"),
        Arguments.of(Map.of("factor", "fast"), "retry.policies.tests.factor", "must be a number"),
        Arguments.of(Map.of("base", "0s"), "retry.policies.tests.base", "must be positive"),
        Arguments.of(Map.of("base", "30 seconds"), "retry.policies.tests.base", "must be a duration"),
        Arguments.of(Map.of("base", -5), "retry.policies.tests.base", "must be a duration"),
        Arguments.of(Map.of("base", "400d"), "retry.policies.tests.base", "at most 365d"),
        Arguments.of(Map.of("backoff", "linear", "factor", "2"), "retry.policies.tests.factor",
            "not a parameter of linear backoff (its parameters: base, increment)"),
        Arguments.of(Map.of("backoff", "custom", "delays", List.of("1s", "soon")), "retry.policies.tests.delays[1]",
            "must be a duration"),
        Arguments.of(Map.of("backoff", "custom", "delays", List.of()), "retry.policies.tests.delays", "at least one"),
        Arguments.of(Map.of("max-retries", "-1"), "retry.policies.tests.maxRetries", "between 0 and 1000"),
        Arguments.of(Map.of("maxRetries", "three"), "retry.policies.tests.maxRetries", "whole number"),
        Arguments.of(Map.of("maxRetries", 2.5), "retry.policies.tests.maxRetries", "whole number"),
        Arguments.of(Map.of("max-delay", "500ms"), "retry.policies.tests.maxDelay", "below the first delay 1s"),
        Arguments.of(Map.of("deadline", "0s"), "retry.policies.tests.deadline", "must be positive"),
        Arguments.of(Map.of("attemptTimeout", "later"), "retry.policies.tests.attemptTimeout", "must be a duration"),
        Arguments.of(Map.of("jitter", "some"), "retry.policies.tests.jitter", "none, full, equal, decorrelated"),
        Arguments.of(Map.of("deterministic", "maybe"), "retry.policies.tests.deterministic", "true or false"),
        Arguments.of(Map.of("maxRetries", "2", "max-retries", "3"), "retry.policies.tests.", "given twice"),
        Arguments.of(Map.of("jitter", Map.of("kind", "full")), "retry.policies.tests.jitter", "must be a string"));
  }

  @ParameterizedTest(name = "{0} is refused naming {1}")
  @MethodSource("badFields")
  void aBadFieldIsRefusedNamingItsKeyPath(Map<String, Object> fields, String path, String problem) {
    assertRefused(() -> RetryPolicy.fromMap("retry.policies.tests", fields, RetryPolicy.DEFAULT), path, problem);
  }

  @Test
  void aBadJsonFieldIsRefusedNamingTheField() {
    assertRefused(() -> RetryPolicy.fromJson(new JsonObject().put("maxRetries", 1).put("colour", "red")),
        "colour", "unknown field; known fields: backoff, base, factor");
    assertRefused(() -> RetryPolicy.fromJson(new JsonObject().putNull("base")), "base", "must have a value");
  }

  @Test
  void theBuilderNamesTheFieldItRefuses() {
    assertRefused(() -> RetryPolicy.builder().maxRetries(1001).build(), "maxRetries", "between 0 and 1000");
    assertRefused(() -> RetryPolicy.builder().maxDelay(Duration.ZERO).build(), "maxDelay", "must be positive");
    assertRefused(() -> RetryPolicy.builder().attemptTimeout(Duration.ofSeconds(-1)).build(), "attemptTimeout",
        "must be positive");
    assertRefused(() -> Backoff.exponential(Duration.ofSeconds(1), Double.NaN), "factor", "between 1 and 100");
    assertRefused(() -> Backoff.linear(Duration.ofSeconds(1), Duration.ofSeconds(-1)), "increment", "zero or more");
    assertRefused(() -> Backoff.fixed(null), "interval", "is required");
    assertRefused(() -> Backoff.custom(List.of()), "delays", "at least one");
  }

  static void assertRefused(Runnable call, String field, String problem) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(PolicyException.class, e -> {
      assertThat(e.field()).startsWith(field);
      assertThat(e.getMessage()).startsWith(e.field() + ": ").contains(problem);
    });
  }
}
