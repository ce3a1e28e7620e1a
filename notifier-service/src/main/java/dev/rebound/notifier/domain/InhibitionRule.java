package dev.rebound.notifier.domain;

import dev.rebound.common.policy.ConfigMap.Nulls;
import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Alertmanager's inhibition: while an alert matching {@link #sourceMatchers()} fires, alerts matching
 * {@link #targetMatchers()} with the same values of the {@link #equal()} labels are not notified. A label
 * missing on both sides counts as equal (Alertmanager's rule). An alert matching both sides cannot be
 * inhibited by alerts that also match both sides — including itself.
 */
public record InhibitionRule(List<LabelMatcher> sourceMatchers, List<LabelMatcher> targetMatchers,
    List<String> equal) {

  public InhibitionRule {
    sourceMatchers = List.copyOf(sourceMatchers);
    targetMatchers = List.copyOf(targetMatchers);
    equal = List.copyOf(equal);
  }

  /** Rebound's default: an open circuit of a stage inhibits the dead-letter alerts of that stage. */
  public static InhibitionRule openCircuitInhibitsDeadLetters() {
    return new InhibitionRule(
        List.of(new LabelMatcher(AlertLabels.KIND, LabelMatcher.Op.EQUAL, AlertLabels.CIRCUIT_OPEN)),
        List.of(new LabelMatcher(AlertLabels.KIND, LabelMatcher.Op.EQUAL, AlertLabels.DEAD_LETTER)),
        List.of(AlertLabels.STAGE));
  }

  /** Whether {@code target} is inhibited by any of the {@code firing} alerts' labels. */
  public boolean inhibits(Map<String, String> target, Collection<Map<String, String>> firing) {
    if (!LabelMatcher.all(targetMatchers, target)) {
      return false;
    }
    boolean targetIsSourceToo = LabelMatcher.all(sourceMatchers, target);
    for (Map<String, String> source : firing) {
      if (!LabelMatcher.all(sourceMatchers, source)) {
        continue;
      }
      if (targetIsSourceToo && LabelMatcher.all(targetMatchers, source)) {
        continue;
      }
      boolean same = true;
      for (String name : equal) {
        same &= Objects.equals(source.getOrDefault(name, ""), target.getOrDefault(name, ""));
      }
      if (same) {
        return true;
      }
    }
    return false;
  }

  /** Whether any rule inhibits {@code target}. */
  public static boolean anyInhibits(List<InhibitionRule> rules, Map<String, String> target,
      Collection<Map<String, String>> firing) {
    return rules.stream().anyMatch(r -> r.inhibits(target, firing));
  }

  static InhibitionRule fromMap(String path, Object raw) {
    ConfigMap r = ConfigMap.of(path, raw, Set.of("sourceMatchers", "targetMatchers", "equal"), Nulls.ABSENT);
    List<String> src = r.strings("sourceMatchers");
    List<String> tgt = r.strings("targetMatchers");
    PolicyException.check(!src.isEmpty(), r.key("source-matchers"), "must have at least one matcher");
    PolicyException.check(!tgt.isEmpty(), r.key("target-matchers"), "must have at least one matcher");
    return new InhibitionRule(
        IntStream.range(0, src.size())
            .mapToObj(i -> LabelMatcher.parse(r.key("source-matchers") + "[" + i + "]", src.get(i))).toList(),
        IntStream.range(0, tgt.size())
            .mapToObj(i -> LabelMatcher.parse(r.key("target-matchers") + "[" + i + "]", tgt.get(i))).toList(),
        r.strings("equal"));
  }
}
