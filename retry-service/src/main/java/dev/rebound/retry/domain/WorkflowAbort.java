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
 * messages are harmless.
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
    return new Step(add(w, new WorkflowWindow.Attempt(taskId, attempt, false, stage, null, null, now)),
        Optional.empty());
  }

  /** Records the failure and aborts when the window has crossed the threshold (only when not yet aborted). */
  public Step recordFailure(WorkflowWindow w, FailureFacts f, Instant now) {
    WorkflowWindow next = add(w, new WorkflowWindow.Attempt(f.taskId(), f.attempt(), true, f.stage(), f.fingerprint(),
        f.category(), now));
    if (!policy.enabled() || next.aborted() || next.recent().size() < policy.minimumAttempts()) {
      return new Step(next, Optional.empty());
    }
    int failures = (int) next.failures();
    double ratio = (double) failures / next.recent().size();
    if (ratio <= policy.failureRatio()) {
      return new Step(next, Optional.empty());
    }
    AbortAnalysis analysis = analyse(next, failures, ratio, now);
    WorkflowWindow aborted = new WorkflowWindow(next.workflowId(), next.recent(), now, next.version() + 1);
    return new Step(aborted, Optional.of(new WorkflowAborted(analysis)));
  }

  private WorkflowWindow add(WorkflowWindow w, WorkflowWindow.Attempt a) {
    List<WorkflowWindow.Attempt> recent = w.recent();
    if (a.taskId() != null) {
      for (int i = 0; i < recent.size(); i++) {
        WorkflowWindow.Attempt seen = recent.get(i);
        if (a.attempt() == seen.attempt() && a.taskId().equals(seen.taskId())) {
          return w;
        }
      }
    }
    return new WorkflowWindow(w.workflowId(), w.entries().append(a, policy.window()), w.abortedAt(), w.version() + 1);
  }

  private AbortAnalysis analyse(WorkflowWindow w, int failures, double ratio, Instant now) {
    List<WorkflowWindow.Attempt> failed = w.recent().stream().filter(WorkflowWindow.Attempt::failed).toList();
    return new AbortAnalysis(w.workflowId(), w.recent().size(), failures, ratio, policy.failureRatio(),
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
