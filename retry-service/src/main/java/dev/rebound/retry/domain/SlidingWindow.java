package dev.rebound.retry.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Recent calls of a circuit, as a plain record so it can be snapshotted: count-based (the last N calls,
 * one bucket each) or time-based (calls of the last D, in buckets of D/10).
 *
 * @param buckets oldest first; {@code start} is epoch milliseconds
 */
public record SlidingWindow(List<Bucket> buckets) {

  public static final SlidingWindow EMPTY = new SlidingWindow(List.of());

  /** How the window is bounded. */
  public enum Type { COUNT_BASED, TIME_BASED }

  public record Bucket(long start, int calls, int failures) {
  }

  public SlidingWindow {
    buckets = List.copyOf(buckets);
  }

  public int calls() {
    int n = 0;
    for (Bucket b : buckets) {
      n += b.calls;
    }
    return n;
  }

  public int failures() {
    int n = 0;
    for (Bucket b : buckets) {
      n += b.failures;
    }
    return n;
  }

  /** Failures over calls in [0, 1]; 0 when empty. */
  public double failureRate() {
    int calls = calls();
    return calls == 0 ? 0 : (double) failures() / calls;
  }

  /** The window with one more call, trimmed to the configuration. */
  SlidingWindow record(long nowMillis, boolean failed, CircuitConfig config) {
    if (config.slidingWindowType() == Type.COUNT_BASED) {
      // one copy per call (an immutable list is not copied again by the record): this runs on every outcome
      int keep = Math.min(buckets.size(), config.slidingWindowSize() - 1);
      Bucket[] out = new Bucket[keep + 1];
      for (int i = 0, from = buckets.size() - keep; i < keep; i++) {
        out[i] = buckets.get(from + i);
      }
      out[keep] = new Bucket(nowMillis, 1, failed ? 1 : 0);
      return new SlidingWindow(List.of(out));
    }
    List<Bucket> out = new ArrayList<>(buckets.size() + 1);
    long slice = Math.max(1, config.slidingWindowDuration().toMillis() / 10);
    long start = Math.floorDiv(nowMillis, slice) * slice;
    out.addAll(trimmed(nowMillis, config).buckets);
    if (!out.isEmpty() && out.get(out.size() - 1).start == start) {
      Bucket last = out.remove(out.size() - 1);
      out.add(new Bucket(start, last.calls + 1, last.failures + (failed ? 1 : 0)));
    } else {
      out.add(new Bucket(start, 1, failed ? 1 : 0));
    }
    return new SlidingWindow(out);
  }

  /** Without the buckets that have left a time-based window (a count-based one is returned as is). */
  SlidingWindow trimmed(long nowMillis, CircuitConfig config) {
    if (config.slidingWindowType() == Type.COUNT_BASED) {
      return this;
    }
    long horizon = nowMillis - config.slidingWindowDuration().toMillis();
    List<Bucket> out = new ArrayList<>(buckets.size());
    for (Bucket b : buckets) {
      if (b.start > horizon) {
        out.add(b);
      }
    }
    return out.size() == buckets.size() ? this : new SlidingWindow(out);
  }
}
