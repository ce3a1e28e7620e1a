package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.policy.StagePolicies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A long random stream of failures, successes, timer refreshes, probes and operator actions through both
 * ways of using the rules ({@link RetryDecider} and {@link DecisionEngine#decide} over a {@link RetryState}
 * the caller keeps), written out as text: every decision with its reasons, every event, the state written
 * back, the decider's snapshot at checkpoints. The digest of that text was taken before the decision path
 * was made cheaper (issue 7), so any change of behaviour — a reason's wording, a bucket, a version — shows.
 */
class DecisionTraceTest {

  /** SHA-256 of the trace, recorded with the straightforward implementation (copied snapshots, eager reasons). */
  private static final String RECORDED = "24dd9f25cb0b3f33b1e5ac76d03e5e18297591ff66b1595ec83505ae6aa68647";

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final String[] STAGES = {"build", "tests", "deploy"};
  private static final String[] AGENTS = {null, "runner-1", "runner-2"};
  private static final String[] DEPENDENCIES = {null, null, "github", "registry"};
  private static final String[] WORKFLOWS = {null, "wf-1", "wf-2", "wf-3", "wf-4"};
  private static final String[] CATEGORIES = {"NETWORK", "RATE_LIMIT", "TIMEOUT", "CONFIGURATION", "rate_limit"};
  private static final int TASKS = 40;

  @Test
  void aLongRandomStreamDecidesExactlyAsRecorded() throws Exception {
    StringBuilder trace = new StringBuilder();
    run(rules(1.0), 7, trace);
    run(rules(0.5), 11, trace);
    // kept for a diff when the digest differs: run the test on the commit before and compare the two files
    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "decision-trace.txt"), trace);
    String digest = sha256(trace.toString());
    assertThat(digest).as("trace of %s characters", trace.length()).isEqualTo(RECORDED);
  }

  static DecisionRules rules(double timeScale) {
    RetryPolicy fallback = RetryPolicy.builder().exponential(Duration.ofSeconds(1), 2).maxRetries(4)
        .maxDelay(Duration.ofSeconds(40)).jitter(Jitter.FULL).build();
    RetryPolicy deploy = RetryPolicy.builder().exponential(Duration.ofMillis(500), 3).maxRetries(6)
        .maxDelay(Duration.ofMinutes(2)).deadline(Duration.ofMinutes(3)).jitter(Jitter.EQUAL).build();
    CircuitConfig stage = CircuitConfig.builder().failureThreshold(5).failureRateThreshold(0.5)
        .slidingWindowType(SlidingWindow.Type.COUNT_BASED).slidingWindowSize(12).minimumCalls(6)
        .openDuration(Duration.ofSeconds(20)).openDurationMultiplier(2).maxOpenDuration(Duration.ofMinutes(2))
        .halfOpenProbes(2).successThreshold(2).build();
    CircuitConfig agent = CircuitConfig.builder().failureThreshold(0).failureRateThreshold(0.6)
        .slidingWindowType(SlidingWindow.Type.TIME_BASED).slidingWindowDuration(Duration.ofSeconds(15))
        .minimumCalls(4).openDuration(Duration.ofSeconds(10)).build();
    CircuitConfig github = CircuitConfig.builder().failureThreshold(3).countPermanentFailures(true).build();
    BudgetConfig tight = BudgetConfig.builder().ratio(0.2).minRetriesPerSecond(0.4).window(Duration.ofSeconds(10))
        .build();
    BudgetConfig deadLetter = tight.toBuilder().whenExhausted(BudgetConfig.WhenExhausted.DEAD_LETTER)
        .minRetriesPerSecond(0.2).build();
    BudgetConfig global = BudgetConfig.builder().ratio(0.5).minRetriesPerSecond(1).window(Duration.ofSeconds(20))
        .build();
    RetryConditions tests = RetryConditions.builder()
        .neverRetryOn(new FailureMatcher(Set.of(), Set.of("IllegalStateException"), CodeRanges.of(400), CodeRanges.NONE,
            Set.of(), List.of()))
        .retryOn(new FailureMatcher(Set.of(), Set.of(), CodeRanges.NONE, CodeRanges.of(3), Set.of("40"), List.of()))
        .maxFreeRetries(2).build();
    return DecisionRules.builder().timeScale(timeScale)
        .policies(StagePolicies.builtIn().withFallback(fallback).with("deploy", deploy))
        .stageConditions("tests", tests)
        .circuit(CircuitName.Kind.STAGE, stage).circuit(CircuitName.Kind.AGENT, agent)
        .circuit(CircuitName.dependency("github"), github)
        .circuit(CircuitName.dependency("registry"), CircuitConfig.builder().enabled(false).build())
        .stageBudget(tight).stageBudget("deploy", deadLetter).globalBudget(global)
        .abort(AbortPolicy.builder().window(6).minimumAttempts(4).failureRatio(0.5).top(2).build())
        .build();
  }

  private static void run(DecisionRules rules, long seed, StringBuilder trace) {
    DecisionEngineTest.MutableInstant clock = new DecisionEngineTest.MutableInstant(T0);
    RetryDecider decider = new RetryDecider(DecisionEngine.of(rules, clock, new SplittableRandom(seed)),
        e -> trace.append("  event ").append(e).append('\n'));
    DecisionEngine engine = DecisionEngine.of(rules, clock, new SplittableRandom(seed + 1));
    Shared shared = new Shared();
    SplittableRandom r = new SplittableRandom(seed);
    int[] attempt = new int[TASKS];
    int[] base = new int[TASKS];
    int[] free = new int[TASKS];
    Instant[] first = new Instant[TASKS];
    for (int op = 0; op < 6000; op++) {
      clock.advance(Duration.ofMillis(r.nextInt(4) == 0 ? r.nextInt(12_000) : r.nextInt(900)));
      int t = r.nextInt(TASKS);
      String stage = STAGES[t % STAGES.length];
      String agent = AGENTS[t % AGENTS.length];
      String dependency = DEPENDENCIES[t % DEPENDENCIES.length];
      // a workflow lasts 300 operations: an aborted one does not absorb the rest of the stream
      String workflow = WORKFLOWS[t % WORKFLOWS.length] == null ? null : WORKFLOWS[t % WORKFLOWS.length] + "." + op / 300;
      int kind = r.nextInt(100);
      trace.append(op).append(' ').append(clock.instant()).append('\n');
      if (kind < 58) {
        boolean repeat = attempt[t] > base[t] && r.nextInt(12) == 0;
        if (!repeat) {
          attempt[t]++;
        }
        if (first[t] == null) {
          first[t] = clock.instant();
        }
        FailureFacts f = failure(r, t, attempt[t], base[t], free[t], first[t], stage, agent, dependency, workflow);
        RetryDecision d = decider.decide(f);
        trace.append("  decider ").append(d).append(" | ").append(d.reason()).append('\n');
        if (d.free()) {
          free[t]++;
        }
        if (d.action() != dev.rebound.common.classification.DecisionAction.RETRY
            && d.action() != dev.rebound.common.classification.DecisionAction.PARK) {
          base[t] = attempt[t];
          free[t] = 0;
          first[t] = null;
        }
        Decided e = engine.decide(f, shared.load(engine, f.stage(), f.agent(), f.dependency(), f.workflowId()));
        trace.append("  engine ").append(e.decision()).append('\n');
        shared.write(e.state(), e.events(), trace);
      } else if (kind < 85) {
        if (attempt[t] == 0) {
          attempt[t]++;
        }
        TaskSuccess s = new TaskSuccess("task-" + t, attempt[t], stage, agent, workflow, dependency);
        decider.onSuccess(s);
        DecisionEngine.Outcome o = engine.onSuccess(s, shared.load(engine, stage, agent, dependency, workflow));
        shared.write(o.state(), o.events(), trace);
        base[t] = attempt[t];
        free[t] = 0;
        first[t] = null;
      } else if (kind < 90) {
        trace.append("  refresh ").append(decider.refreshCircuits()).append('\n');
      } else if (kind < 94) {
        trace.append("  probe ").append(decider.tryProbe(CircuitName.stage(stage))).append('\n');
      } else if (kind < 95) {
        RetryDecider.Operation[] ops = RetryDecider.Operation.values();
        RetryDecider.Operation operation = ops[r.nextInt(ops.length)];
        CircuitName name = r.nextBoolean() ? CircuitName.stage(stage) : CircuitName.dependency("github");
        trace.append("  operate ").append(decider.operate(name, operation, "ops", r.nextBoolean() ? null : "because"))
            .append('\n');
      } else if (kind < 97) {
        DecisionEngine.Outcome o = engine.onFirstAttempt(stage, shared.load(engine, stage, null, null, null));
        shared.write(o.state(), o.events(), trace);
      } else if (kind < 98) {
        trace.append("  budgets ").append(decider.budgets()).append('\n');
        trace.append("  circuit ").append(decider.circuit(CircuitName.stage(stage))).append('\n');
      } else {
        RetryDecider.Snapshot s = decider.snapshot();
        trace.append("  snapshot ").append(new TreeMap<>(s.circuits())).append(' ').append(new TreeMap<>(s.budgets()))
            .append(' ').append(new TreeMap<>(s.workflows())).append('\n');
        if (r.nextInt(4) == 0) {
          decider.restore(new RetryDecider.Snapshot(s.circuits(), s.budgets(), s.workflows()));
        }
      }
    }
    RetryDecider.Snapshot s = decider.snapshot();
    trace.append("end ").append(new TreeMap<>(s.circuits())).append(' ').append(new TreeMap<>(s.budgets()))
        .append(' ').append(new TreeMap<>(s.workflows())).append('\n');
    trace.append("shared ").append(shared).append('\n');
  }

  private static FailureFacts failure(SplittableRandom r, int t, int attempt, int base, int free, Instant first,
      String stage, String agent, String dependency, String workflow) {
    FailureFacts.Builder b = FailureFacts.builder(stage).taskId(r.nextInt(50) == 0 ? null : "task-" + t)
        .attempt(attempt).attemptBase(base).priorFreeRetries(free).agent(agent).dependency(dependency)
        .workflowId(workflow).fingerprint("fp-" + r.nextInt(3)).firstAttemptAt(r.nextInt(30) == 0 ? null : first);
    int verdict = r.nextInt(10);
    if (verdict < 7) {
      b.verdict(CATEGORIES[r.nextInt(CATEGORIES.length)], r.nextInt(5) > 0, r.nextInt(10) / 9.0);
    } else {
      b.noVerdict();
    }
    switch (r.nextInt(8)) {
      case 0 -> b.httpStatus(r.nextBoolean() ? 400 : 401).errorType("java.io.IOException");
      case 1 -> b.exitCode(r.nextBoolean() ? 3 : 127).message("command not found");
      case 2 -> b.sqlState("40001").errorType("org.postgresql.util.PSQLException");
      case 3 -> b.errorType("java.lang.IllegalStateException").causeTypes(List.of("java.net.ConnectException"));
      case 4 -> b.retryAfter(Duration.ofMillis(r.nextInt(20_000)));
      case 5 -> b.maxAttempts(1 + r.nextInt(4)).message("Read timed out");
      default -> b.errorType("java.net.SocketTimeoutException").message("java.net.SocketTimeoutException: Read timed out");
    }
    return b.build();
  }

  /** What a service keeps between decisions: the snapshots by key, written back as {@link RetryState#changedSince} says. */
  private static final class Shared {
    final Map<String, CircuitSnapshot> circuits = new TreeMap<>();
    final Map<String, BudgetSnapshot> budgets = new TreeMap<>();
    final Map<String, WorkflowWindow> workflows = new TreeMap<>();
    RetryState loaded = RetryState.EMPTY;

    RetryState load(DecisionEngine engine, String stage, String agent, String dependency, String workflow) {
      Map<String, CircuitSnapshot> c = new HashMap<>();
      for (CircuitName n : engine.circuitsOf(stage, agent, dependency)) {
        if (circuits.containsKey(n.toString())) {
          c.put(n.toString(), circuits.get(n.toString()));
        }
      }
      Map<String, BudgetSnapshot> b = new HashMap<>();
      for (String k : engine.budgetsOf(stage)) {
        if (budgets.containsKey(k)) {
          b.put(k, budgets.get(k));
        }
      }
      loaded = new RetryState(c, b, workflow == null ? null : workflows.get(workflow));
      return loaded;
    }

    void write(RetryState after, List<RetryEvent> events, StringBuilder trace) {
      RetryState changed = after.changedSince(loaded);
      trace.append("  changed ").append(new TreeMap<>(changed.circuits())).append(' ')
          .append(new TreeMap<>(changed.budgets())).append(' ').append(changed.workflow()).append(' ').append(events)
          .append('\n');
      Set<String> keys = new HashSet<>(after.circuits().keySet());
      keys.addAll(after.budgets().keySet());
      trace.append("  keys ").append(new TreeMap<>(Map.of("k", new java.util.TreeSet<>(keys)))).append('\n');
      circuits.putAll(changed.circuits());
      budgets.putAll(changed.budgets());
      if (changed.workflow() != null) {
        workflows.put(changed.workflow().workflowId(), changed.workflow());
      }
    }

    @Override
    public String toString() {
      return circuits + " " + budgets + " " + workflows;
    }
  }

  private static String sha256(String s) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    StringBuilder sb = new StringBuilder();
    for (byte x : d) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString();
  }
}
