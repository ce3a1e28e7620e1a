package dev.rebound.retry.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * A window's buckets, oldest first, changed in place: a start (epoch milliseconds) and two counts each (a
 * circuit's calls and failures, a budget's first attempts and retries). The working form of
 * {@link SlidingWindow#buckets()} and {@link BudgetSnapshot#buckets()}: a decision adds to the newest
 * bucket or appends one, and buckets leave from the oldest end, so nothing is copied per outcome.
 *
 * <p>The ring keeps the sums of both counts over all its buckets as they come and go, so a rate check or a
 * budget check reads them instead of adding up every bucket: a sum over the buckets after a horizon
 * subtracts only the oldest buckets, those at or before it (usually none or one).
 */
final class BucketRing {

  private long[] start;
  private long[] first;
  private long[] second;
  private int head;
  private int size;
  /** Whether the starts never decrease, oldest first (they do unless a restored window was out of order). */
  private boolean ordered = true;
  /** The sums of {@link #first} and {@link #second} over the buckets in the ring. */
  private long firstTotal;
  private long secondTotal;

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
    return firstTotal;
  }

  long secondSum() {
    return secondTotal;
  }

  /** The first counts of the buckets that start after {@code horizon}: the sum once {@link #trim}med. */
  long firstSumAfter(long horizon) {
    return sumAfter(first, firstTotal, horizon);
  }

  long secondSumAfter(long horizon) {
    return sumAfter(second, secondTotal, horizon);
  }

  private long sumAfter(long[] counts, long total, long horizon) {
    if (!ordered) {
      long n = 0;
      for (int i = 0; i < size; i++) {
        int s = slot(i);
        if (start[s] > horizon) {
          n += counts[s];
        }
      }
      return n;
    }
    // in order: the buckets at or before the horizon are the oldest ones
    long n = total;
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      if (start[s] > horizon) {
        break;
      }
      n -= counts[s];
    }
    return n;
  }

  void clear() {
    head = 0;
    size = 0;
    ordered = true;
    firstTotal = 0;
    secondTotal = 0;
  }

  /** Drops the oldest bucket (there is one). */
  private void dropOldest() {
    firstTotal -= first[head];
    secondTotal -= second[head];
    head = slot(1);
    size--;
  }

  /** Appends a bucket after the newest, dropping the oldest beyond {@code max} (a count-based window). */
  void append(long bucketStart, long a, long b, int max) {
    while (size > 0 && size >= max) {
      dropOldest();
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
    firstTotal += a;
    secondTotal += b;
    size++;
  }

  /** Adds to the newest bucket's counts (there is one). */
  void addToNewest(long a, long b) {
    int s = slot(size - 1);
    first[s] += a;
    second[s] += b;
    firstTotal += a;
    secondTotal += b;
  }

  /** Drops every bucket that starts at or before {@code horizon}, keeping the others in order (as a filter). */
  void trim(long horizon) {
    while (size > 0 && start[head] <= horizon) {
      dropOldest();
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
      } else {
        firstTotal -= first[from];
        secondTotal -= second[from];
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
