package dev.rebound.analyzer.domain;

import java.util.Arrays;

/** A reusable set of rule indexes with O(1) clear (generation stamps), one per thread. */
final class Candidates {
  private final int[] stamp;
  private final int[] items;
  private int size;
  private int generation = 1;

  Candidates(int rules) {
    stamp = new int[rules];
    items = new int[rules];
  }

  void clear() {
    size = 0;
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(stamp, 0);
      generation = 1;
    }
  }

  void add(int rule) {
    if (stamp[rule] != generation) {
      stamp[rule] = generation;
      items[size++] = rule;
    }
  }

  boolean has(int item) {
    return stamp[item] == generation;
  }

  int size() {
    return size;
  }

  int get(int i) {
    return items[i];
  }

  /** Sorts the candidates so that evaluation order (and thus the verdict) is deterministic. */
  void sort() {
    Arrays.sort(items, 0, size);
  }
}
