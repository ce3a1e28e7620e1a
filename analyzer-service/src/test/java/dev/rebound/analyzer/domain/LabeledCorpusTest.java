package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.classification.Category;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Measures the built-in catalog and the fingerprints against real-world messages from public sources
 * (src/test/resources/corpus/labeled-failures.jsonl, described in its README). The thresholds are
 * those of issue 3, asserted on the whole corpus <em>and</em> on the held-out messages alone.
 *
 * <p>Held out: the lines whose {@code split} is {@code holdout} (the first 40 held-out messages and
 * their variants), never used to write or adjust rules. {@code tuned2} is a second batch written
 * from its sources without reading the catalog: measured as held out it scored 89.1 % category and
 * 92.4 % transient (held out and batch 2 together, 119 messages) — below the thresholds — and the
 * rules added for the gaps it exposed make it tuning data now. The rest ({@code tuning}) was used
 * to write rules.
 *
 * <p>{@code group} is the same underlying error in different variants (other hosts, ports, ids, paths,
 * timings, quoted values, counts); {@code family} is the broader kind of error (the same failure
 * worded differently by different tools), which is not expected to share a fingerprint.
 */
class LabeledCorpusTest {

  static final double MIN_CATEGORY_ACCURACY = 0.90;
  static final double MIN_TRANSIENT_ACCURACY = 0.95;
  static final double MAX_TRANSIENT_CONFIDENCE_FOR_PERMANENT_BY_CONFIGURATION = 0.8;
  static final double MIN_SAME_GROUP_SHARED = 0.90;
  static final double MIN_CROSS_GROUP_DISTINCT = 0.99;

  /** {@code split}: "tuning", "holdout" or "tuned2"; see the class comment. */
  record Labeled(int line, String message, String source, Category category, boolean transientFailure, String family,
                 String group, boolean permanentByConfiguration, String split) {
    boolean heldOut() {
      return split.equals("holdout");
    }
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
    // One classifier for the whole corpus, in file order: the miner learns online as a service would.
    Classifier classifier = Classifier.builder(RuleCatalog.builtin()).build();
    outcomes = new ArrayList<>();
    for (Labeled l : load()) {
      outcomes.add(new Outcome(l, classifier.classify(FailureInput.ofMessage(l.message()))));
    }
    summarize("all", outcomes);
    summarize("held out (holdout)", heldOut());
    summarize("tuned2 (the second batch, after its gaps were filled)",
        outcomes.stream().filter(o -> o.label().split().equals("tuned2")).toList());
    outcomes.stream().filter(o -> !(o.categoryRight() && o.transientRight())).forEach(o -> System.out.printf(Locale.ROOT,
        "  MISS line %d [%s%s] expected %s/%s got %s/%s (%s, %.2f): %s%n", o.label().line(), o.label().group(),
        o.label().heldOut() ? ", " + o.label().split() : "", o.label().category(),
        o.label().transientFailure() ? "transient" : "permanent", o.verdict().category(),
        o.verdict().transientFailure() ? "transient" : "permanent", o.verdict().ruleId(), o.verdict().confidence(),
        abbreviate(o.label().message())));
  }

  static List<Labeled> load() throws IOException {
    List<Labeled> out = new ArrayList<>();
    try (InputStream in = LabeledCorpusTest.class.getResourceAsStream("/corpus/labeled-failures.jsonl")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String[] lines = text.split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].isBlank()) {
          continue;
        }
        JsonObject o = new JsonObject(lines[i]);
        out.add(new Labeled(i + 1, o.getString("message"), o.getString("source"), Category.valueOf(o.getString("category")),
            o.getBoolean("transient"), o.getString("family"), o.getString("group"),
            o.getBoolean("permanentByConfiguration", false), o.getString("split", "tuning")));
      }
    }
    return out;
  }

  private static List<Outcome> heldOut() {
    return outcomes.stream().filter(o -> o.label().heldOut()).toList();
  }

  @Test
  void theCorpusHoldsEnoughLabeledMessagesAndVariantGroups() {
    assertThat(outcomes).hasSizeGreaterThanOrEqualTo(200);
    assertThat(outcomes).allSatisfy(o -> {
      assertThat(o.label().source()).isNotBlank();
      assertThat(o.label().group()).isNotBlank();
      assertThat(o.label().family()).isNotBlank();
      assertThat(o.label().split()).isIn("tuning", "holdout", "tuned2");
    });
    Map<String, Long> groupSizes = outcomes.stream().collect(Collectors.groupingBy(o -> o.label().group(), Collectors.counting()));
    assertThat(groupSizes.values().stream().filter(n -> n > 1).count()).isGreaterThanOrEqualTo(120);
    assertThat(heldOut()).hasSizeGreaterThanOrEqualTo(60);  // the untouched held-out batch (tuned2 no longer counts)
    // a group is one error: one family, one expected verdict
    Map<String, Set<String>> labelsByGroup = new HashMap<>();
    for (Outcome o : outcomes) {
      labelsByGroup.computeIfAbsent(o.label().group(), g -> new HashSet<>()).add(o.label().family() + " "
          + o.label().category() + " " + o.label().transientFailure() + " " + o.label().permanentByConfiguration());
    }
    assertThat(labelsByGroup.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey)).isEmpty();
  }

  @Test
  void categoryAccuracyIsAtLeast90PercentOnTheWholeCorpus() {
    assertAccuracy("category", outcomes, Outcome::categoryRight, MIN_CATEGORY_ACCURACY);
  }

  @Test
  void categoryAccuracyIsAtLeast90PercentOnTheHeldOutMessages() {
    assertAccuracy("held-out category", heldOut(), Outcome::categoryRight, MIN_CATEGORY_ACCURACY);
  }

  @Test
  void transientAccuracyIsAtLeast95PercentOnTheWholeCorpus() {
    assertAccuracy("transient", outcomes, Outcome::transientRight, MIN_TRANSIENT_ACCURACY);
  }

  @Test
  void transientAccuracyIsAtLeast95PercentOnTheHeldOutMessages() {
    assertAccuracy("held-out transient", heldOut(), Outcome::transientRight, MIN_TRANSIENT_ACCURACY);
  }

  /** Fails with the measured figure and every miss; never lower a threshold or relabel to make this pass. */
  private static void assertAccuracy(String what, List<Outcome> of, Predicate<Outcome> right, double min) {
    double accuracy = accuracy(of, right);
    String misses = of.stream().filter(right.negate()).map(o -> String.format(Locale.ROOT,
        "  line %d [%s, %s] expected %s/%s got %s/%s (rule %s, %.2f): %s", o.label().line(), o.label().group(),
        o.label().split(), o.label().category(), o.label().transientFailure() ? "transient" : "permanent",
        o.verdict().category(), o.verdict().transientFailure() ? "transient" : "permanent", o.verdict().ruleId(),
        o.verdict().confidence(), abbreviate(o.label().message()))).collect(Collectors.joining("\n"));
    assertThat(accuracy)
        .withFailMessage("%s accuracy %.1f %% over %d messages, at least %.0f %% required; misses:%n%s", what,
            100 * accuracy, of.size(), 100 * min, misses)
        .isGreaterThanOrEqualTo(min);
  }

  @Test
  void noPermanentByConfigurationFailureIsCalledTransientWithHighConfidence() {
    assertThat(permanentByConfigurationOffenders(outcomes)).isEmpty();
  }

  @Test
  void noHeldOutPermanentByConfigurationFailureIsCalledTransientWithHighConfidence() {
    assertThat(heldOut()).anyMatch(o -> o.label().permanentByConfiguration());
    assertThat(permanentByConfigurationOffenders(heldOut())).isEmpty();
  }

  @Test
  void variantsOfOneErrorShareAFingerprint() {
    Pairs p = pairs(outcomes);
    double shared = p.sameGroupShared / (double) p.sameGroup;

    assertThat(shared)
        .withFailMessage("%d of %d same-group pairs share a fingerprint (%.1f %%, at least %.0f %% required); split groups:%n%s",
            p.sameGroupShared, p.sameGroup, 100 * shared, 100 * MIN_SAME_GROUP_SHARED, String.join("\n", p.splitGroups))
        .isGreaterThanOrEqualTo(MIN_SAME_GROUP_SHARED);
  }

  @Test
  void differentErrorsHaveDifferentFingerprints() {
    Pairs p = pairs(outcomes);
    double distinct = 1 - p.crossGroupCollisions / (double) p.crossGroup;

    assertThat(distinct)
        .withFailMessage("%d of %d different-group pairs collide (%.2f %% distinct, at least %.0f %% required); collisions:%n%s",
            p.crossGroupCollisions, p.crossGroup, 100 * distinct, 100 * MIN_CROSS_GROUP_DISTINCT, String.join("\n", p.collisions))
        .isGreaterThanOrEqualTo(MIN_CROSS_GROUP_DISTINCT);
  }

  private static double accuracy(List<Outcome> of, Predicate<Outcome> right) {
    return of.stream().filter(right).count() / (double) of.size();
  }

  private static List<String> permanentByConfigurationOffenders(List<Outcome> of) {
    return of.stream()
        .filter(o -> o.label().permanentByConfiguration() && o.verdict().transientFailure()
            && o.verdict().confidence() > MAX_TRANSIENT_CONFIDENCE_FOR_PERMANENT_BY_CONFIGURATION)
        .map(o -> "line " + o.label().line() + " " + o.label().group() + " -> " + o.verdict().ruleId() + " " + o.verdict().confidence())
        .toList();
  }

  /** Pairwise fingerprint agreement; offenders are described for the failure messages. */
  record Pairs(long sameGroup, long sameGroupShared, long crossGroup, long crossGroupCollisions, List<String> splitGroups,
               List<String> collisions) {
  }

  static Pairs pairs(List<Outcome> of) {
    long same = 0;
    long shared = 0;
    long cross = 0;
    long collide = 0;
    Set<String> collisions = new TreeSet<>();
    for (int i = 0; i < of.size(); i++) {
      for (int j = i + 1; j < of.size(); j++) {
        Outcome a = of.get(i);
        Outcome b = of.get(j);
        boolean sameFp = a.verdict().fingerprint().equals(b.verdict().fingerprint());
        if (a.label().group().equals(b.label().group())) {
          same++;
          shared += sameFp ? 1 : 0;
        } else {
          cross++;
          if (sameFp) {
            collide++;
            collisions.add("  " + a.label().group() + " (line " + a.label().line() + ") and " + b.label().group()
                + " (line " + b.label().line() + "): " + a.verdict().template());
          }
        }
      }
    }
    List<String> split = new ArrayList<>();
    Map<String, List<Outcome>> byGroup = of.stream().collect(Collectors.groupingBy(o -> o.label().group(),
        TreeMap::new, Collectors.toList()));
    byGroup.forEach((g, members) -> {
      if (members.stream().map(o -> o.verdict().fingerprint()).distinct().count() > 1) {
        split.add("  " + g + ":" + members.stream().map(o -> "\n    line " + o.label().line() + " "
            + o.verdict().fingerprint() + " " + abbreviate(o.verdict().template())).collect(Collectors.joining()));
      }
    });
    return new Pairs(same, shared, cross, collide, split, List.copyOf(collisions));
  }

  private static void summarize(String name, List<Outcome> of) {
    int n = of.size();
    long category = of.stream().filter(Outcome::categoryRight).count();
    long transientOk = of.stream().filter(Outcome::transientRight).count();
    long unknown = of.stream().filter(o -> o.verdict().category() == Category.UNKNOWN).count();
    long pbc = of.stream().filter(o -> o.label().permanentByConfiguration()).count();
    long pbcTransient = of.stream().filter(o -> o.label().permanentByConfiguration() && o.verdict().transientFailure()).count();
    double meanConfidenceRight = of.stream().filter(o -> o.categoryRight() && o.transientRight())
        .mapToDouble(o -> o.verdict().confidence()).average().orElse(0);
    double meanConfidenceWrong = of.stream().filter(o -> !(o.categoryRight() && o.transientRight()))
        .mapToDouble(o -> o.verdict().confidence()).average().orElse(0);
    Map<String, Long> groupSizes = of.stream().collect(Collectors.groupingBy(o -> o.label().group(), Collectors.counting()));
    Pairs p = pairs(of);
    System.out.printf(Locale.ROOT, "%n== labeled corpus (%s): %d messages, %d groups (%d with variants) ==%n", name, n,
        groupSizes.size(), groupSizes.values().stream().filter(s -> s > 1).count());
    System.out.printf(Locale.ROOT, "category accuracy   %.1f %% (%d/%d)%n", 100.0 * category / n, category, n);
    System.out.printf(Locale.ROOT, "transient accuracy  %.1f %% (%d/%d)%n", 100.0 * transientOk / n, transientOk, n);
    System.out.printf(Locale.ROOT, "unknown verdicts    %d%n", unknown);
    System.out.printf(Locale.ROOT, "permanent-by-configuration called transient: %d of %d (none above 0.8 allowed)%n",
        pbcTransient, pbc);
    System.out.printf(Locale.ROOT, "mean confidence: right %.2f, wrong %.2f%n", meanConfidenceRight, meanConfidenceWrong);
    System.out.printf(Locale.ROOT, "fingerprints: %d of %d same-group pairs share one (%.1f %%); %d of %d cross-group pairs collide (%.2f %% distinct)%n",
        p.sameGroupShared, p.sameGroup, 100.0 * p.sameGroupShared / Math.max(1, p.sameGroup), p.crossGroupCollisions,
        p.crossGroup, 100.0 - 100.0 * p.crossGroupCollisions / Math.max(1, p.crossGroup));
    if (name.equals("all")) {
      p.splitGroups().forEach(System.out::println);
      p.collisions().forEach(System.out::println);
    }
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 140 ? one.substring(0, 140) + "…" : one;
  }
}
