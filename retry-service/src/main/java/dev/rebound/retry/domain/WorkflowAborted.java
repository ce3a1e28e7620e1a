package dev.rebound.retry.domain;

import java.time.Instant;

/** The rules aborted a workflow: the ledger cancels its remaining tasks; the notifier alerts with the analysis. */
public record WorkflowAborted(AbortAnalysis analysis) implements RetryEvent {
  @Override
  public Instant at() {
    return analysis.at();
  }

  @Override
  public boolean alert() {
    return true;
  }
}
