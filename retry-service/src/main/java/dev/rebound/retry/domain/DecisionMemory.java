package dev.rebound.retry.domain;

import java.util.Objects;

/**
 * The last {@code capacity} decisions by (task, attempt), forgetting the oldest first: what a
 * {@code LinkedHashMap} with {@code removeEldestEntry} does, in flat arrays. Every decision looks here first
 * and is nearly always new, so the look-up that finds nothing must be cheap: one probe into an array of
 * (hash, place) words, usually one cache line, before any key is read. The entries themselves sit in a
 * ring in insertion order, so adding the newest and forgetting the oldest write neighbouring places;
 * only the hash table is read at random. Open addressing with linear probing; removal shifts the
 * following words back (no tombstones). Not thread-safe ({@link RetryDecider} holds its lock).
 *
 * @param <V> what is remembered
 */
final class DecisionMemory<V> {

  private static final int MIN_SLOTS = 64;

  private final int capacity;
  /** Per slot: (hash << 32 | place + 1) of an entry; 0 for an empty slot. */
  private long[] table;
  // by place in the ring: the entries, from head (the oldest), size of them
  private String[] ids;
  private int[] attempts;
  private Object[] values;
  /** Per place: its entry's slot in {@link #table}. */
  private int[] slots;
  private int head;
  private int size;

  DecisionMemory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    table = new long[MIN_SLOTS];
    allocateRing(Math.min(capacity, MIN_SLOTS / 2));
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
    int mask = table.length - 1;
    int free = hash & mask;
    for (long t; (t = table[free]) != 0; free = (free + 1) & mask) {
      int place = (int) t - 1;
      if ((int) (t >>> 32) == hash && attempts[place] == attempt && (ids[place] == id || ids[place].equals(id))) {
        values[place] = value;
        return;
      }
    }
    boolean moved = false;
    if (size == capacity) {
      remove(slots[head]);
      ids[head] = null;
      values[head] = null;
      head = (head + 1) % ids.length;
      size--;
      moved = true;
    } else if (size == ids.length) {
      growRing();
    }
    if (2 * (size + 1) > table.length) {
      rehash(table.length * 2);
      moved = true;
    }
    int place = (head + size) % ids.length;
    int slot = moved ? emptySlot(hash) : free;
    table[slot] = (long) hash << 32 | (place + 1);
    slots[place] = slot;
    ids[place] = id;
    attempts[place] = attempt;
    values[place] = value;
    size++;
  }

  private int find(int hash, String id, int attempt) {
    int mask = table.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      long t = table[i];
      if (t == 0) {
        return -1;
      }
      int place = (int) t - 1;
      if ((int) (t >>> 32) == hash && attempts[place] == attempt && (ids[place] == id || ids[place].equals(id))) {
        return place;
      }
    }
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

  private int emptySlot(int hash) {
    int mask = table.length - 1;
    int i = hash & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** Empties a slot, moving back the words after it that would otherwise no longer be found. */
  private void remove(int slot) {
    int mask = table.length - 1;
    int free = slot;
    for (int j = (free + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
      int home = (int) (table[j] >>> 32) & mask;
      // the word at j may move to free only if free lies on its probe path, from home to j
      if (((j - home) & mask) >= ((j - free) & mask)) {
        table[free] = table[j];
        slots[(int) table[free] - 1] = free;
        free = j;
      }
    }
    table[free] = 0;
  }

  private void rehash(int n) {
    long[] old = table;
    table = new long[n];
    for (int k = 0; k < size; k++) {
      int place = (head + k) % ids.length;
      long t = old[slots[place]];
      int slot = emptySlot((int) (t >>> 32));
      table[slot] = t;
      slots[place] = slot;
    }
  }

  private void allocateRing(int n) {
    ids = new String[n];
    attempts = new int[n];
    values = new Object[n];
    slots = new int[n];
  }

  private void growRing() {
    String[] oldIds = ids;
    int[] oldAttempts = attempts;
    Object[] oldValues = values;
    int[] oldSlots = slots;
    allocateRing((int) Math.min(capacity, 2L * oldIds.length));
    for (int k = 0; k < size; k++) {
      int from = (head + k) % oldIds.length;
      ids[k] = oldIds[from];
      attempts[k] = oldAttempts[from];
      values[k] = oldValues[from];
      int slot = oldSlots[from];
      slots[k] = slot;
      table[slot] = (table[slot] & 0xFFFFFFFF00000000L) | (k + 1);
    }
    head = 0;
  }
}
