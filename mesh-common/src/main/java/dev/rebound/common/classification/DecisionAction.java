package dev.rebound.common.classification;

/**
 * What the retry service decided for a failed attempt: retry it at a time, park it (BLOCKED until a
 * circuit half-opens or a person unblocks it), dead-letter it (FAILED), or abort its whole workflow.
 */
public enum DecisionAction {
  RETRY,
  PARK,
  DEAD_LETTER,
  ABORT_WORKFLOW
}
