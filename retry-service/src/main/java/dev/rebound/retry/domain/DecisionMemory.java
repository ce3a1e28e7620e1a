package dev.rebound.retry.domain;

import java.util.Arrays;
import java.util.Objects;

/**
 * The last {@code capacity} decisions by (task, attempt), forgetting the oldest first: what a
 * {@code LinkedHashMap} with {@code removeEldestEntry} does, in flat arrays. Every decision looks here first
 * and is nearly always new, and a full memory forgets one entry per decision, so both must be cheap.
 *
 * <p>The entries sit in a ring by their number (0, 1, 2… in the order they were added), at place
 * {@code number & (ring length - 1)}, in chunks allocated as the ring enters them; the last {@code size}
 * numbers are remembered. They are found through
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
  private Table current = new Table(MIN_SLOTS);
  private Table previous = new Table(MIN_SLOTS);

  DecisionMemory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
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
    if (current.entries == capacity) {
      Table emptied = previous.clear();
      previous = current;
      current = emptied;
    }
    if (size == capacity) {
      int oldest = (next - size) & (ringLength - 1);
      values[oldest / CHUNK][oldest % CHUNK] = null;
      size--;
    }
    if (2 * (current.entries + 1) > current.tags.length) {
      current = current.grown();
    }
    current.insert(hash, next);
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
    int place = current.find(hash, id, attempt);
    return place >= 0 ? place : previous.find(hash, id, attempt);
  }

  /** Whether the entry at {@code place} numbered {@code number} is remembered and is (id, attempt). */
  private boolean holds(int number, int place, String id, int attempt) {
    // an entry of the previous epoch may be forgotten already: its place then holds a newer one, or nothing
    if (next - 1 - number >= size) {
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
          int place = number & (ringLength - 1);
          if (holds(number, place, id, attempt)) {
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
          int place = numbers[i] & (ringLength - 1);
          bigger.insert(hash(ids[place / CHUNK][place % CHUNK], attempts[place / CHUNK][place % CHUNK]), numbers[i]);
        }
      }
      return bigger;
    }
  }
}
