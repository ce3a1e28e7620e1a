package dev.rebound.retry.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * A window's buckets, oldest first, changed in place: a start (epoch milliseconds) and two counts each (a
 * circuit's calls and failures, a budget's first attempts and retries). The working form of
 * {@link SlidingWindow#buckets()} and {@link BudgetSnapshot#buckets()}: a decision adds to the newest
 * bucket or appends one, and buckets leave from the oldest end, so nothing is copied per outcome.
 */
final class BucketRing {

  private long[] start;
  private long[] first;
  private long[] second;
  private int head;
  private int size;
  /** Whether the starts never decrease, oldest first (they do unless a restored window was out of order). */
  private boolean ordered = true;

  BucketRing() {
    int c = 8;
    start = new long[c];
    first = new long[c];
    second = new long[c];
  }

  int size() {
    return size;
  }

  private int slot(int index) {
    return (head + index) & (start.length - 1);
  }

  long start(int index) {
    return start[slot(index)];
  }

  long first(int index) {
    return first[slot(index)];
  }

  long second(int index) {
    return second[slot(index)];
  }

  long firstSum() {
    long n = 0;
    for (int i = 0; i < size; i++) {
      n += first[slot(i)];
    }
    return n;
  }

  long secondSum() {
    long n = 0;
    for (int i = 0; i < size; i++) {
      n += second[slot(i)];
    }
    return n;
  }

  /** The first counts of the buckets that start after {@code horizon}: the sum once {@link #trim}med. */
  long firstSumAfter(long horizon) {
    long n = 0;
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      if (start[s] > horizon) {
        n += first[s];
      }
    }
    return n;
  }

  long secondSumAfter(long horizon) {
    long n = 0;
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      if (start[s] > horizon) {
        n += second[s];
      }
    }
    return n;
  }

  void clear() {
    head = 0;
    size = 0;
    ordered = true;
  }

  /** Appends a bucket after the newest, dropping the oldest beyond {@code max} (a count-based window). */
  void append(long bucketStart, long a, long b, int max) {
    while (size > 0 && size >= max) {
      head = slot(1);
      size--;
    }
    if (size == start.length) {
      grow();
    }
    if (size > 0 && bucketStart < start[slot(size - 1)]) {
      ordered = false;
    }
    int s = slot(size);
    start[s] = bucketStart;
    first[s] = a;
    second[s] = b;
    size++;
  }

  /** Adds to the newest bucket's counts (there is one). */
  void addToNewest(long a, long b) {
    int s = slot(size - 1);
    first[s] += a;
    second[s] += b;
  }

  /** Drops every bucket that starts at or before {@code horizon}, keeping the others in order (as a filter). */
  void trim(long horizon) {
    while (size > 0 && start[head] <= horizon) {
      head = slot(1);
      size--;
    }
    if (ordered) {
      return; // the rest start after the first one kept
    }
    int kept = 0;
    for (int i = 0; i < size; i++) {
      int from = slot(i);
      if (start[from] > horizon) {
        int to = slot(kept++);
        start[to] = start[from];
        first[to] = first[from];
        second[to] = second[from];
      }
    }
    size = kept;
  }

  /** The buckets as records, oldest first. */
  <B> List<B> toList(BucketFactory<B> factory) {
    List<B> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      out.add(factory.bucket(start[s], first[s], second[s]));
    }
    return out;
  }

  interface BucketFactory<B> {
    B bucket(long start, long first, long second);
  }

  private void grow() {
    int c = start.length * 2;
    long[] s = new long[c];
    long[] a = new long[c];
    long[] b = new long[c];
    for (int i = 0; i < size; i++) {
      int from = slot(i);
      s[i] = start[from];
      a[i] = first[from];
      b[i] = second[from];
    }
    start = s;
    first = a;
    second = b;
    head = 0;
  }
}
