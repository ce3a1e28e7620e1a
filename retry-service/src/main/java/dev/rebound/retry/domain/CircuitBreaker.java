package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rules of one circuit as pure functions: each takes a {@link CircuitSnapshot} and the current time
 * and returns a {@link Step} — the next snapshot and the transitions made — without keeping state, so the
 * caller decides where state lives (a map in one JVM, cluster-wide shared data with compare-and-set).
 * The rules are written once, over a {@link WorkingCircuit} changed in place: {@link RetryDecider} keeps
 * its circuits in that form between a restore and a snapshot, and each public method here runs the same
 * rule over a copy of its snapshot.
 *
 * <pre>
 * CLOSED ──(N consecutive counted failures, or failure rate ≥ threshold over ≥ minimumCalls)──▶ OPEN
 * OPEN ──(openUntil passed: refresh, or any call)──▶ HALF_OPEN ──(successThreshold probe successes)──▶ CLOSED
 * HALF_OPEN ──(a counted probe failure)──▶ OPEN, for openDuration × multiplier^(opens-1), at most maxOpenDuration
 * any ──operator──▶ FORCED_OPEN | CLOSED (close, reset) | DISABLED
 * </pre>
 *
 * <p>Compared with <b>resilience4j</b>'s CircuitBreaker: the same states (METRICS_ONLY aside) and sliding
 * windows (count- or time-based with a minimum number of calls); added a consecutive-failure trigger
 * (resilience4j has only rates); half-open closes after {@code successThreshold} successful probes and
 * reopens on the first failed probe (resilience4j evaluates the failure rate over all permitted half-open
 * calls); no slow-call rate; "ignored" failures are the task's own permanent ones (like its
 * {@code ignoreExceptions}). Compared with <b>vertx-circuit-breaker</b>: its {@code maxFailures} counts
 * failures in a rolling time window and has no rate, a fixed single half-open call, a fixed
 * {@code resetTimeout} (ours may grow), no operator states. Both wrap calls in one JVM; this one decides
 * about calls that run elsewhere (workers), and its state is a value the cluster shares.
 */
public final class CircuitBreaker {

  private final CircuitConfig config;

  private CircuitBreaker(CircuitConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public static CircuitBreaker of(CircuitConfig config) {
    return new CircuitBreaker(config);
  }

  public static CircuitBreaker ofDefaults() {
    return new CircuitBreaker(CircuitConfig.DEFAULT);
  }

  public CircuitConfig config() {
    return config;
  }

  /**
   * The outcome of one rule.
   *
   * @param permitted for {@link #tryProbe}: whether a probe was admitted; elsewhere whether work may flow now
   */
  public record Step(CircuitSnapshot snapshot, List<CircuitTransition> transitions, boolean permitted) {
    public Step {
      transitions = List.copyOf(transitions);
    }

    public boolean changed(CircuitSnapshot before) {
      return snapshot.version() != before.version();
    }
  }

  /** OPEN → HALF_OPEN once the open time has passed; otherwise nothing changes. Call it from a timer too. */
  public Step refresh(CircuitSnapshot s, Instant now) {
    WorkingCircuit c = WorkingCircuit.of(s);
    List<CircuitTransition> t = new ArrayList<>(2);
    boolean flows = refresh(c, now, t);
    return new Step(c.snapshot(), t, flows);
  }

  /**
   * A counted failure (the caller decides what counts: see {@link CircuitConfig#countPermanentFailures()}).
   * CLOSED: may open. HALF_OPEN: reopens with a longer open time. OPEN, FORCED_OPEN, DISABLED: nothing.
   */
  public Step onFailure(CircuitSnapshot s, Instant now, String what) {
    return onFailure(s, now, () -> what);
  }

  /** {@link #onFailure(CircuitSnapshot, Instant, String)}, the failure described only if the circuit opens. */
  Step onFailure(CircuitSnapshot s, Instant now, Reasons.Text what) {
    WorkingCircuit c = WorkingCircuit.of(s);
    List<CircuitTransition> t = new ArrayList<>(2);
    boolean flows = onFailure(c, now, what, t);
    return new Step(c.snapshot(), t, flows);
  }

  /** A success. CLOSED: resets the consecutive count. HALF_OPEN: may close. Other states: nothing. */
  public Step onSuccess(CircuitSnapshot s, Instant now) {
    WorkingCircuit c = WorkingCircuit.of(s);
    List<CircuitTransition> t = new ArrayList<>(2);
    boolean flows = onSuccess(c, now, t);
    return new Step(c.snapshot(), t, flows);
  }

  /**
   * Asks to let one probe through: admitted while HALF_OPEN and fewer than {@code halfOpenProbes} are out
   * (an OPEN circuit whose time has passed half-opens first). Always admitted when CLOSED or DISABLED.
   */
  public Step tryProbe(CircuitSnapshot s, Instant now) {
    WorkingCircuit c = WorkingCircuit.of(s);
    List<CircuitTransition> t = new ArrayList<>(2);
    boolean permitted = tryProbe(c, now, t);
    return new Step(c.snapshot(), t, permitted);
  }

  /** Operator: hold the circuit open until an operator closes or resets it. */
  public Step forceOpen(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, RetryDecider.Operation.OPEN, now, actor, why);
  }

  /** Operator: close, clearing the counts; the growth of the open time is kept (see {@link #reset}). */
  public Step close(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, RetryDecider.Operation.CLOSE, now, actor, why);
  }

  /** Operator: switch the circuit off; it lets everything through and counts nothing. */
  public Step disable(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, RetryDecider.Operation.DISABLE, now, actor, why);
  }

  /** Operator: back to a new circuit (CLOSED, no counts, no growth) from any state. */
  public Step reset(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, RetryDecider.Operation.RESET, now, actor, why);
  }

  private Step operator(CircuitSnapshot s, RetryDecider.Operation op, Instant now, String actor, String why) {
    WorkingCircuit c = WorkingCircuit.of(s);
    List<CircuitTransition> t = new ArrayList<>(1);
    boolean flows = operate(c, op, now, actor, why, t);
    return new Step(c.snapshot(), t, flows);
  }

  // ---- the rules, over a circuit changed in place (the methods above run them over a copy of a snapshot)

  /** {@link #refresh(CircuitSnapshot, Instant)}: returns whether work may flow. */
  boolean refresh(WorkingCircuit c, Instant now, List<? super CircuitTransition> t) {
    due(c, now, t);
    return c.state.letsWorkThrough();
  }

  /** {@link #onFailure(CircuitSnapshot, Instant, String)}: returns whether work may flow. */
  boolean onFailure(WorkingCircuit c, Instant now, Reasons.Text what, List<? super CircuitTransition> t) {
    due(c, now, t);
    switch (c.state) {
      case CLOSED -> {
        int consecutive = c.consecutiveFailures + 1;
        record(c.window, now.toEpochMilli(), true);
        String why = null;
        if (config.failureThreshold() > 0 && consecutive >= config.failureThreshold()) {
          why = consecutive + " consecutive failures (threshold " + config.failureThreshold() + "), the last: "
              + what.text();
        } else if (config.failureRateThreshold() > 0) {
          long calls = c.window.firstSum();
          double rate = calls == 0 ? 0 : (double) c.window.secondSum() / calls;
          if (calls >= config.minimumCalls() && rate >= config.failureRateThreshold()) {
            why = "failure rate " + Math.round(rate * 100) + " % over the last " + calls + " calls (threshold "
                + Math.round(config.failureRateThreshold() * 100) + " %), the last: " + what.text();
          }
        }
        if (why == null) {
          c.consecutiveFailures = consecutive;
          c.version++;
        } else {
          open(c, now, why, t);
        }
      }
      case HALF_OPEN -> open(c, now, "a probe failed: " + what.text(), t);
      default -> {
        // OPEN waits for its time; FORCED_OPEN and DISABLED count nothing
      }
    }
    return c.state.letsWorkThrough();
  }

  /** {@link #onSuccess(CircuitSnapshot, Instant)}: returns whether work may flow. */
  boolean onSuccess(WorkingCircuit c, Instant now, List<? super CircuitTransition> t) {
    due(c, now, t);
    switch (c.state) {
      case CLOSED -> {
        record(c.window, now.toEpochMilli(), false);
        c.consecutiveFailures = 0;
        c.version++;
      }
      case HALF_OPEN -> {
        int successes = c.probeSuccesses + 1;
        if (successes >= config.successThreshold()) {
          move(c, CircuitState.CLOSED, now, null, 0, successes + " probe" + (successes == 1 ? "" : "s") + " succeeded",
              null, t);
        } else {
          c.probesAdmitted = Math.max(c.probesAdmitted, successes);
          c.probeSuccesses = successes;
          c.version++;
        }
      }
      default -> {
        // a late success of work that started before the circuit opened proves nothing
      }
    }
    return c.state.letsWorkThrough();
  }

  /** {@link #tryProbe(CircuitSnapshot, Instant)}: returns whether the probe was admitted. */
  boolean tryProbe(WorkingCircuit c, Instant now, List<? super CircuitTransition> t) {
    due(c, now, t);
    if (c.state.letsWorkThrough()) {
      return true;
    }
    if (c.state == CircuitState.HALF_OPEN && c.probesAdmitted < config.halfOpenProbes()) {
      c.probesAdmitted++;
      c.version++;
      return true;
    }
    return false;
  }

  /** An operator's action: returns whether work may flow. */
  boolean operate(WorkingCircuit c, RetryDecider.Operation op, Instant now, String actor, String why,
      List<? super CircuitTransition> t) {
    Objects.requireNonNull(actor, "actor");
    switch (op) {
      case OPEN -> move(c, CircuitState.FORCED_OPEN, now, null, c.opens, why == null ? "forced open" : why, actor, t);
      case CLOSE -> move(c, CircuitState.CLOSED, now, null, c.opens, why == null ? "closed by an operator" : why, actor, t);
      case DISABLE -> move(c, CircuitState.DISABLED, now, null, 0, why == null ? "disabled by an operator" : why, actor, t);
      case RESET -> move(c, CircuitState.CLOSED, now, null, 0, why == null ? "reset by an operator" : why, actor, t);
    }
    return c.state.letsWorkThrough();
  }

  /** One more call in the window, trimmed to the configuration (count-based: the last size - 1 calls and this one). */
  private void record(BucketRing window, long nowMillis, boolean failed) {
    int failure = failed ? 1 : 0;
    if (config.slidingWindowType() == SlidingWindow.Type.COUNT_BASED) {
      window.append(nowMillis, 1, failure, config.slidingWindowSize());
      return;
    }
    long slice = Math.max(1, config.slidingWindowDuration().toMillis() / 10);
    long start = Math.floorDiv(nowMillis, slice) * slice;
    window.trim(nowMillis - config.slidingWindowDuration().toMillis());
    if (window.size() > 0 && window.start(window.size() - 1) == start) {
      window.addToNewest(1, failure);
    } else {
      window.append(start, 1, failure, Integer.MAX_VALUE);
    }
  }

  private void due(WorkingCircuit c, Instant now, List<? super CircuitTransition> t) {
    if (c.state == CircuitState.OPEN && !now.isBefore(c.openUntil)) {
      move(c, CircuitState.HALF_OPEN, now, null, c.opens, "open time of "
          + ConfigMap.format(Duration.between(c.since, c.openUntil)) + " passed", null, t);
    }
  }

  private void open(WorkingCircuit c, Instant now, String why, List<? super CircuitTransition> t) {
    int opens = c.opens + 1;
    Instant until = now.plus(config.openDurationAfter(opens));
    move(c, CircuitState.OPEN, now, until, opens, why, null, t);
  }

  private static void move(WorkingCircuit c, CircuitState to, Instant now, Instant until, int opens, String why,
      String actor, List<? super CircuitTransition> t) {
    t.add(new CircuitTransition(c.name, c.state, to, why, now, actor));
    c.enter(to, now, until, opens, why);
  }
}
