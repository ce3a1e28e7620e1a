package dev.rebound.retry.bench;

import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.policy.StagePolicies;
import dev.rebound.retry.domain.CircuitConfig;
import dev.rebound.retry.domain.CircuitName;
import dev.rebound.retry.domain.DecisionEngine;
import dev.rebound.retry.domain.DecisionRules;
import dev.rebound.retry.domain.FailureFacts;
import dev.rebound.retry.domain.RetryDecider;
import dev.rebound.retry.domain.RetryDecision;
import dev.rebound.retry.domain.SlidingWindow;
import dev.rebound.retry.domain.TaskSuccess;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Issue 7: the cost of deciding about one failed call — Rebound's {@link DecisionEngine} (through
 * {@link RetryDecider}, the engine with its state kept in this JVM) side by side with resilience4j's
 * {@link Retry} + {@link CircuitBreaker} doing the equivalent bookkeeping for the same failure, in the same
 * JMH run, one thread.
 *
 * <h2>The same configuration on both sides</h2>
 * Exponential backoff 1 s × 2 capped at 5 min, 5 retries (6 attempts), full jitter (uniform in [0, d], both
 * sides drawing from a {@link SplittableRandom} seeded 42); one breaker per stage (8 stages) opening at a
 * 50 % failure rate over a count-based window of 20 calls once it holds 10, open for 30 s, one half-open
 * probe. Rebound's breaker also opens on 5 consecutive failures; resilience4j has no such trigger (only
 * rates), which is the one configuration difference. Both read one {@link SimulatedClock} that moves
 * 100 ms per operation, so open times pass and windows slide without any wall-clock wait.
 *
 * <h2>The stream</h2>
 * 1,024 tasks in 8 stages, 8 workflows of 16 tasks per stage. Operation {@code n} concerns stage
 * {@code n mod 8} and, round-robin, one workflow of it and three of that workflow's tasks in turn. Every
 * task keeps its attempt number (it only grows, so no (task, attempt) repeats and Rebound's idempotency
 * never short-circuits a decision); a success or a dead letter ends the task's run and the next failure
 * starts a new one (Rebound: {@code attemptBase}; resilience4j: a new retry context).
 * <ul>
 *   <li>{@code breaker=closed}: one operation = <b>two successes and one failure</b> of one stage and
 *       workflow. Per stage and per workflow a third of the calls fail and never two in a row, so every
 *       breaker stays CLOSED and no workflow aborts: the failure takes the full path (conditions, breaker
 *       count, policy, breaker check, both budgets, workflow window) and is almost always a RETRY.</li>
 *   <li>{@code breaker=open}: one operation = <b>one failure</b>, no successes, no workflow (every workflow
 *       would abort after 10 failures and then short-circuit). The breakers open after the first few
 *       failures of each stage; after 30 s (300 operations) a stage's next failure half-opens it, is
 *       the failed probe and reopens it. Most failures are parked (Rebound: PARK) or not permitted
 *       (resilience4j: {@link CallNotPermittedException}), both sides still computing the retry.</li>
 * </ul>
 *
 * <h2>What one operation does</h2>
 * <b>Rebound</b> ({@link #rebound}), per success: {@link RetryDecider#onSuccess} with a {@link TaskSuccess}
 * (the stage breaker counts a success in its window, the workflow window records it). Per failure: build
 * the {@link FailureFacts} the service would map from the analyzer's message — a transient
 * {@code java.net.SocketTimeoutException: Read timed out}, category NETWORK, confidence 0.92, with task,
 * attempt, run base, first-attempt time, stage and workflow, with the record's constructor — and
 * {@link RetryDecider#decide}: load the
 * circuit, budget and workflow snapshots, {@link DecisionEngine#decide} (workflow window, conditions, the
 * breaker counts the failure, the policy draws the jittered delay, breaker check, stage and global budgets
 * checked and charged, the decision record with its reasons), store what changed, remember the decision
 * for idempotency, hand the events (transitions) to a {@link Blackhole}.
 *
 * <p><b>resilience4j</b> ({@link #resilience4j}) does what {@code Retry.decorate(CircuitBreaker.decorate(call))}
 * does around a call that already returned, minus the call and minus any waiting. Per success: the stage
 * breaker's {@code tryAcquirePermission} + {@code onSuccess}, the task's retry context's {@code onComplete}
 * and a new context for its next run. Per failure: {@code tryAcquirePermission}; if permitted,
 * {@code onError} with the {@link SocketTimeoutException} (window, rate check, maybe a transition);
 * then the task's {@link Retry.AsyncContext#onError} with that exception (or with a pre-built
 * {@link CallNotPermittedException} when not permitted), which checks the exception predicate, counts the
 * attempt and computes the interval with the {@link IntervalBiFunction} — or returns -1 when the attempts
 * are spent. The async context is used because it <em>returns</em> the delay: the blocking
 * {@code Retry.Context#onError} sleeps it out, which would measure the sleep.
 *
 * <p>That is the comparable unit: for one failed call, both sides record it in a breaker, decide whether
 * it may be retried and compute when. Rebound does strictly more per failure (a decision record with
 * reasons, budgets, a workflow window, copy-on-write state that the cluster can share, idempotency), and
 * the benchmark's bookkeeping (cursor, attempt arrays, clock) is the same code on both sides. The one
 * shortcut on resilience4j's side is the pre-built {@code CallNotPermittedException}: creating one per
 * rejected call (with a stack trace, resilience4j's default) would cost it more than the decision.
 *
 * <p>Run (from the repository root; see docs/benchmarks.md):
 * {@code java -cp retry-service/target/test-classes:retry-service/target/classes:$(cat retry-service/cp.txt)
 * org.openjdk.jmh.Main DecisionBenchmark -f 4 -wi 5 -w 1 -i 8 -r 1 -t 1 -prof gc}. Each fork runs with a fixed,
 * pre-touched 2 GB heap (see {@link Fork} below), the same for both sides.
 */
@State(Scope.Thread)
// a fixed, pre-touched heap for both sides: with the default heap, each fork's first seconds measured mostly
// the kernel's page faults while G1 grew the heap (on this shared VM, p95 4.6 µs against 1.5 µs in one pair)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecisionBenchmark {

  static final int STAGES = 8;
  static final int WORKFLOWS_PER_STAGE = 8;
  static final int TASKS_PER_WORKFLOW = 16;
  static final int TASKS = STAGES * WORKFLOWS_PER_STAGE * TASKS_PER_WORKFLOW;
  /** Simulated time between two operations. */
  static final long STEP_MILLIS = 100;
  /** The failed (or successful) call's duration as reported to resilience4j's breaker. */
  static final long CALL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  static final Duration BASE = Duration.ofSeconds(1);
  static final double FACTOR = 2;
  static final int RETRIES = 5;
  static final Duration MAX_DELAY = Duration.ofMinutes(5);
  static final int WINDOW = 20;
  static final int MINIMUM_CALLS = 10;
  static final double RATE = 0.5;
  static final int CONSECUTIVE = 5;
  static final Duration OPEN = Duration.ofSeconds(30);
  static final long SEED = 42;

  static final SocketTimeoutException TIMEOUT = new SocketTimeoutException("Read timed out");
  static final String ERROR_TYPE = TIMEOUT.getClass().getName();
  static final String MESSAGE = ERROR_TYPE + ": " + TIMEOUT.getMessage();
  static final String FINGERPRINT = "9f2c41d07a6b55e3";

  @Param({"closed", "open"})
  public String breaker;

  private boolean closed;
  private SimulatedClock clock;
  private long op;
  private final int[] attempt = new int[TASKS];
  private final int[] runBase = new int[TASKS];
  private final Instant[] firstAt = new Instant[TASKS];
  private final String[] taskIds = new String[TASKS];
  private final String[] workflowIds = new String[TASKS];
  private final String[] stages = new String[STAGES];

  private RetryDecider decider;

  private CircuitBreaker[] breakers;
  private CallNotPermittedException[] notPermitted;
  private Retry retry;
  private Retry.AsyncContext<Object>[] contexts;

  /** What the operations decided, printed at the end of each trial (RETRY, PARK… / retry, spent, rejected). */
  private final long[] outcomes = new long[DecisionAction.values().length + 3];

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void setUp(Blackhole events) {
    closed = breaker.equals("closed");
    clock = new SimulatedClock(Instant.parse("2025-01-01T00:00:00Z"));
    for (int s = 0; s < STAGES; s++) {
      stages[s] = "stage-" + s;
    }
    for (int t = 0; t < TASKS; t++) {
      taskIds[t] = "task-" + t;
      workflowIds[t] = "workflow-" + t / TASKS_PER_WORKFLOW;
      firstAt[t] = clock.instant();
    }

    // Rebound: the stages have no policy of their own, so all run the fallback set here
    RetryPolicy policy = RetryPolicy.builder().exponential(BASE, FACTOR).maxRetries(RETRIES).maxDelay(MAX_DELAY)
        .jitter(Jitter.FULL).build();
    CircuitConfig circuit = CircuitConfig.builder().failureThreshold(CONSECUTIVE).failureRateThreshold(RATE)
        .slidingWindowType(SlidingWindow.Type.COUNT_BASED).slidingWindowSize(WINDOW).minimumCalls(MINIMUM_CALLS)
        .openDuration(OPEN).openDurationMultiplier(1).halfOpenProbes(1).successThreshold(1).build();
    DecisionRules rules = DecisionRules.builder().policies(StagePolicies.builtIn().withFallback(policy))
        .circuit(CircuitName.Kind.STAGE, circuit).build();
    decider = new RetryDecider(DecisionEngine.of(rules, clock, new SplittableRandom(SEED)), events::consume);

    // resilience4j: the same figures
    CircuitBreakerConfig cb = CircuitBreakerConfig.custom()
        .failureRateThreshold((float) (RATE * 100))
        .slidingWindow(WINDOW, MINIMUM_CALLS, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .waitDurationInOpenState(OPEN)
        .permittedNumberOfCallsInHalfOpenState(1)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .recordExceptions(IOException.class)
        .clock(clock)
        .build();
    breakers = new CircuitBreaker[STAGES];
    notPermitted = new CallNotPermittedException[STAGES];
    for (int s = 0; s < STAGES; s++) {
      breakers[s] = CircuitBreaker.of(stages[s], cb);
      notPermitted[s] = CallNotPermittedException.createCallNotPermittedException(breakers[s]);
    }
    IntervalFunction exponential = IntervalFunction.ofExponentialBackoff(BASE, FACTOR, MAX_DELAY);
    SplittableRandom random = new SplittableRandom(SEED);
    IntervalBiFunction<Object> fullJitter = (n, failure) -> random.nextLong(exponential.apply(n) + 1);
    retry = Retry.of("calls", RetryConfig.custom()
        .maxAttempts(RETRIES + 1)
        .intervalBiFunction(fullJitter)
        .retryExceptions(IOException.class, CallNotPermittedException.class)
        .build());
    contexts = new Retry.AsyncContext[TASKS];
    for (int t = 0; t < TASKS; t++) {
      contexts[t] = retry.asyncContext();
    }
  }

  @TearDown(Level.Trial)
  public void report() {
    StringBuilder sb = new StringBuilder("\n[outcomes over the trial] ");
    for (DecisionAction a : DecisionAction.values()) {
      if (outcomes[a.ordinal()] > 0) {
        sb.append(a).append('=').append(outcomes[a.ordinal()]).append(' ');
      }
    }
    int r = DecisionAction.values().length;
    if (outcomes[r] + outcomes[r + 1] + outcomes[r + 2] > 0) {
      sb.append("retry=").append(outcomes[r]).append(" spent=").append(outcomes[r + 1]).append(" rejected=")
          .append(outcomes[r + 2]).append(' ');
    }
    sb.append("breakers=");
    if (breakers != null && contexts != null) {
      CircuitBreaker.State[] states = new CircuitBreaker.State[STAGES];
      for (int s = 0; s < STAGES; s++) {
        states[s] = breakers[s].getState();
      }
      sb.append("r4j ").append(Arrays.toString(states)).append(", rebound ");
      for (int s = 0; s < STAGES; s++) {
        sb.append(decider.circuit(CircuitName.stage(stages[s])).map(c -> c.state().name()).orElse("-")).append(' ');
      }
    }
    System.out.println(sb);
  }

  // ---- the operations

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public RetryDecision reboundThroughput() {
    return rebound();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long resilience4jThroughput() {
    return resilience4j();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public RetryDecision reboundLatency() {
    return rebound();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long resilience4jLatency() {
    return resilience4j();
  }

  /** One operation on Rebound's side: see the class comment. The decision is returned to JMH. */
  RetryDecision rebound() {
    long n = op++;
    clock.advance(STEP_MILLIS);
    int s = (int) (n % STAGES);
    int first = firstTaskOf(n);
    int k = turn(n);
    if (closed) {
      reboundSuccess(first + (k + 1) % TASKS_PER_WORKFLOW, s);
      reboundSuccess(first + (k + 2) % TASKS_PER_WORKFLOW, s);
    }
    int t = first + k % TASKS_PER_WORKFLOW;
    int a = ++attempt[t];
    // the record's constructor, not its builder: whether the JIT removed the builder varied from fork to fork
    // (about 100 bytes per operation more or less), and building the input is not the decision's work
    FailureFacts f = new FailureFacts(taskIds[t], a, runBase[t], firstAt[t], 0, stages[s], null,
        closed ? workflowIds[t] : null, null, "NETWORK", true, 0.92, null, FINGERPRINT, null, ERROR_TYPE, List.of(),
        null, null, null, MESSAGE, 0);
    RetryDecision d = decider.decide(f);
    outcomes[d.action().ordinal()]++;
    if (d.action() != DecisionAction.RETRY && d.action() != DecisionAction.PARK) {
      newRun(t, a);
    }
    return d;
  }

  private void reboundSuccess(int t, int s) {
    int a = ++attempt[t];
    decider.onSuccess(new TaskSuccess(taskIds[t], a, stages[s], null, workflowIds[t], null));
    newRun(t, a);
  }

  /** One operation on resilience4j's side: see the class comment. The delay (or -1) is returned to JMH. */
  long resilience4j() {
    long n = op++;
    clock.advance(STEP_MILLIS);
    int s = (int) (n % STAGES);
    int first = firstTaskOf(n);
    int k = turn(n);
    CircuitBreaker cb = breakers[s];
    if (closed) {
      resilience4jSuccess(first + (k + 1) % TASKS_PER_WORKFLOW, cb);
      resilience4jSuccess(first + (k + 2) % TASKS_PER_WORKFLOW, cb);
    }
    int t = first + k % TASKS_PER_WORKFLOW;
    int a = ++attempt[t];
    Throwable failure;
    if (cb.tryAcquirePermission()) {
      cb.onError(CALL_NANOS, TimeUnit.NANOSECONDS, TIMEOUT);
      failure = TIMEOUT;
    } else {
      failure = notPermitted[s];
      outcomes[outcomes.length - 1]++;
    }
    long delay = contexts[t].onError(failure);
    if (delay < 0) {
      outcomes[outcomes.length - 2]++;
      newRun(t, a);
      contexts[t] = retry.asyncContext();
    } else {
      outcomes[outcomes.length - 3]++;
    }
    return delay;
  }

  private void resilience4jSuccess(int t, CircuitBreaker cb) {
    int a = ++attempt[t];
    if (cb.tryAcquirePermission()) {
      cb.onSuccess(CALL_NANOS, TimeUnit.NANOSECONDS);
    }
    contexts[t].onComplete();
    contexts[t] = retry.asyncContext();
    newRun(t, a);
  }

  /** The first task of operation {@code n}'s workflow: stage n mod 8, its workflows in turn. */
  private static int firstTaskOf(long n) {
    long round = n / STAGES;
    int stage = (int) (n % STAGES);
    int workflow = (int) (round % WORKFLOWS_PER_STAGE);
    return (stage * WORKFLOWS_PER_STAGE + workflow) * TASKS_PER_WORKFLOW;
  }

  /** Which three tasks of the workflow operation {@code n} concerns: k, k+1, k+2 (mod 16). */
  private static int turn(long n) {
    return (int) ((n / STAGES / WORKFLOWS_PER_STAGE * 3) % TASKS_PER_WORKFLOW);
  }

  private void newRun(int t, int lastAttempt) {
    runBase[t] = lastAttempt;
    firstAt[t] = clock.instant();
  }

  /** One clock for both sides; the benchmark moves it. */
  static final class SimulatedClock extends Clock {
    private long millis;

    SimulatedClock(Instant start) {
      millis = start.toEpochMilli();
    }

    void advance(long ms) {
      millis += ms;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the benchmark clock has one zone");
    }
  }
}
