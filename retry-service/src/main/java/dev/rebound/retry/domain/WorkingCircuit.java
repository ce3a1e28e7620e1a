package dev.rebound.retry.domain;

import java.time.Instant;

/**
 * A circuit's state as {@link RetryDecider} keeps it between its {@link RetryDecider#restore restore} and
 * its {@link RetryDecider#snapshot snapshot}: the fields of a {@link CircuitSnapshot}, changed in place by
 * the {@link CircuitBreaker}'s rules, its window a {@link BucketRing}. Every change increments the version,
 * as each new snapshot did, so the snapshot exported is equal to the one the rules used to build and is
 * built again only after a change.
 */
final class WorkingCircuit {

  final String name;
  CircuitState state;
  Instant since;
  Instant openUntil;
  int consecutiveFailures;
  /** Calls (first) and failures (second) per bucket. */
  final BucketRing window = new BucketRing();
  int opens;
  int probesAdmitted;
  int probeSuccesses;
  String reason;
  long version;
  private CircuitSnapshot exported;

  private WorkingCircuit(String name) {
    this.name = name;
  }

  /** A new circuit: CLOSED, nothing counted (as {@link CircuitSnapshot#closed}). */
  static WorkingCircuit closed(String name, Instant now) {
    return of(CircuitSnapshot.closed(name, now));
  }

  static WorkingCircuit of(CircuitSnapshot s) {
    WorkingCircuit c = new WorkingCircuit(s.name());
    c.state = s.state();
    c.since = s.since();
    c.openUntil = s.openUntil();
    c.consecutiveFailures = s.consecutiveFailures();
    for (SlidingWindow.Bucket b : s.window().buckets()) {
      c.window.append(b.start(), b.calls(), b.failures(), Integer.MAX_VALUE);
    }
    c.opens = s.opens();
    c.probesAdmitted = s.probesAdmitted();
    c.probeSuccesses = s.probeSuccesses();
    c.reason = s.reason();
    c.version = s.version();
    c.exported = s;
    return c;
  }

  /** The circuit as a record: the one imported or last exported while nothing has changed since. */
  CircuitSnapshot snapshot() {
    if (exported == null || exported.version() != version) {
      SlidingWindow w = window.size() == 0 ? SlidingWindow.EMPTY
          : new SlidingWindow(window.toList((start, calls, failures) -> new SlidingWindow.Bucket(start, (int) calls,
              (int) failures)));
      exported = new CircuitSnapshot(name, state, since, openUntil, consecutiveFailures, w, opens, probesAdmitted,
          probeSuccesses, reason, version);
    }
    return exported;
  }

  /** Enters a state: counts and window cleared ({@code CircuitSnapshot.enter} before). */
  void enter(CircuitState to, Instant now, Instant until, int opens, String why) {
    state = to;
    since = now;
    openUntil = until;
    consecutiveFailures = 0;
    window.clear();
    this.opens = opens;
    probesAdmitted = 0;
    probeSuccesses = 0;
    reason = why;
    version++;
  }
}
