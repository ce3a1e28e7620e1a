package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The auto-abort rule as pure functions over a {@link WorkflowWindow}: record each attempt's outcome
 * (failures from the decisions, successes from the ledger's task events) and abort the workflow when
 * the {@link AbortPolicy} says so — once: the first abort yields a {@link WorkflowAborted} event with an
 * {@link AbortAnalysis}. Recording the same (task, attempt) twice changes nothing, so redelivered
 * messages are harmless. The rules are written once, over a {@link WorkingWorkflow} changed in place (as
 * {@link RetryDecider} keeps its windows); each public method runs the same rule over a copy of its window.
 */
public final class WorkflowAbort {

  private final AbortPolicy policy;

  private WorkflowAbort(AbortPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  public static WorkflowAbort of(AbortPolicy policy) {
    return new WorkflowAbort(policy);
  }

  public AbortPolicy policy() {
    return policy;
  }

  /** @param abort present when this step aborted the workflow */
  public record Step(WorkflowWindow window, Optional<WorkflowAborted> abort) {
  }

  public Step recordSuccess(WorkflowWindow w, String taskId, int attempt, String stage, Instant now) {
    WorkingWorkflow x = WorkingWorkflow.of(w);
    recordSuccess(x, taskId, attempt, stage, now);
    return new Step(x.snapshot(), Optional.empty());
  }

  /** Records the failure and aborts when the window has crossed the threshold (only when not yet aborted). */
  public Step recordFailure(WorkflowWindow w, FailureFacts f, Instant now) {
    WorkingWorkflow x = WorkingWorkflow.of(w);
    WorkflowAborted aborted = recordFailure(x, f, now);
    return new Step(x.snapshot(), Optional.ofNullable(aborted));
  }

  // ---- the rules, over a window changed in place (the methods above run them over a copy of a snapshot)

  void recordSuccess(WorkingWorkflow w, String taskId, int attempt, String stage, Instant now) {
    add(w, taskId, attempt, false, stage, null, null, now);
  }

  /** {@link #recordFailure(WorkflowWindow, FailureFacts, Instant)}: returns the abort, or null. */
  WorkflowAborted recordFailure(WorkingWorkflow w, FailureFacts f, Instant now) {
    add(w, f.taskId(), f.attempt(), true, f.stage(), f.fingerprint(), f.category(), now);
    int size = w.size();
    if (!policy.enabled() || w.abortedAt != null || size < policy.minimumAttempts()) {
      return null;
    }
    int failures = w.failures();
    double ratio = (double) failures / size;
    if (ratio <= policy.failureRatio()) {
      return null;
    }
    AbortAnalysis analysis = analyse(w.workflowId, w.recentList(), failures, ratio, now);
    w.abortedAt = now;
    w.version++;
    return new WorkflowAborted(analysis);
  }

  private void add(WorkingWorkflow w, String taskId, int attempt, boolean failed, String stage, String fingerprint,
      String category, Instant at) {
    if (taskId != null && w.holds(taskId, attempt)) {
      return;
    }
    int max = policy.window();
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    w.append(taskId, attempt, failed, stage, fingerprint, category, at, max);
    w.version++;
  }

  private AbortAnalysis analyse(String workflowId, List<WorkflowWindow.Attempt> recent, int failures, double ratio,
      Instant now) {
    List<WorkflowWindow.Attempt> failed = recent.stream().filter(WorkflowWindow.Attempt::failed).toList();
    return new AbortAnalysis(workflowId, recent.size(), failures, ratio, policy.failureRatio(),
        top(failed, WorkflowWindow.Attempt::fingerprint), top(failed, a -> a.category() == null ? "UNCLASSIFIED" : a.category()),
        top(failed, WorkflowWindow.Attempt::stage), failed.stream().map(WorkflowWindow.Attempt::taskId)
            .filter(Objects::nonNull).distinct().toList(), now);
  }

  private List<AbortAnalysis.Count> top(List<WorkflowWindow.Attempt> failed, Function<WorkflowWindow.Attempt, String> key) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (WorkflowWindow.Attempt a : failed) {
      String k = key.apply(a);
      if (k != null) {
        counts.merge(k, 1, Integer::sum);
      }
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(policy.top()).map(e -> new AbortAnalysis.Count(e.getKey(), e.getValue())).toList();
  }
}
