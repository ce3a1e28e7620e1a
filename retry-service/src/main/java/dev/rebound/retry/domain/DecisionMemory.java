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
 * two hash tables (open addressing, linear probing): {@code current} indexes the entries added in this epoch,
 * {@code previous} those of the epoch before, and an epoch ends after {@code capacity} additions, when
 * {@code previous} is emptied and becomes the next {@code current}. An entry is remembered for
 * {@code capacity} additions, so it is always in one of the two. Forgetting the oldest entry only clears its
 * place in the ring: its slot in {@code previous} stays until the epoch ends, and a look-up sees that its
 * number is too old. (Before, forgetting removed the entry from the table: a read and write at a random
 * place in two megabytes, usually a cache miss.) A look-up that finds nothing, the usual case, reads one
 * byte per slot probed (a tag from the hash; 0 is an empty slot): a quarter of a megabyte per table at
 * 100,000 decisions, small enough to stay cached.
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
  private Table current = new Table(MIN_SLOTS);
  private Table previous = new Table(MIN_SLOTS);

  DecisionMemory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
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
    if (current.entries == capacity) {
      Table emptied = previous.clear();
      previous = current;
      current = emptied;
    }
    if (size == capacity) {
      int oldest = (next - size) & (ids.length - 1);
      ids[oldest] = null;
      values[oldest] = null;
      size--;
    } else if (size == ids.length) {
      growRing();
    }
    if (2 * (current.entries + 1) > current.tags.length) {
      current = current.grown();
    }
    current.insert(hash, next);
    int place = next & (ids.length - 1);
    ids[place] = id;
    attempts[place] = attempt;
    values[place] = value;
    next++;
    size++;
  }

  /** The place of the entry remembered for (id, attempt), or -1. */
  private int find(int hash, String id, int attempt) {
    int place = current.find(hash, id, attempt);
    return place >= 0 ? place : previous.find(hash, id, attempt);
  }

  private static int hash(String id, int attempt) {
    if (attempt == 0) {
      throw new IllegalArgumentException("attempt must not be 0");
    }
    int h = id.hashCode() * 0x9E3779B9 + attempt;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return h;
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

  /** One epoch's entries by hash: per slot a tag (0 when empty) and the entry's number. */
  private final class Table {
    final byte[] tags;
    final int[] numbers;
    /** Entries added to this table (at most half its slots). */
    int entries;

    Table(int slots) {
      tags = new byte[slots];
      numbers = new int[slots];
    }

    /** Never 0: the hash's top bits with the top bit set. */
    private static byte tag(int hash) {
      return (byte) (hash >>> 24 | 0x80);
    }

    int find(int hash, String id, int attempt) {
      byte tag = tag(hash);
      int mask = tags.length - 1;
      for (int i = hash & mask; ; i = (i + 1) & mask) {
        byte t = tags[i];
        if (t == 0) {
          return -1;
        }
        if (t == tag) {
          int number = numbers[i];
          int place = number & (ids.length - 1);
          // an entry of the previous epoch may be forgotten already: its place then holds a newer one
          if (next - 1 - number < size && attempts[place] == attempt
              && (ids[place] == id || ids[place].equals(id))) {
            return place;
          }
        }
      }
    }

    void insert(int hash, int number) {
      int mask = tags.length - 1;
      int i = hash & mask;
      while (tags[i] != 0) {
        i = (i + 1) & mask;
      }
      tags[i] = tag(hash);
      numbers[i] = number;
      entries++;
    }

    Table clear() {
      Arrays.fill(tags, (byte) 0);
      entries = 0;
      return this;
    }

    /** Twice the slots, the same entries (all remembered: a table grows only while it is current). */
    Table grown() {
      Table bigger = new Table(tags.length * 2);
      for (int i = 0; i < tags.length; i++) {
        if (tags[i] != 0) {
          int place = numbers[i] & (ids.length - 1);
          bigger.insert(hash(ids[place], attempts[place]), numbers[i]);
        }
      }
      return bigger;
    }
  }
}
