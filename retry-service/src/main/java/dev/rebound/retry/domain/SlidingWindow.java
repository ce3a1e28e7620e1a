package dev.rebound.retry.domain;

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
}
