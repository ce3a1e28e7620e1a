package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DecisionRulesTest {

  static List<Arguments> badConfigurations() {
    return List.of(
        Arguments.of(Map.of("timeScale", 0), "retry.timeScale"),
        Arguments.of(Map.of("colour", "red"), "retry.colour"),
        Arguments.of(Map.of("policies", Map.of("tests", Map.of("factor", "x"))), "retry.policies.tests.factor"),
        Arguments.of(Map.of("conditions", Map.of("tests", Map.of("minConfidence", 1.5))), "retry.conditions.tests.minConfidence"),
        Arguments.of(Map.of("conditions", Map.of("default", Map.of("maxFreeRetries", -1))), "retry.conditions.default.maxFreeRetries"),
        Arguments.of(Map.of("conditions", Map.of("tests", Map.of("retryOn", Map.of("httpStatuses", List.of("5xx", "abc"))))),
            "retry.conditions.tests.retryOn.httpStatuses[1]"),
        Arguments.of(Map.of("conditions", Map.of("tests", Map.of("neverRetryOn", Map.of("messages", List.of("(unclosed"))))),
            "retry.conditions.tests.neverRetryOn.messages[0]"),
        Arguments.of(Map.of("conditions", Map.of("tests", Map.of("retryOn", Map.of("sqlStates", List.of("40", "4-0"))))),
            "retry.conditions.tests.retryOn.sqlStates[1]"),
        Arguments.of(Map.of("conditions", Map.of("tests", Map.of("retryOn", Map.of("exitCode", 1)))),
            "retry.conditions.tests.retryOn.exitCode"),
        Arguments.of(Map.of("conditions", Map.of("tests", "often")), "retry.conditions.tests"),
        Arguments.of(Map.of("circuits", Map.of("stage", Map.of("failure-threshold", -1))), "retry.circuits.stage.failureThreshold"),
        Arguments.of(Map.of("circuits", Map.of("agent", Map.of("openDuration", "soon"))), "retry.circuits.agent.openDuration"),
        Arguments.of(Map.of("circuits", Map.of("stage", Map.of("halfOpenProbes", 1, "successThreshold", 2))),
            "retry.circuits.stage.successThreshold"),
        Arguments.of(Map.of("circuits", Map.of("stage", Map.of("slidingWindowType", "sometimes"))),
            "retry.circuits.stage.slidingWindowType"),
        Arguments.of(Map.of("circuits", Map.of("names", Map.of("queue:x", Map.of()))), "retry.circuits.names.queue:x"),
        Arguments.of(Map.of("circuits", Map.of("names", Map.of("dependency:github", Map.of("minimumCalls", 0)))),
            "retry.circuits.names.dependency:github.minimumCalls"),
        Arguments.of(Map.of("budgets", Map.of("global", Map.of("ratio", -0.1))), "retry.budgets.global.ratio"),
        Arguments.of(Map.of("budgets", Map.of("stages", Map.of("tests", Map.of("whenExhausted", "panic")))),
            "retry.budgets.stages.tests.whenExhausted"),
        Arguments.of(Map.of("budgets", Map.of("stage", Map.of("window", "0ms"))), "retry.budgets.stage.window"),
        Arguments.of(Map.of("abort", Map.of("failureRatio", "150%")), "retry.abort.failureRatio"),
        Arguments.of(Map.of("abort", Map.of("window", 5, "minimumAttempts", 6)), "retry.abort.minimumAttempts"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badConfigurations")
  void eachInvalidSettingIsRefusedWithAnErrorNamingItsKey(Map<String, ?> config, String key) {
    PolicyException e = catchThrowableOfType(PolicyException.class, () -> DecisionRules.fromMap("retry", config));

    assertThat(e).as("no error for " + config).isNotNull();
    assertThat(e.field()).isEqualTo(key);
    assertThat(e.getMessage()).startsWith(key + ": ");
  }

  @Test
  void aFullConfigurationIsReadWithKebabCaseKeysAndStringScalarsAsYamlGivesThem() {
    DecisionRules rules = DecisionRules.fromMap("retry", Map.of(
        "time-scale", "0.5",
        "policies", Map.of("tests", Map.of("max-retries", "4")),
        "conditions", Map.of("default", Map.of("min-confidence", "0.7"),
            "tests", Map.of("retry-on", Map.of("exit-codes", "1"))),
        "circuits", Map.of("stage", Map.of("failure-threshold", "3", "open-duration", "1m"),
            "names", Map.of("dependency:github", Map.of("sliding-window-type", "time-based"))),
        "budgets", Map.of("global", Map.of("ratio", "0.5", "when-exhausted", "dead-letter"),
            "stages", Map.of("tests", Map.of("min-retries-per-second", "1"))),
        "abort", Map.of("failure-ratio", "40%", "window", "20", "minimum-attempts", "5")));

    assertThat(rules.policy("tests").maxRetries()).isEqualTo(4);
    assertThat(rules.policy("tests").nominalDelay(1)).isEqualTo(Duration.ofSeconds(15));
    assertThat(rules.conditions("other").minConfidence()).isEqualTo(0.7);
    assertThat(rules.conditions("tests").minConfidence()).isEqualTo(0.7);
    assertThat(rules.conditions("tests").retryOn().exitCodes().find(1)).isNotNull();
    assertThat(rules.circuit(CircuitName.stage("x")).failureThreshold()).isEqualTo(3);
    assertThat(rules.circuit(CircuitName.stage("x")).openDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(rules.circuit(CircuitName.dependency("github")).slidingWindowType()).isEqualTo(SlidingWindow.Type.TIME_BASED);
    assertThat(rules.globalBudget().whenExhausted()).isEqualTo(BudgetConfig.WhenExhausted.DEAD_LETTER);
    assertThat(rules.stageBudget("tests").minRetriesPerSecond()).isEqualTo(1);
    assertThat(rules.abort().failureRatio()).isEqualTo(0.4);
    assertThat(rules.abort().minimumAttempts()).isEqualTo(5);
  }

  @Test
  void theDefaultsAreTheDocumentedFigures() {
    DecisionRules d = DecisionRules.defaults();

    assertThat(d.circuit(CircuitName.stage("any")).failureThreshold()).isEqualTo(5);
    assertThat(d.conditions("any").freeCategories()).containsExactly("RATE_LIMIT");
    assertThat(d.abort().failureRatio()).isEqualTo(0.5);
    assertThat(d.abort().window()).isEqualTo(10);
    assertThat(d.policy("coverage").nominalSchedule(5)).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60));
    assertThat(d.toMap()).containsKeys("conditions", "circuits", "budgets", "abort");
  }

  @Test
  void builderErrorsNameTheFieldAsTheBuilderCallsIt() {
    PolicyException e = catchThrowableOfType(PolicyException.class,
        () -> CircuitConfig.builder().openDuration(Duration.ofMinutes(20)).build());

    assertThat(e.field()).isEqualTo("maxOpenDuration");
  }
}
