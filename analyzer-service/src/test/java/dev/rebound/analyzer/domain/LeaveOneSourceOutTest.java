package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.classification.Category;
import dev.rebound.common.text.AsciiLower;
import dev.rebound.common.text.Redactor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Leave-one-source-out cross-validation on the labeled corpus: how the catalog does on a source's
 * messages with only the rules written for <em>other</em> sources.
 *
 * <p>Rules are not tagged with the source they were written for, so this is derived: a source is the
 * project and document of a corpus line ({@code source} up to its first " (" or URL); for each rule, the
 * set of sources whose messages it matches (any match, not only the deciding one). A message is then
 * scored with a catalog from which every rule is removed whose matching sources are exactly {its own
 * source} — a rule that also recognises another source's messages was general enough to stay. Prints
 * the figures; asserts only that the method ran on the whole corpus (the scores are reported, not
 * targets). {@code -Dloso.misses=true} also prints each message the reduced catalog gets wrong.
 */
class LeaveOneSourceOutTest {

  static String sourceKey(String source) {
    String s = source;
    int url = s.indexOf("http");
    if (url > 0) {
      s = s.substring(0, url);
    }
    int paren = s.indexOf(" (");
    if (paren > 0) {
      s = s.substring(0, paren);
    }
    return s.strip();
  }

  @Test
  void leaveOneSourceOutScoresArePrintedForTheWholeCorpus() throws IOException {
    List<LabeledCorpusTest.Labeled> corpus = LabeledCorpusTest.load();
    List<Rule> rules = RuleCatalog.builtin().rules();
    RuleIndex index = new RuleIndex(rules, Classifier.DEFAULT_REGEX_BUDGET_FLOOR, Classifier.DEFAULT_REGEX_BUDGET_PER_CHAR);
    RuleIndex.Scratch scratch = index.newScratch();
    Redactor redactor = new Redactor();
    Map<String, Set<String>> sourcesOfRule = new HashMap<>();
    for (LabeledCorpusTest.Labeled l : corpus) {
      String redacted = redactor.redact(l.message());
      String lower = AsciiLower.of(redacted);
      index.scan(lower, scratch);
      Evidence e = Evidence.of(FailureInput.ofMessage(l.message()), redacted, lower, StackTraceSummary.EMPTY);
      for (int i : index.matchAll(e, scratch).matched()) {
        sourcesOfRule.computeIfAbsent(index.rule(i).rule.id(), k -> new HashSet<>()).add(sourceKey(l.source()));
      }
    }
    // one source at a time: a classifier per source held at once would not fit in a test JVM
    Map<String, List<LabeledCorpusTest.Labeled>> bySource = new java.util.TreeMap<>();
    corpus.forEach(l -> bySource.computeIfAbsent(sourceKey(l.source()), k -> new ArrayList<>()).add(l));
    int n = 0;
    int category = 0;
    int transientOk = 0;
    int unknown = 0;
    int pbcOffenders = 0;
    int rulesRemovedSum = 0;
    for (Map.Entry<String, List<LabeledCorpusTest.Labeled>> entry : bySource.entrySet()) {
      Set<String> own = Set.of(entry.getKey());
      List<Rule> kept = rules.stream().filter(r -> !own.equals(sourcesOfRule.get(r.id()))).toList();
      rulesRemovedSum += rules.size() - kept.size();
      Classifier c = Classifier.builder(RuleCatalog.of(kept)).build();
      for (LabeledCorpusTest.Labeled l : entry.getValue()) {
        Verdict v = c.classify(FailureInput.ofMessage(l.message()));
        n++;
        category += v.category() == l.category() ? 1 : 0;
        transientOk += v.transientFailure() == l.transientFailure() ? 1 : 0;
        unknown += v.category() == Category.UNKNOWN ? 1 : 0;
        pbcOffenders += l.permanentByConfiguration() && v.transientFailure() && v.confidence() > 0.8 ? 1 : 0;
        if (Boolean.getBoolean("loso.misses") && (v.category() != l.category() || v.transientFailure() != l.transientFailure())) {
          System.out.printf(Locale.ROOT, "  MISS %s/%s got %s/%s (%s, %.2f): %s%n", l.category(), l.transientFailure(), v.category(),
              v.transientFailure(), v.ruleId(), v.confidence(), l.message().replace('\n', ' '));
        }
      }
    }
    System.out.printf(Locale.ROOT, "%n== leave-one-source-out: %d messages, %d sources, %d of %d rules match only one source"
            + " (%.1f removed per source on average) ==%n", n, bySource.size(),
        sourcesOfRule.values().stream().filter(x -> x.size() == 1).count(), rules.size(), rulesRemovedSum / (double) bySource.size());
    System.out.printf(Locale.ROOT, "category accuracy   %.1f %% (%d/%d)%n", 100.0 * category / n, category, n);
    System.out.printf(Locale.ROOT, "transient accuracy  %.1f %% (%d/%d)%n", 100.0 * transientOk / n, transientOk, n);
    System.out.printf(Locale.ROOT, "unknown verdicts    %d (%.1f %%)%n", unknown, 100.0 * unknown / n);
    System.out.printf(Locale.ROOT, "permanent-by-configuration called transient above 0.8: %d%n", pbcOffenders);
    assertThat(n).isEqualTo(corpus.size());
  }
}
