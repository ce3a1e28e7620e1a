package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.List;

/**
 * Why a workflow was aborted, for the alert and the people reading it: the window's figures and what
 * its failures had in common.
 *
 * @param topFingerprints the most frequent fingerprints among the failures, most frequent first
 * @param categories      the failures per category, most frequent first
 * @param stages          the failures per stage, most frequent first
 */
public record AbortAnalysis(String workflowId, int attempts, int failures, double failureRatio, double threshold,
    List<Count> topFingerprints, List<Count> categories, List<Count> stages, List<String> failedTasks, Instant at) {

  /** How often a value occurred. */
  public record Count(String value, int count) {
  }

  public AbortAnalysis {
    topFingerprints = List.copyOf(topFingerprints);
    categories = List.copyOf(categories);
    stages = List.copyOf(stages);
    failedTasks = List.copyOf(failedTasks);
  }

  /** One sentence: "7 of the last 10 attempts failed (70 % > 50 %); top fingerprint … (4×)". */
  public String summary() {
    StringBuilder sb = new StringBuilder().append(failures).append(" of the last ").append(attempts)
        .append(" attempts failed (").append(Math.round(failureRatio * 100)).append(" % > ")
        .append(Math.round(threshold * 100)).append(" %)");
    if (!categories.isEmpty()) {
      sb.append("; categories: ");
      sb.append(String.join(", ", categories.stream().map(c -> c.value() + " " + c.count() + "×").toList()));
    }
    if (!topFingerprints.isEmpty()) {
      sb.append("; top fingerprint ").append(topFingerprints.get(0).value()).append(" (")
          .append(topFingerprints.get(0).count()).append("×)");
    }
    return sb.toString();
  }
}
