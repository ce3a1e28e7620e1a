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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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

  /** Names kept in each cache of looked-up rules before it starts over (names come from the tasks). */
  static final int CACHED_NAMES = 10_000;

  private final DecisionRules rules;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final WorkflowAbort abort;
  private final RetryBudget globalBudget;
  // the rules are immutable: what a name needs is looked up once (naming a circuit and scaling its
  // configuration on every decision was a good part of its cost)
  private final Map<String, StageRules> stages = new ConcurrentHashMap<>();
  private final Map<String, Circuit> agents = new ConcurrentHashMap<>();
  private final Map<String, Circuit> dependencies = new ConcurrentHashMap<>();

  private DecisionEngine(DecisionRules rules, InstantSource clock, RandomGenerator random) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.abort = WorkflowAbort.of(rules.abort());
    this.globalBudget = RetryBudget.of(rules.globalBudget());
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

  /** One circuit's name and rules, looked up once. */
  private record Circuit(CircuitName name, String key, CircuitBreaker breaker) {
    boolean enabled() {
      return breaker.config().enabled();
    }
  }

  /** What a stage's failures need from the rules, looked up once. */
  private static final class StageRules {
    final Circuit circuit;
    final RetryConditions conditions;
    final RetryPolicy policy;
    final List<String> budgetKeys;
    final String[] budgetKey;
    final RetryBudget[] budget;
    /** The enabled circuits of a task with no agent and no dependency: the stage's, or none. Read only. */
    final Circuit[] ownCircuits;

    StageRules(DecisionEngine engine, String stage) {
      CircuitName name = CircuitName.stage(stage);
      circuit = engine.circuit(name);
      ownCircuits = circuit.enabled() ? new Circuit[] {circuit} : new Circuit[0];
      conditions = engine.rules.conditions(stage);
      policy = engine.rules.policy(stage);
      budgetKeys = List.of(BudgetSnapshot.stageKey(stage), BudgetSnapshot.GLOBAL);
      budgetKey = budgetKeys.toArray(String[]::new);
      budget = new RetryBudget[] {RetryBudget.of(engine.rules.stageBudget(stage)), engine.globalBudget};
    }
  }

  private Circuit circuit(CircuitName name) {
    return new Circuit(name, name.toString(), CircuitBreaker.of(rules.circuit(name)));
  }

  private StageRules stage(String stage) {
    if (stage == null) {
      return new StageRules(this, null); // fails as naming the circuit fails
    }
    StageRules r = stages.get(stage);
    if (r == null) {
      r = new StageRules(this, stage);
      cache(stages, stage, r);
    }
    return r;
  }

  private Circuit named(Map<String, Circuit> cache, String value, CircuitName.Kind kind) {
    Circuit c = cache.get(value);
    if (c == null) {
      c = circuit(new CircuitName(kind, value));
      cache(cache, value, c);
    }
    return c;
  }

  private static <V> void cache(Map<String, V> cache, String key, V value) {
    if (cache.size() >= CACHED_NAMES) {
      cache.clear();
    }
    cache.put(key, value);
  }

  /**
   * The enabled circuits of a stage, agent and dependency, in that order. Read only: without an agent and a
   * dependency (the usual case) it is the stage's own array, looked up once, not a new one per outcome.
   */
  private Circuit[] circuits(StageRules stage, String agent, String dependency) {
    if (absent(agent) && absent(dependency)) {
      return stage.ownCircuits;
    }
    Circuit[] out = new Circuit[3];
    int n = circuits(stage, agent, dependency, out);
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  private static boolean absent(String name) {
    return name == null || name.isBlank();
  }

  /** Fills {@code out} with the enabled circuits of a stage, agent and dependency, in that order; returns how many. */
  private int circuits(StageRules stage, String agent, String dependency, Circuit[] out) {
    int n = 0;
    if (stage.circuit.enabled()) {
      out[n++] = stage.circuit;
    }
    if (agent != null && !agent.isBlank()) {
      Circuit c = named(agents, agent, CircuitName.Kind.AGENT);
      if (c.enabled()) {
        out[n++] = c;
      }
    }
    if (dependency != null && !dependency.isBlank()) {
      Circuit c = named(dependencies, dependency, CircuitName.Kind.DEPENDENCY);
      if (c.enabled()) {
        out[n++] = c;
      }
    }
    return n;
  }

  /** The enabled circuits a failure (or success) of this task touches: its stage, agent and dependency. */
  public List<CircuitName> circuitsOf(String stage, String agent, String dependency) {
    Circuit[] found = new Circuit[3];
    int n = circuits(stage(stage), agent, dependency, found);
    List<CircuitName> names = new ArrayList<>(3);
    for (int i = 0; i < n; i++) {
      names.add(found[i].name());
    }
    return names;
  }

  public List<CircuitName> circuitsOf(FailureFacts f) {
    return circuitsOf(f.stage(), f.agent(), f.dependency());
  }

  /** The budget keys of a stage: its own, then {@link BudgetSnapshot#GLOBAL}. */
  public List<String> budgetsOf(String stage) {
    return stage == null ? List.of(BudgetSnapshot.stageKey(stage), BudgetSnapshot.GLOBAL) : stage(stage).budgetKeys;
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

  /**
   * Where one decision finds the state it changes in place: copies of a {@link RetryState}'s snapshots (what
   * the service loaded), or the working state {@link RetryDecider} keeps. An entry asked for and missing is
   * created (a new circuit, an empty budget, an empty window) and is part of what the decision writes.
   *
   * <p>A failed decision must change nothing. The decision does what can fail (the conditions, naming the
   * circuits, the policy) before it changes the circuits and budgets, whose rules do not fail; only the
   * workflow's window has changed before the policy is asked (the policy is not asked, and draws no random
   * number, when the workflow aborts). A caller that keeps the state undoes that one change.
   */
  interface Slots {
    /** The circuit; a new one is CLOSED since {@code now}. */
    WorkingCircuit circuit(String key, Instant now);

    /** The budget; a new one is empty. */
    WorkingBudget budget(String key);

    /** The workflow's window; an empty one when none was loaded for that workflow. */
    WorkingWorkflow workflow(String workflowId);
  }

  /** A {@link RetryState}'s entries, copied when the rules first touch them. */
  private static final class StateSlots implements Slots {
    final RetryState loaded;
    final Map<String, WorkingCircuit> circuits = new HashMap<>();
    final Map<String, WorkingBudget> budgets = new HashMap<>();
    WorkingWorkflow workflow;

    StateSlots(RetryState state) {
      loaded = state;
    }

    @Override
    public WorkingCircuit circuit(String key, Instant now) {
      WorkingCircuit c = circuits.get(key);
      if (c == null) {
        CircuitSnapshot s = loaded.circuits().get(key);
        c = s == null ? WorkingCircuit.closed(key, now) : WorkingCircuit.of(s);
        circuits.put(key, c);
      }
      return c;
    }

    @Override
    public WorkingBudget budget(String key) {
      WorkingBudget b = budgets.get(key);
      if (b == null) {
        BudgetSnapshot s = loaded.budgets().get(key);
        b = s == null ? WorkingBudget.empty(key) : WorkingBudget.of(s);
        budgets.put(key, b);
      }
      return b;
    }

    @Override
    public WorkingWorkflow workflow(String workflowId) {
      if (workflow == null || !workflow.workflowId.equals(workflowId)) {
        WorkflowWindow w = loaded.workflow();
        workflow = w != null && w.workflowId().equals(workflowId) ? WorkingWorkflow.of(w)
            : WorkingWorkflow.empty(workflowId);
      }
      return workflow;
    }

    /** The loaded state with what the rules touched. */
    RetryState state() {
      Map<String, CircuitSnapshot> c = new HashMap<>(loaded.circuits());
      circuits.forEach((k, v) -> c.put(k, v.snapshot()));
      Map<String, BudgetSnapshot> b = new HashMap<>(loaded.budgets());
      budgets.forEach((k, v) -> b.put(k, v.snapshot()));
      return new RetryState(c, b, workflow != null ? workflow.snapshot() : loaded.workflow());
    }
  }

  /** Decides about one failed attempt; see the class comment for the order of the rules. */
  public Decided decide(FailureFacts f, RetryState state) {
    StateSlots slots = new StateSlots(state);
    List<RetryEvent> events = new ArrayList<>();
    RetryDecision d = decide(f, slots, events);
    return new Decided(d, slots.state(), events);
  }

  /**
   * {@link #decide(FailureFacts, RetryState)} over {@code slots}, changed in place; the events are added to
   * {@code events}.
   */
  RetryDecision decide(FailureFacts f, Slots slots, List<RetryEvent> events) {
    Instant now = clock.instant();
    Work w = new Work(f, now);
    StageRules stage = stage(f.stage());
    // what can fail is done before anything changes, but for the policy (see Slots); the conditions' sentences
    // come first in the decision's reasons (a workflow's abort starts them again: see Work.abort)
    Eligibility eligibility = stage.conditions.evaluate(f, w.reasons);
    Circuit[] circuits = circuits(stage, f.agent(), f.dependency());
    int n = circuits.length;

    // 1. the workflow
    if (f.workflowId() != null && abort.policy().enabled()) {
      String id = f.workflowId();
      WorkingWorkflow window = slots.workflow(id);
      if (window.abortedAt != null) {
        Instant abortedAt = window.abortedAt;
        return w.abort(() -> "workflow " + id + " was aborted at " + abortedAt);
      }
      WorkflowAborted aborted = abort.recordFailure(window, f, now);
      if (aborted != null) {
        events.add(aborted);
        return w.abort(() -> "workflow " + id + " aborted: " + aborted.analysis().summary());
      }
    }

    // 2. the conditions (their sentences are in the reasons already); the circuits count the failure whatever follows
    w.degraded = eligibility.degraded();
    w.free = eligibility.free();
    // (3. the policy, drawn before the circuits and budgets change: they add no reasons and draw nothing)
    RetryPolicy policy = stage.policy;
    RetryContext context = eligibility.retryable() ? context(f, eligibility.free(), policy, now, w.reasons) : null;
    // what policy.next would say, in parts, so that nothing is built for a retry a circuit or a budget holds:
    // no retry left (nothing drawn; its sentence written only when read), else the delay drawn and whether it
    // ends past the deadline (the retry's time and delay are built in step 6)
    int retriesAllowed = context == null ? 0 : policy.retriesAllowed(context);
    boolean noRetryLeft = context != null && context.attempt() > retriesAllowed;
    boolean drawn = context != null && !noRetryLeft;
    long delayMillis = drawn ? policy.delayMillis(context, random) : 0;
    boolean pastDeadline = drawn && policy.pastDeadline(context, now, delayMillis);
    if (f.runAttempt() == 1) {
      for (int i = 0; i < stage.budget.length; i++) {
        RetryBudget budget = stage.budget[i];
        if (budget.config().enabled() && budget.config().firstAttemptsFromFailures()) {
          budget.recordFirstAttempts(slots.budget(stage.budgetKey[i]), now, 1);
        }
      }
    }
    // described only if a circuit opens
    Reasons.Text what = () -> describe(f);
    WorkingCircuit[] states = new WorkingCircuit[n];
    for (int i = 0; i < n; i++) {
      Circuit c = circuits[i];
      boolean counts = eligibility.retryable() || c.breaker.config().countPermanentFailures();
      WorkingCircuit current = slots.circuit(c.key, now);
      states[i] = current;
      if (counts) {
        c.breaker.onFailure(current, now, what, events);
      } else {
        c.breaker.refresh(current, now, events);
      }
    }
    if (!eligibility.retryable()) {
      return w.decide(DecisionAction.DEAD_LETTER, eligibility.basis() == Eligibility.Basis.NEVER_RETRY_ON
          ? RetryDecision.Cause.NON_RETRYABLE : RetryDecision.Cause.PERMANENT, null);
    }

    // 3. the policy
    if (noRetryLeft) {
      int failed = context.attempt();
      w.reasons.add(() -> RetryPolicy.noRetryLeft(failed, retriesAllowed));
      return w.decide(DecisionAction.DEAD_LETTER, RetryDecision.Cause.MAX_RETRIES, null);
    }
    if (pastDeadline) {
      NextAttempt.Exhausted exhausted = (NextAttempt.Exhausted) policy.after(context, now, delayMillis);
      w.reasons.addText(exhausted.detail());
      return w.decide(DecisionAction.DEAD_LETTER, RetryDecision.Cause.DEADLINE, null);
    }

    // 4. the circuits
    for (int i = 0; i < n; i++) {
      WorkingCircuit c = states[i];
      if (!c.state.letsWorkThrough()) {
        String key = circuits[i].key;
        CircuitState state = c.state;
        Instant until = c.openUntil;
        String why = c.reason;
        w.reasons.add(() -> "circuit " + key + " is " + state + (state == CircuitState.OPEN ? " until " + until : "")
            + " (" + why + "): parked");
        return w.decide(DecisionAction.PARK, RetryDecision.Cause.CIRCUIT_OPEN, key);
      }
    }

    // 5. the budgets: both must have room before either is charged
    String spent = null;
    BudgetConfig.WhenExhausted then = null;
    for (int i = 0; i < stage.budget.length; i++) {
      String key = stage.budgetKey[i];
      RetryBudget budget = stage.budget[i];
      WorkingBudget b = slots.budget(key);
      if (!budget.permits(b, now)) {
        RetryBudget.Usage usage = budget.usage(b, now);
        budget.exhausted(b, now, events);
        if (spent == null) {
          spent = key;
          then = budget.config().whenExhausted();
          Duration window = budget.config().window();
          w.reasons.add(() -> "retry budget " + key + " is spent: " + usage.retries() + " retries in the last "
              + ConfigMap.format(window) + ", " + usage.allowance() + " allowed for " + usage.firstAttempts()
              + " first attempts");
        }
      }
    }
    if (spent != null) {
      return then == BudgetConfig.WhenExhausted.PARK
          ? w.decide(DecisionAction.PARK, RetryDecision.Cause.BUDGET_EXHAUSTED, spent)
          : w.decide(DecisionAction.DEAD_LETTER, RetryDecision.Cause.BUDGET_EXHAUSTED, null);
    }
    for (int i = 0; i < stage.budget.length; i++) {
      RetryBudget budget = stage.budget[i];
      if (budget.config().enabled()) {
        budget.withdraw(slots.budget(stage.budgetKey[i]), now, events);
      }
    }

    // 6. retry
    boolean free = eligibility.free();
    int retry = context.attempt();
    int of = f.maxAttempts() > 0 ? f.maxAttempts() - 1 : policy.maxRetries();
    Duration delay = Duration.ofMillis(delayMillis);
    Instant at = now.plusMillis(delayMillis);
    w.reasons.add(() -> (free ? "free retry" : "retry " + retry + " of " + of) + " after " + ConfigMap.format(delay)
        + " at " + at);
    return new RetryDecision(f.taskId(), f.attempt(), DecisionAction.RETRY, at, delay, free ? 0 : retry,
        RetryDecision.Cause.RETRYABLE, w.free, w.degraded, null, w.reasons, now);
  }

  /**
   * A task's attempt succeeded: its circuits count a success (closing a half-open one), its workflow's
   * window records it. Returns the state to write back and the transitions.
   */
  public Outcome onSuccess(TaskSuccess s, RetryState state) {
    StateSlots slots = new StateSlots(state);
    List<RetryEvent> events = new ArrayList<>();
    onSuccess(s, slots, events);
    return new Outcome(slots.state(), events);
  }

  /** {@link #onSuccess(TaskSuccess, RetryState)} over {@code slots}, changed in place; the events are added to {@code events}. */
  void onSuccess(TaskSuccess s, Slots slots, List<RetryEvent> events) {
    Instant now = clock.instant();
    for (Circuit c : circuits(stage(s.stage()), s.agent(), s.dependency())) {
      c.breaker.onSuccess(slots.circuit(c.key, now), now, events);
    }
    if (s.workflowId() != null && abort.policy().enabled()) {
      abort.recordSuccess(slots.workflow(s.workflowId()), s.taskId(), s.attempt(), s.stage(), now);
    }
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

  private RetryContext context(FailureFacts f, boolean free, RetryPolicy policy, Instant now, Reasons reasons) {
    int counted = Math.max(1, f.runAttempt() - f.priorFreeRetries() - (free ? 1 : 0));
    Instant first = f.firstAttemptAt();
    if (first == null && policy.deadline().isPresent()) {
      first = now;
      reasons.addText("the first attempt's time is unknown: the deadline counts from now");
    }
    RetryContext c = RetryContext.afterAttempt(counted, first);
    String seed = f.taskId() == null ? "stage:" + f.stage() : f.taskId();
    // a free retry draws from its own seed: it must not repeat the jitter of the counted retry it shares a number with
    c = c.withTaskId(free ? seed + "#free-" + f.runAttempt() : seed);
    if (f.retryAfter() != null) {
      Duration hint = rules.timeScale() == 1.0 ? f.retryAfter()
          : Duration.ofMillis(Math.max(1, Math.round(f.retryAfter().toMillis() * rules.timeScale())));
      c = c.withRetryAfter(hint);
      reasons.add(() -> "retry-after hint " + ConfigMap.format(hint) + ": not sooner");
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

  /** The working part of one decision: its reasons and flags; the state is in the slots. */
  private static final class Work {
    final FailureFacts facts;
    final Instant now;
    Reasons reasons = new Reasons();
    boolean degraded;
    boolean free;

    Work(FailureFacts facts, Instant now) {
      this.facts = facts;
      this.now = now;
    }

    /** The workflow is aborted: that is the one reason (the conditions' sentences are dropped). */
    RetryDecision abort(Reasons.Text why) {
      reasons = new Reasons().add(why);
      return decide(DecisionAction.ABORT_WORKFLOW, RetryDecision.Cause.WORKFLOW_FAILING, null);
    }

    RetryDecision decide(DecisionAction action, RetryDecision.Cause cause, String blockedBy) {
      return new RetryDecision(facts.taskId(), facts.attempt(), action, null, null, 0, cause, false, degraded, blockedBy,
          reasons, now);
    }
  }
}
