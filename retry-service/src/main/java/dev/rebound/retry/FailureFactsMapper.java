package dev.rebound.retry;

import dev.rebound.common.message.FailureClassified;
import dev.rebound.common.message.TaskView;
import dev.rebound.retry.domain.FailureFacts;
import java.time.Duration;

/**
 * The one mapping of the wire onto the rules' {@link FailureFacts}: the analyzer's {@link FailureClassified}
 * (its verdict, or none: degraded) and the task behind it as the ledger shows it (agent, workflow, the run's
 * attempts). The task's own {@code maxAttempts} is not passed on: the ledger stores its default there when a
 * task gives none, so it cannot tell the two apart; the stage's policy decides.
 */
final class FailureFactsMapper {
  private FailureFactsMapper() {
  }

  static FailureFacts map(FailureClassified c, TaskView task) {
    String stage = c.stage() != null && !c.stage().isBlank() ? c.stage() : task.stage();
    int attempt = c.attempt();
    // the attempts of earlier runs (before a redrive): this run's first attempt is attemptBase + 1
    int attemptBase = Math.max(0, Math.min(attempt - 1, task.attempt() - task.attemptsThisRun()));
    FailureFacts.Builder b = FailureFacts.builder(stage)
        .taskId(c.taskId().toString())
        .attempt(attempt)
        .attemptBase(attemptBase)
        .firstAttemptAt(attemptBase == 0 ? task.createdAt() : null)
        .agent(task.agent())
        .workflowId(c.workflowId() != null ? c.workflowId() : task.workflowId());
    FailureClassified.Signals s = c.signals();
    if (s != null) {
      b.errorType(s.errorType()).causeTypes(s.causeTypes()).httpStatus(s.httpStatus()).exitCode(s.exitCode())
          .sqlState(s.sqlState()).dependency(s.dependency());
    }
    FailureClassified.Verdict v = c.verdict();
    if (v == null) {
      return b.noVerdict().message(task.lastError()).build();
    }
    double confidence = Double.isFinite(v.confidence()) ? Math.max(0, Math.min(1, v.confidence())) : 0;
    b.verdict(v.category().name(), v.transientFailure(), confidence)
        .severity(v.severity() == null ? null : v.severity().label())
        .fingerprint(v.fingerprint())
        .message(v.redacted() != null ? v.redacted() : task.lastError());
    if (v.retryAfterMs() != null && v.retryAfterMs() > 0) {
      b.retryAfter(Duration.ofMillis(v.retryAfterMs()));
    }
    return b.build();
  }
}
