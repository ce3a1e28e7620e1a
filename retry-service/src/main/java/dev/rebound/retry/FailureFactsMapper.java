package dev.rebound.retry;

import dev.rebound.common.message.FailureClassified;
import dev.rebound.common.message.TaskContext;
import dev.rebound.common.message.TaskView;
import dev.rebound.retry.domain.FailureFacts;
import java.time.Duration;

/**
 * The one mapping of the wire onto the rules' {@link FailureFacts}: the analyzer's {@link FailureClassified}
 * (its verdict, or none: degraded) and the task behind it — as the ledger described it when it recorded the
 * failure ({@link FailureClassified#task()}), or, when the failure did not carry that, as the ledger shows
 * the task now. The task's own {@code maxAttempts} overrides its stage's policy only when the task was
 * enqueued with one (the {@link TaskContext} says so; a task read back cannot tell it from the ledger's default).
 */
final class FailureFactsMapper {
  private FailureFactsMapper() {
  }

  /** True when {@code c} alone is enough to decide: it carries the task's context, its stage and a verdict. */
  static boolean complete(FailureClassified c) {
    return c.task() != null && c.stage() != null && !c.stage().isBlank() && c.verdict() != null;
  }

  /** @param task the task as the ledger shows it; null when {@code c} is {@link #complete} */
  static FailureFacts map(FailureClassified c, TaskView task) {
    TaskContext ctx = task == null ? c.task() : null;
    String stage = c.stage() != null && !c.stage().isBlank() ? c.stage() : task.stage();
    int attempt = c.attempt();
    // the attempts of earlier runs (before a redrive): this run's first attempt is attemptBase + 1
    int attemptBase = Math.max(0, Math.min(attempt - 1,
        ctx != null ? ctx.attemptBase() : task.attempt() - task.attemptsThisRun()));
    FailureFacts.Builder b = FailureFacts.builder(stage)
        .taskId(c.taskId().toString())
        .attempt(attempt)
        .attemptBase(attemptBase)
        .firstAttemptAt(attemptBase == 0 ? (ctx != null ? ctx.createdAt() : task.createdAt()) : null)
        .agent(ctx != null ? ctx.agent() : task.agent())
        .workflowId(c.workflowId() != null ? c.workflowId() : ctx != null ? ctx.workflowId() : task.workflowId());
    if (ctx != null && ctx.maxAttempts() != null) {
      b.maxAttempts(ctx.maxAttempts());
    }
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
        .message(v.redacted() != null ? v.redacted() : task == null ? null : task.lastError());
    if (v.retryAfterMs() != null && v.retryAfterMs() > 0) {
      b.retryAfter(Duration.ofMillis(v.retryAfterMs()));
    }
    return b.build();
  }
}
