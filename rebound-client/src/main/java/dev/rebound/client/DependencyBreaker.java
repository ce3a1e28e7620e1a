package dev.rebound.client;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * The worker's local circuit breaker for one dependency. It counts the outcomes of the calls made
 * through it and fails fast while open; it also adopts the cluster-wide state the retry service
 * publishes for {@code dependency:<name>} (see {@link DependencyBreakers}). Handlers may call it from
 * any thread, so its methods are synchronized.
 */
public final class DependencyBreaker {
  /** The local view of a circuit; FORCED_OPEN only ever comes from the cluster (an operator). */
  public enum State { CLOSED, OPEN, HALF_OPEN, FORCED_OPEN }

  private record Call(Instant at, boolean ok) {
  }

  private final String name;
  private final BreakerSettings settings;
  private final Clock clock;
  private final Deque<Call> window = new ArrayDeque<>();
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private Instant openUntil;
  private boolean probeInFlight;
  private String reason;

  DependencyBreaker(String name, BreakerSettings settings, Clock clock) {
    this.name = name;
    this.settings = settings;
    this.clock = clock;
  }

  public String name() {
    return name;
  }

  public synchronized State state() {
    return state;
  }

  /** Runs {@code call} unless the circuit is open; its outcome is counted. */
  public <T> Future<T> call(Supplier<Future<T>> call) {
    CircuitOpenException refused = admit();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    Future<T> result;
    try {
      result = call.get();
      if (result == null) {
        result = Future.failedFuture(new IllegalStateException("the call to '" + name + "' returned no future"));
      }
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.andThen(ar -> record(ar.succeeded()));
  }

  private synchronized CircuitOpenException admit() {
    Instant now = clock.instant();
    if (state == State.OPEN && !now.isBefore(openUntil)) {
      state = State.HALF_OPEN;
      probeInFlight = false;
    }
    switch (state) {
      case CLOSED:
        return null;
      case HALF_OPEN:
        if (!probeInFlight) {
          probeInFlight = true;
          return null;
        }
        return new CircuitOpenException(name, state, "a probe call is under way", null);
      case OPEN:
        return new CircuitOpenException(name, state, reason, openUntil);
      default:
        return new CircuitOpenException(name, state, reason, null);
    }
  }

  synchronized void record(boolean ok) {
    Instant now = clock.instant();
    window.addLast(new Call(now, ok));
    Instant horizon = now.minus(settings.window());
    while (!window.isEmpty() && window.peekFirst().at().isBefore(horizon)) {
      window.removeFirst();
    }
    consecutiveFailures = ok ? 0 : consecutiveFailures + 1;
    if (state == State.HALF_OPEN) {
      probeInFlight = false;
      if (ok) {
        close();
      } else {
        open("the probe call failed");
      }
      return;
    }
    if (state != State.CLOSED || ok) {
      return;
    }
    long failures = window.stream().filter(c -> !c.ok()).count();
    if (consecutiveFailures >= settings.consecutiveFailures()) {
      open(consecutiveFailures + " consecutive failures");
    } else if (window.size() >= settings.minCallsInWindow()
        && failures >= settings.failureRate() * window.size()) {
      open(failures + " of the last " + window.size() + " calls failed");
    }
  }

  /** The cluster-wide state published for {@code dependency:<name>}, which wins over local counting. */
  synchronized void adopt(String clusterState, String clusterReason) {
    switch (clusterState) {
      case "OPEN" -> open(clusterReason == null ? "opened cluster-wide" : clusterReason);
      case "FORCED_OPEN" -> {
        state = State.FORCED_OPEN;
        reason = clusterReason == null ? "held open by an operator" : clusterReason;
      }
      case "HALF_OPEN" -> {
        if (state != State.CLOSED) {
          state = State.HALF_OPEN;
          probeInFlight = false;
        }
      }
      case "CLOSED", "DISABLED" -> close();
      default -> {
        // a state this client does not know: keep counting locally
      }
    }
  }

  private void open(String why) {
    state = State.OPEN;
    reason = why;
    openUntil = clock.instant().plus(settings.openDuration());
  }

  private void close() {
    state = State.CLOSED;
    reason = null;
    openUntil = null;
    consecutiveFailures = 0;
    window.clear();
  }
}
