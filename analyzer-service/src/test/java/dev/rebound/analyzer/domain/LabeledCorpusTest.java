package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Measures the built-in catalog against real-world messages from public sources
 * (src/test/resources/corpus/labeled-failures.jsonl). The thresholds are those of issue 3.
 */
class LabeledCorpusTest {

  /** {@code split} is "holdout" for messages written after the last rule change and never used to tune rules. */
  record Labeled(String message, String source, Category category, boolean transientFailure, String group,
                 boolean permanentByConfiguration, String split) {
  }

  record Outcome(Labeled label, Verdict verdict) {
    boolean categoryRight() {
      return verdict.category() == label.category();
    }

    boolean transientRight() {
      return verdict.transientFailure() == label.transientFailure();
    }
  }

  private static List<Outcome> outcomes;

  @BeforeAll
  static void classifyTheCorpus() throws IOException {
    Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();
    outcomes = new ArrayList<>();
    for (Labeled l : load()) {
      outcomes.add(new Outcome(l, classifier.classify(FailureInput.ofMessage(l.message()))));
    }
  }

  static List<Labeled> load() throws IOException {
    List<Labeled> out = new ArrayList<>();
    try (InputStream in = LabeledCorpusTest.class.getResourceAsStream("/corpus/labeled-failures.jsonl")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject o = new JsonObject(line);
        out.add(new Labeled(o.getString("message"), o.getString("source"), Category.valueOf(o.getString("category")),
            o.getBoolean("transient"), o.getString("group"), o.getBoolean("permanentByConfiguration", false),
            o.getString("split", "tuning")));
      }
    }
    return out;
  }

  @Test
  void theCorpusHoldsAtLeast200MessagesEachWithASourceAndAGroup() {
    assertThat(outcomes).hasSizeGreaterThanOrEqualTo(200);
    assertThat(outcomes).allSatisfy(o -> {
      assertThat(o.label().source()).isNotBlank();
      assertThat(o.label().group()).isNotBlank();
    });
  }

  @Test
  void categoryAccuracyIsAtLeast90Percent() {
    double accuracy = outcomes.stream().filter(Outcome::categoryRight).count() / (double) outcomes.size();
    report();

    assertThat(accuracy).isGreaterThanOrEqualTo(0.90);
  }

  @Test
  void transientAccuracyIsAtLeast95Percent() {
    double accuracy = outcomes.stream().filter(Outcome::transientRight).count() / (double) outcomes.size();

    assertThat(accuracy).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void noPermanentByConfigurationFailureIsCalledTransientWithHighConfidence() {
    List<String> offenders = outcomes.stream()
        .filter(o -> o.label().permanentByConfiguration() && o.verdict().transientFailure() && o.verdict().confidence() > 0.8)
        .map(o -> o.label().group() + " -> " + o.verdict().ruleId() + " " + o.verdict().confidence())
        .toList();

    assertThat(offenders).isEmpty();
  }

  private static void report() {
    summarize("all", outcomes);
    summarize("holdout", outcomes.stream().filter(o -> o.label().split().equals("holdout")).toList());
    outcomes.stream().filter(o -> !(o.categoryRight() && o.transientRight())).forEach(o -> System.out.printf(Locale.ROOT,
        "  MISS [%s%s] expected %s/%s got %s/%s (%s, %.2f): %s%n", o.label().group(),
        o.label().split().equals("holdout") ? ", holdout" : "", o.label().category(),
        o.label().transientFailure() ? "transient" : "permanent", o.verdict().category(),
        o.verdict().transientFailure() ? "transient" : "permanent", o.verdict().ruleId(), o.verdict().confidence(),
        abbreviate(o.label().message())));
  }

  private static void summarize(String name, List<Outcome> outcomes) {
    int n = outcomes.size();
    long category = outcomes.stream().filter(Outcome::categoryRight).count();
    long transientOk = outcomes.stream().filter(Outcome::transientRight).count();
    long unknown = outcomes.stream().filter(o -> o.verdict().category() == Category.UNKNOWN).count();
    long pbc = outcomes.stream().filter(o -> o.label().permanentByConfiguration()).count();
    long pbcTransient = outcomes.stream()
        .filter(o -> o.label().permanentByConfiguration() && o.verdict().transientFailure()).count();
    double meanConfidenceRight = outcomes.stream().filter(o -> o.categoryRight() && o.transientRight())
        .mapToDouble(o -> o.verdict().confidence()).average().orElse(0);
    double meanConfidenceWrong = outcomes.stream().filter(o -> !(o.categoryRight() && o.transientRight()))
        .mapToDouble(o -> o.verdict().confidence()).average().orElse(0);

    // Fingerprints: how often one group maps to one fingerprint, and whether groups share fingerprints.
    Map<String, Set<String>> fingerprintsByGroup = new HashMap<>();
    Map<String, Set<String>> groupsByFingerprint = new HashMap<>();
    for (Outcome o : outcomes) {
      fingerprintsByGroup.computeIfAbsent(o.label().group(), g -> new HashSet<>()).add(o.verdict().fingerprint());
      groupsByFingerprint.computeIfAbsent(o.verdict().fingerprint(), f -> new HashSet<>()).add(o.label().group());
    }
    long multiMessageGroups = outcomes.stream().map(o -> o.label().group()).distinct()
        .filter(g -> outcomes.stream().filter(o -> o.label().group().equals(g)).count() > 1).count();
    long oneFingerprintGroups = fingerprintsByGroup.entrySet().stream()
        .filter(e -> e.getValue().size() == 1)
        .filter(e -> outcomes.stream().filter(o -> o.label().group().equals(e.getKey())).count() > 1).count();
    long sharedFingerprints = groupsByFingerprint.values().stream().filter(g -> g.size() > 1).count();

    // Pairwise: of the message pairs in one group, how many share a fingerprint (groups are semantic, so
    // differently worded reports of one error legitimately differ); of pairs across groups, how many collide.
    long samePairs = 0;
    long sameGroupSameFp = 0;
    long crossCollisions = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        Outcome a = outcomes.get(i);
        Outcome b = outcomes.get(j);
        boolean sameFp = a.verdict().fingerprint().equals(b.verdict().fingerprint());
        if (a.label().group().equals(b.label().group())) {
          samePairs++;
          sameGroupSameFp += sameFp ? 1 : 0;
        } else if (sameFp) {
          crossCollisions++;
          System.out.printf(Locale.ROOT, "  fingerprint shared by groups %s and %s%n", a.label().group(), b.label().group());
        }
      }
    }
    System.out.printf(Locale.ROOT, "%n== labeled corpus (%s): %d messages, %d groups ==%n", name, n, fingerprintsByGroup.size());
    System.out.printf(Locale.ROOT, "category accuracy   %.1f %% (%d/%d)%n", 100.0 * category / n, category, n);
    System.out.printf(Locale.ROOT, "transient accuracy  %.1f %% (%d/%d)%n", 100.0 * transientOk / n, transientOk, n);
    System.out.printf(Locale.ROOT, "unknown verdicts    %d%n", unknown);
    System.out.printf(Locale.ROOT, "permanent-by-configuration called transient: %d of %d (none above 0.8 allowed)%n",
        pbcTransient, pbc);
    System.out.printf(Locale.ROOT, "mean confidence: right %.2f, wrong %.2f%n", meanConfidenceRight, meanConfidenceWrong);
    System.out.printf(Locale.ROOT, "fingerprints: %d of %d multi-message groups collapse to one fingerprint; "
        + "%d fingerprints shared by different groups%n", oneFingerprintGroups, multiMessageGroups, sharedFingerprints);
    System.out.printf(Locale.ROOT, "fingerprint pairs: %d of %d same-group pairs share one; %d cross-group pairs collide%n",
        sameGroupSameFp, samePairs, crossCollisions);
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 140 ? one.substring(0, 140) + "…" : one;
  }
}
