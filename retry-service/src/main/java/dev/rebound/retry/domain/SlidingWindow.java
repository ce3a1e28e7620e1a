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
    // shares storage with the window it came from (see WindowList): recorded on every outcome
    buckets = WindowList.copyOf(buckets);
  }

  public int calls() {
    int n = 0;
    for (int i = 0; i < buckets.size(); i++) {
      n += buckets.get(i).calls;
    }
    return n;
  }

  public int failures() {
    int n = 0;
    for (int i = 0; i < buckets.size(); i++) {
      n += buckets.get(i).failures;
    }
    return n;
  }

  /** Failures over calls in [0, 1]; 0 when empty. */
  public double failureRate() {
    int calls = calls();
    return calls == 0 ? 0 : (double) failures() / calls;
  }

  private WindowList<Bucket> entries() {
    return (WindowList<Bucket>) buckets;
  }

  /** The window with one more call, trimmed to the configuration. */
  SlidingWindow record(long nowMillis, boolean failed, CircuitConfig config) {
    if (config.slidingWindowType() == Type.COUNT_BASED) {
      // the last size - 1 calls and this one
      return new SlidingWindow(entries().append(new Bucket(nowMillis, 1, failed ? 1 : 0), config.slidingWindowSize()));
    }
    long slice = Math.max(1, config.slidingWindowDuration().toMillis() / 10);
    long start = Math.floorDiv(nowMillis, slice) * slice;
    WindowList<Bucket> kept = trimmed(nowMillis, config).entries();
    Bucket last = kept.newest();
    return new SlidingWindow(last != null && last.start == start
        ? kept.withNewest(new Bucket(start, last.calls + 1, last.failures + (failed ? 1 : 0)))
        : kept.append(new Bucket(start, 1, failed ? 1 : 0)));
  }

  /** Without the buckets that have left a time-based window (a count-based one is returned as is). */
  SlidingWindow trimmed(long nowMillis, CircuitConfig config) {
    if (config.slidingWindowType() == Type.COUNT_BASED) {
      return this;
    }
    long horizon = nowMillis - config.slidingWindowDuration().toMillis();
    int n = buckets.size();
    int leaving = 0;
    while (leaving < n && buckets.get(leaving).start <= horizon) {
      leaving++;
    }
    for (int i = leaving; i < n; i++) {
      if (buckets.get(i).start <= horizon) {
        // out of order (a restored window): keep the later ones that are still inside, as a filter would
        List<Bucket> out = new ArrayList<>(n);
        for (Bucket b : buckets) {
          if (b.start > horizon) {
            out.add(b);
          }
        }
        return new SlidingWindow(out);
      }
    }
    return leaving == 0 ? this : new SlidingWindow(entries().dropOldest(leaving));
  }
}
