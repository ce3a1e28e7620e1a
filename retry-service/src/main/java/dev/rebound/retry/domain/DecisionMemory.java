package dev.rebound.retry.domain;

import java.util.Arrays;
import java.util.Objects;

/**
 * The last {@code capacity} decisions by (task, attempt), forgetting the oldest first: what a
 * {@code LinkedHashMap} with {@code removeEldestEntry} does, in flat arrays. Every decision looks here first
 * and is nearly always new, and a full memory forgets one entry per decision, so both must be cheap.
 *
 * <p>The entries sit in a ring by their number (0, 1, 2… in the order they were added), at place
 * {@code number & (ring length - 1)}; the last {@code size} numbers are remembered. They are found through
 * hash tables of (hash, number) words, open addressing with linear probing: {@code current} holds the words
 * of the entries added in this epoch, {@code previous} those of the epoch before, and an epoch ends after
 * {@code capacity} additions, when {@code previous} is emptied and becomes the next {@code current}. An entry
 * is remembered for {@code capacity} additions, so its word is always in one of the two. Forgetting the
 * oldest entry only clears its place in the ring: its word stays in {@code previous}, where a look-up sees
 * that its number is too old, until the epoch ends. (Before, forgetting removed the word from one table,
 * a read and write at a random place in two megabytes, usually a cache miss: a sixth of a decision's time.)
 * Not thread-safe ({@link RetryDecider} holds its lock).
 *
 * @param <V> what is remembered
 */
final class DecisionMemory<V> {

  private static final int MIN_SLOTS = 64;

  private final int capacity;
  // by place in the ring (number & (length - 1)): the entries numbered next - size … next - 1
  private String[] ids;
  private int[] attempts;
  private Object[] values;
  /** The number of the next entry added (it wraps; only differences are used). */
  private int next;
  private int size;
  /** Per slot: (hash << 32 | number) of an entry added in this epoch; 0 for an empty slot. */
  private long[] current;
  /** The same for the epoch before; some of its entries are forgotten already. */
  private long[] previous;
  /** Entries added in this epoch. */
  private int added;

  DecisionMemory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    current = new long[MIN_SLOTS];
    previous = new long[MIN_SLOTS];
    allocateRing(Math.min(ringLength(capacity), MIN_SLOTS / 2));
  }

  int size() {
    return size;
  }

  /** The value remembered for (id, attempt), or null. */
  @SuppressWarnings("unchecked")
  V get(String id, int attempt) {
    int place = find(hash(id, attempt), id, attempt);
    return place < 0 ? null : (V) values[place];
  }

  /**
   * Remembers a value for (id, attempt): replaces the value of one remembered already (keeping its
   * place), or adds it as the newest and forgets the oldest beyond the capacity.
   */
  void put(String id, int attempt, V value) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(value, "value");
    int hash = hash(id, attempt);
    int found = find(hash, id, attempt);
    if (found >= 0) {
      values[found] = value;
      return;
    }
    if (added == capacity) {
      long[] emptied = previous;
      Arrays.fill(emptied, 0);
      previous = current;
      current = emptied;
      added = 0;
    }
    if (size == capacity) {
      int oldest = (next - size) & (ids.length - 1);
      ids[oldest] = null;
      values[oldest] = null;
      size--;
    } else if (size == ids.length) {
      growRing();
    }
    if (2 * (added + 1) > current.length) {
      current = rehash(current, current.length * 2);
    }
    insert(current, (long) hash << 32 | (next & 0xFFFFFFFFL));
    int place = next & (ids.length - 1);
    ids[place] = id;
    attempts[place] = attempt;
    values[place] = value;
    next++;
    size++;
    added++;
  }

  /** The place of the entry remembered for (id, attempt), or -1. */
  private int find(int hash, String id, int attempt) {
    int place = find(current, hash, id, attempt);
    return place >= 0 ? place : find(previous, hash, id, attempt);
  }

  private int find(long[] table, int hash, String id, int attempt) {
    int mask = table.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      long t = table[i];
      if (t == 0) {
        return -1;
      }
      if ((int) (t >>> 32) == hash) {
        int number = (int) t;
        int age = next - 1 - number;
        int place = number & (ids.length - 1);
        // a word of the previous epoch may be of an entry forgotten since: its place holds a newer one
        if (age < size && attempts[place] == attempt && (ids[place] == id || ids[place].equals(id))) {
          return place;
        }
      }
    }
  }

  /** Never 0, so that a word is never 0 (an empty slot). */
  private static int hash(String id, int attempt) {
    if (attempt == 0) {
      throw new IllegalArgumentException("attempt must not be 0");
    }
    int h = id.hashCode() * 0x9E3779B9 + attempt;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return h == 0 ? 1 : h;
  }

  private static void insert(long[] table, long word) {
    int mask = table.length - 1;
    int i = (int) (word >>> 32) & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = word;
  }

  private static long[] rehash(long[] table, int n) {
    long[] bigger = new long[n];
    for (long t : table) {
      if (t != 0) {
        insert(bigger, t);
      }
    }
    return bigger;
  }

  /** A power of two, at least {@code capacity}: the last {@code capacity} numbers have distinct places. */
  private static int ringLength(int capacity) {
    return capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
  }

  private void allocateRing(int n) {
    ids = new String[n];
    attempts = new int[n];
    values = new Object[n];
  }

  /**
   * Doubles the ring. It is full and has never forgotten anything, so its entries are numbered 0 to
   * size - 1 and keep their places.
   */
  private void growRing() {
    String[] oldIds = ids;
    int[] oldAttempts = attempts;
    Object[] oldValues = values;
    allocateRing(Math.min(ringLength(capacity), 2 * oldIds.length));
    System.arraycopy(oldIds, 0, ids, 0, size);
    System.arraycopy(oldAttempts, 0, attempts, 0, size);
    System.arraycopy(oldValues, 0, values, 0, size);
  }
}
