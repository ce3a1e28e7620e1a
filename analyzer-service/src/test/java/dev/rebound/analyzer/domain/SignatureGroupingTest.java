package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The signature on the labeled corpus: a message is "in exactly its group" when the messages sharing its
 * signature are exactly the messages of its label group. Measured against {@code group} (variants of one
 * message shape) and {@code family} (the same failure worded by different tools, the closest the corpus
 * has to "one underlying error").
 */
class SignatureGroupingTest {

  /** A floor against regressions, below the measured 65.9 %: corpus groups are finer than "one underlying error" (k8s-oom and k8s-oom.2 are one error in two shapes). */
  static final double MIN_EXACT_BY_GROUP = 0.60;

  record Row(LabeledCorpusTest.Labeled label, Verdict verdict) {
  }

  private static List<Row> rows;

  @BeforeAll
  static void classifyTheCorpus() throws IOException {
    Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();
    rows = new ArrayList<>();
    for (LabeledCorpusTest.Labeled l : LabeledCorpusTest.load()) {
      rows.add(new Row(l, classifier.classify(FailureInput.ofMessage(l.message()))));
    }
    report("group", r -> r.label().group());
    report("family", r -> r.label().family());
  }

  /** Share of messages whose signature-mates are exactly their label-mates. */
  static double exact(List<Row> of, Function<Row, String> label) {
    Map<String, Set<Integer>> bySig = new TreeMap<>();
    Map<String, Set<Integer>> byLabel = new TreeMap<>();
    for (int i = 0; i < of.size(); i++) {
      bySig.computeIfAbsent(of.get(i).verdict().signature(), k -> new java.util.TreeSet<>()).add(i);
      byLabel.computeIfAbsent(label.apply(of.get(i)), k -> new java.util.TreeSet<>()).add(i);
    }
    long right = 0;
    for (Row r : of) {
      if (bySig.get(r.verdict().signature()).equals(byLabel.get(label.apply(r)))) {
        right++;
      }
    }
    return right / (double) of.size();
  }

  private static void report(String what, Function<Row, String> label) {
    double e = exact(rows, label);
    System.out.printf(Locale.ROOT, "signature grouping by %s: %.1f %% of %d messages in exactly their %s; %d signatures, %d %ss%n",
        what, 100 * e, rows.size(), what, rows.stream().map(r -> r.verdict().signature()).distinct().count(),
        rows.stream().map(label).distinct().count(), what);
    Map<String, List<Row>> byLabel = rows.stream().collect(Collectors.groupingBy(label, TreeMap::new, Collectors.toList()));
    byLabel.forEach((g, members) -> {
      Set<String> sigs = members.stream().map(r -> r.verdict().signature()).collect(Collectors.toSet());
      if (sigs.size() > 1 && Boolean.getBoolean("signature.verbose")) {
        System.out.println("  SPLIT " + what + " " + g + ":" + members.stream().map(r -> "\n    " + r.verdict().signature()
            + " " + r.verdict().ruleId() + " | " + ErrorSignature.maskedCore(r.verdict().redactedMessage())).collect(Collectors.joining()));
      }
    });
    Map<String, List<Row>> bySig = rows.stream().collect(Collectors.groupingBy(r -> r.verdict().signature(), TreeMap::new, Collectors.toList()));
    bySig.forEach((s, members) -> {
      Set<String> labels = members.stream().map(label).collect(Collectors.toSet());
      if (labels.size() > 1 && Boolean.getBoolean("signature.verbose")) {
        System.out.println("  MERGED by " + s + " (" + members.get(0).verdict().ruleId() + "): " + labels);
      }
    });
  }

  @Test
  void mostCorpusMessagesShareASignatureWithExactlyTheirVariants() {
    assertThat(exact(rows, r -> r.label().group())).isGreaterThanOrEqualTo(MIN_EXACT_BY_GROUP);
  }

  @Test
  void theSameErrorThroughDifferentWrappersHasOneSignature() {
    Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();
    List<String> wrapped = List.of(
        "Error: connect ECONNREFUSED 10.0.0.7:5432",
        "2024-05-01T10:00:00.123Z ERROR [worker] Error: connect ECONNREFUSED 10.0.0.9:5432",
        "##[error]Error: connect ECONNREFUSED 127.0.0.1:5432",
        "{\"level\":\"error\",\"message\":\"connect ECONNREFUSED 10.1.2.3:5432\",\"requestId\":\"abc-123\"}");
    Set<String> signatures = wrapped.stream().map(m -> classifier.classify(FailureInput.ofMessage(m)).signature())
        .collect(Collectors.toSet());
    assertThat(signatures).hasSize(1);
  }

  @Test
  void aGenericRuleDoesNotMergeDifferentErrors() {
    Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();
    Verdict a = classifier.classify(FailureInput.ofMessage("HTTP 500 Internal Server Error: upstream payment gateway rejected the batch"));
    Verdict b = classifier.classify(FailureInput.ofMessage("HTTP 500 Internal Server Error: template user_profile.html not found"));
    Verdict c = classifier.classify(FailureInput.ofMessage("HTTP 500 Internal Server Error: upstream payment gateway rejected the batch (request id: 7f3a9c21)"));
    assertThat(a.ruleId()).isEqualTo(b.ruleId());
    assertThat(a.signature()).isNotEqualTo(b.signature());
    assertThat(a.signature()).isEqualTo(c.signature());
  }
}
