package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;
import dev.rebound.common.classification.Category;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RuleCatalogTest {

  @Test
  void builtInCatalogLoadsAtLeast150RulesWithoutProblems() {
    RuleCatalog catalog = RuleCatalog.builtin();

    assertThat(catalog.problems()).isEmpty();
    assertThat(catalog.rules()).hasSizeGreaterThanOrEqualTo(150);
    assertThat(catalog.rules().stream().map(Rule::id).collect(Collectors.toSet())).hasSize(catalog.rules().size());
  }

  @Test
  void everyBuiltInRuleIsReachableThroughThePrefilter() {
    Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();

    assertThat(classifier.unindexedRules()).isZero();
  }

  @Test
  void brokenRulesAreReportedWithTheirIdAndReasonWhileTheRestLoad() {
    String yaml = """
        rules:
          - id: good-one
            match: {contains: [flux capacitor]}
            category: INFRASTRUCTURE
            transient: true
            rootCause: The flux capacitor failed.
            recommendations: [Replace it.]
          - id: bad-regex
            match: {regex: ['(unclosed']}
            category: NETWORK
            transient: true
            rootCause: x
            recommendations: [y]
          - id: bad-category
            match: {contains: [x]}
            category: WEATHER
            transient: true
            rootCause: x
            recommendations: [y]
          - match: {contains: [x]}
            category: NETWORK
            transient: true
            rootCause: x
            recommendations: [y]
          - id: good-one
            match: {contains: [other]}
            category: NETWORK
            transient: true
            rootCause: x
            recommendations: [y]
          - id: no-matchers
            match: {}
            category: NETWORK
            transient: true
            rootCause: x
            recommendations: [y]
          - id: typo-key
            match: {contains: [x]}
            catgory: NETWORK
            transient: true
            rootCause: x
            recommendations: [y]
          - id: bad-status
            match: {httpStatus: [999]}
            category: NETWORK
            transient: true
            rootCause: x
            recommendations: [y]
          - id: unknown-permanent
            match: {contains: [x]}
            category: UNKNOWN
            transient: false
            rootCause: x
            recommendations: [y]
        """;

    RuleCatalog catalog = RuleCatalog.load(List.of(new RuleCatalog.Source("user.yaml", yaml)));

    assertThat(catalog.rules()).extracting(Rule::id).containsExactly("good-one");
    assertThat(catalog.rules().get(0).rootCause()).isEqualTo("The flux capacitor failed.");
    assertThat(catalog.problems()).extracting(RuleProblem::ruleId)
        .containsExactly("bad-regex", "bad-category", "#4", "good-one", "no-matchers", "typo-key", "bad-status",
            "unknown-permanent");
    assertThat(catalog.problems()).allSatisfy(p -> assertThat(p.source()).isEqualTo("user.yaml"));
    assertThat(catalog.problems().get(0).reason()).contains("bad regex");
    assertThat(catalog.problems().get(1).reason()).contains("unknown category 'WEATHER'");
    assertThat(catalog.problems().get(2).reason()).contains("missing id");
    assertThat(catalog.problems().get(3).reason()).contains("duplicate id");
    assertThat(catalog.problems().get(5).reason()).contains("unknown key 'catgory'");
    assertThat(catalog.problems().get(6).reason()).contains("100..599");
    assertThat(catalog.problems().get(7).reason()).contains("cannot be permanent");
  }

  @Test
  void aUserFileOverridesABuiltInRuleByIdAndCanDisableAnother() {
    String user = """
        rules:
          - id: signal-sigterm
            match: {signal: [SIGTERM]}
            category: INFRASTRUCTURE
            transient: true
            severity: info
            rootCause: Our scheduler sends SIGTERM when it rebalances.
            recommendations: [Retry.]
          - id: k8s-oomkilled
            enabled: false
          - id: acme-ledger-locked
            match: {contains: [ACME-LEDGER-LOCKED]}
            category: EXTERNAL_DEPENDENCY
            transient: true
            rootCause: The ACME ledger is locked for end-of-day.
            recommendations: [Retry after 18:30.]
        """;

    RuleCatalog catalog = RuleCatalog.load(List.of(RuleCatalog.builtinSource(), new RuleCatalog.Source("user.yaml", user)));

    assertThat(catalog.problems()).isEmpty();
    assertThat(catalog.rules()).extracting(Rule::id).doesNotContain("k8s-oomkilled").contains("acme-ledger-locked");
    Rule sigterm = catalog.rules().stream().filter(r -> r.id().equals("signal-sigterm")).findFirst().orElseThrow();
    assertThat(sigterm.category()).isEqualTo(Category.INFRASTRUCTURE);
    Verdict v = Classifier.builder(catalog).build().classify(FailureInput.ofMessage("ACME-LEDGER-LOCKED: try later"));
    assertThat(v.ruleId()).isEqualTo("acme-ledger-locked");
  }

  @Test
  void invalidYamlIsOneProblemNotACrash() {
    RuleCatalog catalog = RuleCatalog.load(List.of(new RuleCatalog.Source("broken.yaml", "rules: [ {id: x")));

    assertThat(catalog.rules()).isEmpty();
    assertThat(catalog.problems()).singleElement().satisfies(p -> assertThat(p.reason()).startsWith("not valid YAML"));
  }

  @Test
  void requiredLiteralsAreExtractedFromRegexes() {
    assertThat(RegexLiterals.required("\\bOOMKilled\\b")).containsExactly("oomkilled");
    assertThat(RegexLiterals.required("connect(?:ion)? refused|ECONNREFUSED")).containsExactly(" refused", "econnrefused");
    assertThat(RegexLiterals.required("Timeout \\d+ms exceeded")).containsExactly("ms exceeded");
    assertThat(RegexLiterals.required("colou?r scheme")).containsExactly("r scheme");
    assertThat(RegexLiterals.required("(?:could not|unable to) (?:connect|establish a connection)"))
        .containsExactly("could not", "unable to");
    assertThat(RegexLiterals.required("(a+)+$")).isNull();
    assertThat(RegexLiterals.leadingLiteral("\\bTimeout \\d+ms")).isEqualTo("timeout ");
    assertThat(RegexLiterals.leadingLiteral("colou?r")).isEqualTo("colo");
    assertThat(RegexLiterals.leadingLiteral("abc|def")).isNull();
    assertThat(RegexLiterals.leadingLiteral("\\d+ Killed")).isNull();
    assertThat(RegexLiterals.required("\\d+|foo")).isNull();
  }
}
