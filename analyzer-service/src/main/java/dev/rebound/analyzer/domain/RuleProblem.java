package dev.rebound.analyzer.domain;

/**
 * A rule that could not be loaded, and why. The rest of the catalog still loads.
 *
 * @param source where the rule came from (resource or file name)
 * @param ruleId the rule's id, or {@code #n} (its position) when it has none
 * @param reason what is wrong, in words a rule author can act on
 */
public record RuleProblem(String source, String ruleId, String reason) {
  @Override
  public String toString() {
    return source + ": rule " + ruleId + ": " + reason;
  }
}
