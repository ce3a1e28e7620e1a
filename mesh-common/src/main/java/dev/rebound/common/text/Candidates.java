package dev.rebound.common.text;

import java.util.Arrays;

/** A reusable set of rule indexes with O(1) clear (generation stamps), one per thread. */
public final class Candidates {
  private final int[] stamp;
  private final int[] items;
  private int size;
  private int generation = 1;

  public Candidates(int rules) {
    stamp = new int[rules];
    items = new int[rules];
  }

  public void clear() {
    size = 0;
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(stamp, 0);
      generation = 1;
    }
  }

  public void add(int rule) {
    if (stamp[rule] != generation) {
      stamp[rule] = generation;
      items[size++] = rule;
    }
  }

  public boolean has(int item) {
    return stamp[item] == generation;
  }

  public int size() {
    return size;
  }

  public int get(int i) {
    return items[i];
  }

  /** Sorts the candidates so that evaluation order (and thus the verdict) is deterministic. */
  public void sort() {
    Arrays.sort(items, 0, size);
  }
}
