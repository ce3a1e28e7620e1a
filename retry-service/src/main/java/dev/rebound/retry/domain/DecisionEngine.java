package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.policy.NextAttempt;
import dev.rebound.common.policy.RetryContext;
import dev.rebound.common.policy.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Decides what happens to a failed attempt. In this order, the first rule that decides wins:
 * <ol>
 *   <li><b>workflow</b>: the workflow was aborted, or this failure tips more than the abort ratio of its
 *       last attempts into failure → ABORT_WORKFLOW (with an {@link AbortAnalysis});</li>
 *   <li><b>conditions</b> ({@link RetryConditions}): not retryable → DEAD_LETTER (NON_RETRYABLE, PERMANENT);
 *       the failure is counted by its circuits first when it counts (transient by default);</li>
 *   <li><b>policy</b> ({@link RetryPolicy#next}): no retry left, or past the deadline → DEAD_LETTER
 *       (a free failure consumes no retry but stays bound by the deadline);</li>
 *   <li><b>circuits</b> ({@code stage:}, {@code agent:}, {@code dependency:}): one holds work (open,
 *       forced open, half-open) → PARK, until it half-opens or a person acts;</li>
 *   <li><b>budgets</b> (the stage's and the global one): no room for one more retry → PARK or DEAD_LETTER
 *       as configured;</li>
 *   <li>otherwise RETRY at the policy's time.</li>
 * </ol>
 * A function of (facts, state, clock's instant, random draws): the same inputs — with a deterministic
 * policy, or the same random source — give the same decision. Keeping it once per (task, attempt) is the
 * caller's part ({@link RetryDecider} in one JVM; the service's decision table across the cluster).
 */
public final class DecisionEngine {

  private final DecisionRules rules;
  private final InstantSource clock;
  private final RandomGenerator random;

  private DecisionEngine(DecisionRules rules, InstantSource clock, RandomGenerator random) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  public static DecisionEngine of(DecisionRules rules, InstantSource clock, RandomGenerator random) {
    return new DecisionEngine(rules, clock, random);
  }

  public DecisionRules rules() {
    return rules;
  }

  public InstantSource clock() {
    return clock;
  }

  /** The enabled circuits a failure (or success) of this task touches: its stage, agent and dependency. */
  public List<CircuitName> circuitsOf(String stage, String agent, String dependency) {
    List<CircuitName> names = new ArrayList<>(3);
    names.add(CircuitName.stage(stage));
    if (agent != null && !agent.isBlank()) {
      names.add(CircuitName.agent(agent));
    }
    if (dependency != null && !dependency.isBlank()) {
      names.add(CircuitName.dependency(dependency));
    }
    names.removeIf(n -> !rules.circuit(n).enabled());
    return names;
  }

  public List<CircuitName> circuitsOf(FailureFacts f) {
    return circuitsOf(f.stage(), f.agent(), f.dependency());
  }

  /** The budget keys of a stage: its own, then {@link BudgetSnapshot#GLOBAL}. */
  public List<String> budgetsOf(String stage) {
    return List.of(BudgetSnapshot.stageKey(stage), BudgetSnapshot.GLOBAL);
  }

  /** The rules of one circuit (for operator actions and the timer that half-opens circuits). */
  public CircuitBreaker breaker(CircuitName name) {
    return CircuitBreaker.of(rules.circuit(name));
  }

  /** The rules of one budget key. */
  public RetryBudget budget(String key) {
    return RetryBudget.of(key.equals(BudgetSnapshot.GLOBAL) ? rules.globalBudget()
        : rules.stageBudget(key.substring(key.indexOf(':') + 1)));
  }

  /** Decides about one failed attempt; see the class comment for the order of the rules. */
  public Decided decide(FailureFacts f, RetryState state) {
    Instant now = clock.instant();
    Work w = new Work(f, state, now);

    // 1. the workflow
    if (f.workflowId() != null && rules.abort().enabled()) {
      WorkflowWindow window = state.workflow() != null && state.workflow().workflowId().equals(f.workflowId())
          ? state.workflow() : WorkflowWindow.empty(f.workflowId());
      if (window.aborted()) {
        w.reasons.add("workflow " + f.workflowId() + " was aborted at " + window.abortedAt());
        return w.decide(DecisionAction.ABORT_WORKFLOW, RetryDecision.Cause.WORKFLOW_FAILING, null);
      }
      WorkflowAbort.Step step = WorkflowAbort.of(rules.abort()).recordFailure(window, f, now);
      w.workflow = step.window();
      if (step.abort().isPresent()) {
        w.events.add(step.abort().get());
        w.reasons.add("workflow " + f.workflowId() + " aborted: " + step.abort().get().analysis().summary());
        return w.decide(DecisionAction.ABORT_WORKFLOW, RetryDecision.Cause.WORKFLOW_FAILING, null);
      }
    }

    // 2. the conditions; the circuits count the failure whatever follows
    Eligibility eligibility = rules.conditions(f.stage()).evaluate(f);
    w.degraded = eligibility.degraded();
    w.free = eligibility.free();
    w.reasons.addAll(eligibility.reasons());
    if (f.runAttempt() == 1) {
      for (String key : budgetsOf(f.stage())) {
        RetryBudget budget = budget(key);
        if (budget.config().enabled() && budget.config().firstAttemptsFromFailures()) {
          w.budgets.put(key, budget.recordFirstAttempts(w.budget(key), now, 1).snapshot());
        }
      }
    }
    String what = describe(f);
    // the circuits and budgets are looked up once per decision (each lookup names and builds its rules)
    List<CircuitName> circuits = circuitsOf(f);
    List<String> circuitKeys = new ArrayList<>(circuits.size());
    for (CircuitName name : circuits) {
      String key = name.toString();
      circuitKeys.add(key);
      CircuitBreaker breaker = breaker(name);
      boolean counts = eligibility.retryable() || breaker.config().countPermanentFailures();
      CircuitSnapshot current = w.circuit(key);
      CircuitBreaker.Step step = counts ? breaker.onFailure(current, now, what) : breaker.refresh(current, now);
      w.circuits.put(key, step.snapshot());
      w.events.addAll(step.transitions());
    }
    if (!eligibility.retryable()) {
      return w.decide(DecisionAction.DEAD_LETTER, eligibility.basis() == Eligibility.Basis.NEVER_RETRY_ON
          ? RetryDecision.Cause.NON_RETRYABLE : RetryDecision.Cause.PERMANENT, null);
    }

    // 3. the policy
    RetryPolicy policy = rules.policy(f.stage());
    NextAttempt next = policy.next(context(f, eligibility.free(), policy, now, w.reasons), now, random);
    if (next instanceof NextAttempt.Exhausted exhausted) {
      w.reasons.add(exhausted.detail());
      return w.decide(DecisionAction.DEAD_LETTER, exhausted.reason() == NextAttempt.Reason.DEADLINE
          ? RetryDecision.Cause.DEADLINE : RetryDecision.Cause.MAX_RETRIES, null);
    }
    NextAttempt.Scheduled scheduled = (NextAttempt.Scheduled) next;

    // 4. the circuits
    for (String name : circuitKeys) {
      CircuitSnapshot c = w.circuits.get(name);
      if (c != null && !c.state().letsWorkThrough()) {
        w.reasons.add("circuit " + name + " is " + c.state()
            + (c.state() == CircuitState.OPEN ? " until " + c.openUntil() : "") + " (" + c.reason() + "): parked");
        return w.decide(DecisionAction.PARK, RetryDecision.Cause.CIRCUIT_OPEN, name);
      }
    }

    // 5. the budgets: both must have room before either is charged
    String spent = null;
    BudgetConfig.WhenExhausted then = null;
    List<String> budgetKeys = budgetsOf(f.stage());
    RetryBudget[] budgetRules = new RetryBudget[budgetKeys.size()];
    for (int i = 0; i < budgetRules.length; i++) {
      budgetRules[i] = budget(budgetKeys.get(i));
    }
    for (int i = 0; i < budgetRules.length; i++) {
      String key = budgetKeys.get(i);
      RetryBudget budget = budgetRules[i];
      RetryBudget.Usage usage = budget.usage(w.budget(key), now);
      if (!usage.permitted()) {
        RetryBudget.Step step = budget.exhausted(w.budget(key), now);
        w.budgets.put(key, step.snapshot());
        w.events.addAll(step.events());
        if (spent == null) {
          spent = key;
          then = budget.config().whenExhausted();
          w.reasons.add("retry budget " + key + " is spent: " + usage.retries() + " retries in the last "
              + ConfigMap.format(budget.config().window()) + ", " + usage.allowance() + " allowed for "
              + usage.firstAttempts() + " first attempts");
        }
      }
    }
    if (spent != null) {
      return then == BudgetConfig.WhenExhausted.PARK
          ? w.decide(DecisionAction.PARK, RetryDecision.Cause.BUDGET_EXHAUSTED, spent)
          : w.decide(DecisionAction.DEAD_LETTER, RetryDecision.Cause.BUDGET_EXHAUSTED, null);
    }
    for (int i = 0; i < budgetRules.length; i++) {
      String key = budgetKeys.get(i);
      RetryBudget budget = budgetRules[i];
      if (budget.config().enabled()) {
        RetryBudget.Step step = budget.withdraw(w.budget(key), now);
        w.budgets.put(key, step.snapshot());
        w.events.addAll(step.events());
      }
    }

    // 6. retry
    w.reasons.add((eligibility.free() ? "free retry" : "retry " + scheduled.retry() + " of "
        + (f.maxAttempts() > 0 ? f.maxAttempts() - 1 : policy.maxRetries())) + " after "
        + ConfigMap.format(scheduled.delay()) + " at " + scheduled.at());
    return new Decided(new RetryDecision(f.taskId(), f.attempt(), DecisionAction.RETRY, scheduled.at(),
        scheduled.delay(), eligibility.free() ? 0 : scheduled.retry(), RetryDecision.Cause.RETRYABLE, w.free,
        w.degraded, null, w.reasons, now), w.state(), w.events);
  }

  /**
   * A task's attempt succeeded: its circuits count a success (closing a half-open one), its workflow's
   * window records it. Returns the state to write back and the transitions.
   */
  public Outcome onSuccess(TaskSuccess s, RetryState state) {
    Instant now = clock.instant();
    Map<String, CircuitSnapshot> circuits = new HashMap<>(state.circuits());
    List<RetryEvent> events = new ArrayList<>();
    for (CircuitName name : circuitsOf(s.stage(), s.agent(), s.dependency())) {
      CircuitSnapshot c = circuits.getOrDefault(name.toString(), CircuitSnapshot.closed(name.toString(), now));
      CircuitBreaker.Step step = breaker(name).onSuccess(c, now);
      circuits.put(name.toString(), step.snapshot());
      events.addAll(step.transitions());
    }
    WorkflowWindow workflow = state.workflow();
    if (s.workflowId() != null && rules.abort().enabled()) {
      WorkflowWindow window = workflow != null && workflow.workflowId().equals(s.workflowId()) ? workflow
          : WorkflowWindow.empty(s.workflowId());
      workflow = WorkflowAbort.of(rules.abort()).recordSuccess(window, s.taskId(), s.attempt(), s.stage(), now).window();
    }
    return new Outcome(new RetryState(circuits, state.budgets(), workflow), events);
  }

  /** A first attempt started (only when the service feeds them: {@link BudgetConfig#firstAttemptsFromFailures()} false). */
  public Outcome onFirstAttempt(String stage, RetryState state) {
    Instant now = clock.instant();
    Map<String, BudgetSnapshot> budgets = new HashMap<>(state.budgets());
    for (String key : budgetsOf(stage)) {
      RetryBudget budget = budget(key);
      if (budget.config().enabled() && !budget.config().firstAttemptsFromFailures()) {
        budgets.put(key, budget.recordFirstAttempts(budgets.getOrDefault(key, BudgetSnapshot.empty(key)), now, 1).snapshot());
      }
    }
    return new Outcome(new RetryState(state.circuits(), budgets, state.workflow()), List.of());
  }

  /** The state after a rule other than a decision, and its events. */
  public record Outcome(RetryState state, List<RetryEvent> events) {
    public Outcome {
      events = List.copyOf(events);
    }
  }

  private RetryContext context(FailureFacts f, boolean free, RetryPolicy policy, Instant now, List<String> reasons) {
    int counted = Math.max(1, f.runAttempt() - f.priorFreeRetries() - (free ? 1 : 0));
    Instant first = f.firstAttemptAt();
    if (first == null && policy.deadline().isPresent()) {
      first = now;
      reasons.add("the first attempt's time is unknown: the deadline counts from now");
    }
    RetryContext c = RetryContext.afterAttempt(counted, first);
    String seed = f.taskId() == null ? "stage:" + f.stage() : f.taskId();
    // a free retry draws from its own seed: it must not repeat the jitter of the counted retry it shares a number with
    c = c.withTaskId(free ? seed + "#free-" + f.runAttempt() : seed);
    if (f.retryAfter() != null) {
      Duration hint = rules.timeScale() == 1.0 ? f.retryAfter()
          : Duration.ofMillis(Math.max(1, Math.round(f.retryAfter().toMillis() * rules.timeScale())));
      c = c.withRetryAfter(hint);
      reasons.add("retry-after hint " + ConfigMap.format(hint) + ": not sooner");
    }
    if (free) {
      return c.withMaxAttempts(counted + 1);
    }
    return f.maxAttempts() > 0 ? c.withMaxAttempts(f.maxAttempts()) : c;
  }

  private static String describe(FailureFacts f) {
    StringBuilder sb = new StringBuilder();
    sb.append(f.taskId() == null ? "a failure" : "task " + f.taskId() + " attempt " + f.attempt());
    if (f.category() != null) {
      sb.append(" (").append(f.category()).append(')');
    }
    return sb.toString();
  }

  /** The working copy of one decision. */
  private static final class Work {
    final FailureFacts facts;
    final RetryState before;
    final Instant now;
    final Map<String, CircuitSnapshot> circuits;
    final Map<String, BudgetSnapshot> budgets;
    WorkflowWindow workflow;
    final List<String> reasons = new ArrayList<>();
    final List<RetryEvent> events = new ArrayList<>();
    boolean degraded;
    boolean free;

    Work(FailureFacts facts, RetryState before, Instant now) {
      this.facts = facts;
      this.before = before;
      this.now = now;
      this.circuits = new HashMap<>(before.circuits());
      this.budgets = new HashMap<>(before.budgets());
      this.workflow = before.workflow();
    }

    CircuitSnapshot circuit(String name) {
      return circuits.computeIfAbsent(name, n -> CircuitSnapshot.closed(n, now));
    }

    BudgetSnapshot budget(String key) {
      return budgets.computeIfAbsent(key, BudgetSnapshot::empty);
    }

    RetryState state() {
      return new RetryState(circuits, budgets, workflow);
    }

    Decided decide(DecisionAction action, RetryDecision.Cause cause, String blockedBy) {
      return new Decided(new RetryDecision(facts.taskId(), facts.attempt(), action, null, null, 0, cause, false,
          degraded, blockedBy, reasons, now), state(), events);
    }
  }
}
