package dev.rebound.retry.domain;

import java.util.Objects;

/**
 * The last {@code capacity} decisions by (task, attempt), forgetting the oldest first: what a
 * {@code LinkedHashMap} with {@code removeEldestEntry} does, in flat arrays. Every decision looks here first
 * and is nearly always new, so the look-up that finds nothing must be cheap: one probe into an array of
 * (hash, attempt) words, usually one cache line, before any key is read. Open addressing with linear
 * probing; removal shifts the following entries back (no tombstones); a ring of slot numbers keeps the
 * insertion order. Not thread-safe ({@link RetryDecider} holds its lock).
 *
 * @param <V> what is remembered
 */
final class DecisionMemory<V> {

  private static final int MIN_SLOTS = 64;

  private final int capacity;
  /** (hash << 32 | attempt) per slot; 0 for an empty slot (attempts start at 1). */
  private long[] keys;
  private String[] ids;
  private Object[] values;
  /** Per slot: its entry's place in {@link #ring}. */
  private int[] places;
  /** Slots in insertion order, from {@link #head}, {@link #size} of them. */
  private int[] ring;
  private int head;
  private int size;

  DecisionMemory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    allocate(MIN_SLOTS);
    ring = new int[Math.min(capacity, MIN_SLOTS / 2)];
  }

  int size() {
    return size;
  }

  /** The value remembered for (id, attempt), or null. */
  @SuppressWarnings("unchecked")
  V get(String id, int attempt) {
    long key = key(id, attempt);
    int mask = keys.length - 1;
    for (int i = (int) (key >>> 32) & mask; ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == 0) {
        return null;
      }
      if (k == key && (ids[i] == id || ids[i].equals(id))) {
        return (V) values[i];
      }
    }
  }

  /**
   * Remembers a value for (id, attempt): replaces the value of one remembered already (keeping its
   * place), or adds it as the newest and forgets the oldest beyond the capacity.
   */
  void put(String id, int attempt, V value) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(value, "value");
    long key = key(id, attempt);
    int mask = keys.length - 1;
    int free = (int) (key >>> 32) & mask;
    for (; keys[free] != 0; free = (free + 1) & mask) {
      if (keys[free] == key && (ids[free] == id || ids[free].equals(id))) {
        values[free] = value;
        return;
      }
    }
    boolean moved = false;
    if (size == capacity) {
      remove(ring[head]);
      head = (head + 1) % ring.length;
      size--;
      moved = true;
    } else if (size == ring.length) {
      growRing();
    }
    if (2 * (size + 1) > keys.length) {
      rehash(keys.length * 2);
      moved = true;
    }
    int slot = moved ? insert(key, id, value) : write(free, key, id, value);
    int place = (head + size) % ring.length;
    ring[place] = slot;
    places[slot] = place;
    size++;
  }

  private static long key(String id, int attempt) {
    if (attempt == 0) {
      throw new IllegalArgumentException("attempt must not be 0");
    }
    int h = id.hashCode() * 0x9E3779B9 + attempt;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return (long) h << 32 | (attempt & 0xFFFFFFFFL);
  }

  private int insert(long key, String id, Object value) {
    int mask = keys.length - 1;
    int i = (int) (key >>> 32) & mask;
    while (keys[i] != 0) {
      i = (i + 1) & mask;
    }
    return write(i, key, id, value);
  }

  private int write(int i, long key, String id, Object value) {
    keys[i] = key;
    ids[i] = id;
    values[i] = value;
    return i;
  }

  /** Empties a slot, moving back the entries after it that would otherwise no longer be found. */
  private void remove(int slot) {
    int mask = keys.length - 1;
    int free = slot;
    for (int j = (free + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      int home = (int) (keys[j] >>> 32) & mask;
      // the entry at j may move to free only if free lies on its probe path, from home to j
      if (((j - home) & mask) >= ((j - free) & mask)) {
        keys[free] = keys[j];
        ids[free] = ids[j];
        values[free] = values[j];
        places[free] = places[j];
        ring[places[free]] = free;
        free = j;
      }
    }
    keys[free] = 0;
    ids[free] = null;
    values[free] = null;
  }

  private void allocate(int slots) {
    keys = new long[slots];
    ids = new String[slots];
    values = new Object[slots];
    places = new int[slots];
  }

  private void rehash(int slots) {
    long[] oldKeys = keys;
    String[] oldIds = ids;
    Object[] oldValues = values;
    allocate(slots);
    for (int n = 0; n < size; n++) {
      int place = (head + n) % ring.length;
      int old = ring[place];
      int slot = insert(oldKeys[old], oldIds[old], oldValues[old]);
      ring[place] = slot;
      places[slot] = place;
    }
  }

  private void growRing() {
    int[] next = new int[(int) Math.min(capacity, 2L * ring.length)];
    for (int n = 0; n < size; n++) {
      next[n] = ring[(head + n) % ring.length];
      places[next[n]] = n;
    }
    ring = next;
    head = 0;
  }
}
