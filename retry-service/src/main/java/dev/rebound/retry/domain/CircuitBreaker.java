package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The rules of one circuit as pure functions: each takes a {@link CircuitSnapshot} and the current time
 * and returns a {@link Step} — the next snapshot and the transitions made — without keeping state, so the
 * caller decides where state lives (a map in one JVM, cluster-wide shared data with compare-and-set).
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
    Transitions t = new Transitions();
    CircuitSnapshot next = due(s, now, t);
    return new Step(next, t.list(), next.state().letsWorkThrough());
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
    Transitions t = new Transitions();
    CircuitSnapshot cur = due(s, now, t);
    switch (cur.state()) {
      case CLOSED -> {
        int consecutive = cur.consecutiveFailures() + 1;
        SlidingWindow w = cur.window().record(now.toEpochMilli(), true, config);
        String why = null;
        if (config.failureThreshold() > 0 && consecutive >= config.failureThreshold()) {
          why = consecutive + " consecutive failures (threshold " + config.failureThreshold() + "), the last: "
              + what.text();
        } else if (config.failureRateThreshold() > 0 && w.calls() >= config.minimumCalls()
            && w.failureRate() >= config.failureRateThreshold()) {
          why = "failure rate " + Math.round(w.failureRate() * 100) + " % over the last " + w.calls() + " calls (threshold "
              + Math.round(config.failureRateThreshold() * 100) + " %), the last: " + what.text();
        }
        cur = why == null ? cur.counting(consecutive, w) : open(cur, now, why, t);
      }
      case HALF_OPEN -> cur = open(cur, now, "a probe failed: " + what.text(), t);
      default -> {
        // OPEN waits for its time; FORCED_OPEN and DISABLED count nothing
      }
    }
    return new Step(cur, t.list(), cur.state().letsWorkThrough());
  }

  /** A success. CLOSED: resets the consecutive count. HALF_OPEN: may close. Other states: nothing. */
  public Step onSuccess(CircuitSnapshot s, Instant now) {
    Transitions t = new Transitions();
    CircuitSnapshot cur = due(s, now, t);
    switch (cur.state()) {
      case CLOSED -> cur = cur.counting(0, cur.window().record(now.toEpochMilli(), false, config));
      case HALF_OPEN -> {
        int successes = cur.probeSuccesses() + 1;
        if (successes >= config.successThreshold()) {
          cur = move(cur, CircuitState.CLOSED, now, null, 0, successes + " probe" + (successes == 1 ? "" : "s")
              + " succeeded", null, t);
        } else {
          cur = cur.probes(Math.max(cur.probesAdmitted(), successes), successes);
        }
      }
      default -> {
        // a late success of work that started before the circuit opened proves nothing
      }
    }
    return new Step(cur, t.list(), cur.state().letsWorkThrough());
  }

  /**
   * Asks to let one probe through: admitted while HALF_OPEN and fewer than {@code halfOpenProbes} are out
   * (an OPEN circuit whose time has passed half-opens first). Always admitted when CLOSED or DISABLED.
   */
  public Step tryProbe(CircuitSnapshot s, Instant now) {
    Transitions t = new Transitions();
    CircuitSnapshot cur = due(s, now, t);
    if (cur.state().letsWorkThrough()) {
      return new Step(cur, t.list(), true);
    }
    if (cur.state() == CircuitState.HALF_OPEN && cur.probesAdmitted() < config.halfOpenProbes()) {
      return new Step(cur.probes(cur.probesAdmitted() + 1, cur.probeSuccesses()), t.list(), true);
    }
    return new Step(cur, t.list(), false);
  }

  /** Operator: hold the circuit open until an operator closes or resets it. */
  public Step forceOpen(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, CircuitState.FORCED_OPEN, now, s.opens(), actor, why == null ? "forced open" : why);
  }

  /** Operator: close, clearing the counts; the growth of the open time is kept (see {@link #reset}). */
  public Step close(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, CircuitState.CLOSED, now, s.opens(), actor, why == null ? "closed by an operator" : why);
  }

  /** Operator: switch the circuit off; it lets everything through and counts nothing. */
  public Step disable(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, CircuitState.DISABLED, now, 0, actor, why == null ? "disabled by an operator" : why);
  }

  /** Operator: back to a new circuit (CLOSED, no counts, no growth) from any state. */
  public Step reset(CircuitSnapshot s, Instant now, String actor, String why) {
    return operator(s, CircuitState.CLOSED, now, 0, actor, why == null ? "reset by an operator" : why);
  }

  private Step operator(CircuitSnapshot s, CircuitState to, Instant now, int opens, String actor, String why) {
    Transitions t = new Transitions();
    CircuitSnapshot next = move(s, to, now, null, opens, why, Objects.requireNonNull(actor, "actor"), t);
    return new Step(next, t.list(), next.state().letsWorkThrough());
  }

  /** The (at most two) transitions of one rule: no list is built when there are none, the usual case. */
  private static final class Transitions {
    private CircuitTransition first;
    private CircuitTransition second;

    void add(CircuitTransition t) {
      if (first == null) {
        first = t;
      } else if (second == null) {
        second = t;
      } else {
        throw new IllegalStateException("a rule makes at most two transitions");
      }
    }

    List<CircuitTransition> list() {
      return first == null ? List.of() : second == null ? List.of(first) : List.of(first, second);
    }
  }

  private CircuitSnapshot due(CircuitSnapshot s, Instant now, Transitions t) {
    if (s.state() == CircuitState.OPEN && !now.isBefore(s.openUntil())) {
      return move(s, CircuitState.HALF_OPEN, now, null, s.opens(), "open time of "
          + ConfigMap.format(Duration.between(s.since(), s.openUntil())) + " passed", null, t);
    }
    return s;
  }

  private CircuitSnapshot open(CircuitSnapshot s, Instant now, String why, Transitions t) {
    int opens = s.opens() + 1;
    Instant until = now.plus(config.openDurationAfter(opens));
    return move(s, CircuitState.OPEN, now, until, opens, why, null, t);
  }

  private static CircuitSnapshot move(CircuitSnapshot s, CircuitState to, Instant now, Instant until, int opens,
      String why, String actor, Transitions t) {
    t.add(new CircuitTransition(s.name(), s.state(), to, why, now, actor));
    return s.enter(to, now, until, opens, why);
  }
}
