package dev.rebound.retry.domain;

import java.util.Objects;

/**
 * The last {@code capacity} decisions by (task, attempt), forgetting the oldest first: what a
 * {@code LinkedHashMap} with {@code removeEldestEntry} does, in flat arrays. Every decision looks here first
 * and is nearly always new, and a full memory forgets one entry per decision, so both must be cheap.
 *
 * <p>The entries sit in a ring by their number (0, 1, 2… in the order they were added), at place
 * {@code number & (ring length - 1)}, in chunks allocated as the ring enters them; the last {@code size}
 * numbers are remembered. They are found through a hash table (open addressing, linear probing) of words
 * holding a tag from the hash (never 0: 0 is an empty slot) and the entry's number. The table has two
 * epochs, their slots side by side (slot i of epoch e at index 2i + e): the current one indexes the entries
 * added since it began, the other those of the epoch before, and an epoch ends after {@code capacity}
 * additions, when the other epoch is emptied and becomes the current one. An entry is remembered for
 * {@code capacity} additions, so it is always in one of the two. Forgetting the oldest entry only clears its
 * place in the ring: its word stays until its epoch is emptied, and a look-up sees that its number is too
 * old. So a decision reads and writes the table in one place, usually one cache line, where both epochs'
 * words for its hash sit. (Before, forgetting also removed a word from the table: a read and a write at
 * another random place in two megabytes, usually a cache miss.)
 * Not thread-safe ({@link RetryDecider} holds its lock).
 *
 * @param <V> what is remembered
 */
final class DecisionMemory<V> {

  /** The most entries: a word keeps the low {@value #NUMBER_BITS} bits of a number. */
  static final int MAX_CAPACITY = 1 << 22;
  private static final int NUMBER_BITS = 24;
  private static final int NUMBER_MASK = (1 << NUMBER_BITS) - 1;
  private static final int MIN_SLOTS = 32;
  /** Entries per chunk of the ring: a power of two. */
  private static final int CHUNK = 1024;

  private final int capacity;
  /** Places in the ring: a power of two, at least capacity + CHUNK (see {@link #put}). */
  private final int ringLength;
  // the ring in chunks, by place (number & (ringLength - 1)): chunk place / CHUNK, index place % CHUNK; the
  // entries numbered next - size … next - 1. A chunk is allocated new when the ring enters it, so the
  // decisions (new objects) are written into a new array: writing them into one long-lived array cost a GC
  // write barrier (a fence) per entry and a scan of its dirty cards at each young collection
  private final String[][] ids;
  private final int[][] attempts;
  private final Object[][] values;
  /** The number of the next entry added (it wraps; only differences are used). */
  private int next;
  private int size;
  /** Per slot and epoch (index 2 × slot + epoch): tag << 24 | number's low bits; 0 for an empty slot. */
  private int[] table = new int[2 * MIN_SLOTS];
  /** The current epoch (0 or 1). */
  private int epoch;
  /** Entries added in each epoch (at most half its slots). */
  private final int[] added = new int[2];

  DecisionMemory(int capacity) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException("capacity must be between 1 and " + MAX_CAPACITY + ", was " + capacity);
    }
    this.capacity = capacity;
    ringLength = Integer.highestOneBit(capacity + CHUNK - 1) << 1;
    int chunks = ringLength / CHUNK;
    ids = new String[chunks][];
    attempts = new int[chunks][];
    values = new Object[chunks][];
  }

  int size() {
    return size;
  }

  /** The value remembered for (id, attempt), or null. */
  @SuppressWarnings("unchecked")
  V get(String id, int attempt) {
    int place = find(hash(id, attempt), id, attempt);
    return place < 0 ? null : (V) values[place / CHUNK][place % CHUNK];
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
      values[found / CHUNK][found % CHUNK] = value;
      return;
    }
    if (added[epoch] == capacity) {
      epoch ^= 1;
      for (int i = epoch; i < table.length; i += 2) {
        table[i] = 0;
      }
      added[epoch] = 0;
    }
    if (size == capacity) {
      int oldest = (next - size) & (ringLength - 1);
      values[oldest / CHUNK][oldest % CHUNK] = null;
      size--;
    }
    if (2 * (added[epoch] + 1) > table.length / 2) {
      grow();
    }
    insert(table, epoch, hash, next);
    added[epoch]++;
    int place = next & (ringLength - 1);
    int chunk = place / CHUNK;
    if (place % CHUNK == 0) {
      // the entries last here were forgotten at least CHUNK additions ago (ringLength >= capacity + CHUNK)
      ids[chunk] = new String[CHUNK];
      attempts[chunk] = new int[CHUNK];
      values[chunk] = new Object[CHUNK];
    }
    ids[chunk][place % CHUNK] = id;
    attempts[chunk][place % CHUNK] = attempt;
    values[chunk][place % CHUNK] = value;
    next++;
    size++;
  }

  /** The place of the entry remembered for (id, attempt), or -1. */
  private int find(int hash, String id, int attempt) {
    int place = find(epoch, hash, id, attempt);
    return place >= 0 ? place : find(epoch ^ 1, hash, id, attempt);
  }

  private int find(int e, int hash, String id, int attempt) {
    int tag = tag(hash);
    int mask = table.length / 2 - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      int w = table[2 * i + e];
      if (w == 0) {
        return -1;
      }
      if ((w & ~NUMBER_MASK) == tag) {
        int place = w & (ringLength - 1);
        if (holds(w & NUMBER_MASK, place, id, attempt)) {
          return place;
        }
      }
    }
  }

  /** Whether the entry at {@code place}, whose number ends in {@code number}, is remembered and is (id, attempt). */
  private boolean holds(int number, int place, String id, int attempt) {
    // an entry of the previous epoch may be forgotten already: its place then holds a newer one, or nothing
    if (((next - 1 - number) & NUMBER_MASK) >= size) {
      return false;
    }
    int chunk = place / CHUNK;
    String held = ids[chunk][place % CHUNK];
    return attempts[chunk][place % CHUNK] == attempt && (held == id || held.equals(id));
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

  /** The hash's top bits with the top bit set, in a word's top 8 bits: never 0. */
  private static int tag(int hash) {
    return (hash | 0x80000000) & ~NUMBER_MASK;
  }

  private static void insert(int[] table, int e, int hash, int number) {
    int mask = table.length / 2 - 1;
    int i = hash & mask;
    while (table[2 * i + e] != 0) {
      i = (i + 1) & mask;
    }
    table[2 * i + e] = tag(hash) | (number & NUMBER_MASK);
  }

  /** Twice the slots; the entries still remembered move over (the forgotten ones of the other epoch are dropped). */
  private void grow() {
    int[] bigger = new int[table.length * 2];
    for (int e = 0; e < 2; e++) {
      for (int i = e; i < table.length; i += 2) {
        int w = table[i];
        if (w != 0 && ((next - 1 - (w & NUMBER_MASK)) & NUMBER_MASK) < size) {
          int place = w & (ringLength - 1);
          insert(bigger, e, hash(ids[place / CHUNK][place % CHUNK], attempts[place / CHUNK][place % CHUNK]), w);
        }
      }
    }
    table = bigger;
  }
}
