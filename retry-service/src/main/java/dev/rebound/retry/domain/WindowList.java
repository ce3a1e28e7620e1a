package dev.rebound.retry.domain;

import java.util.AbstractList;
import java.util.Collection;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The entries of a window (a circuit's recent calls, a budget's buckets, a workflow's recent attempts),
 * oldest first, as an immutable list that shares its storage with the lists it was derived from. Every
 * outcome derives a new snapshot from the last one, so copying the window each time was most of a
 * decision's cost; here appending to the newest list of a line writes one slot of a shared array,
 * replacing the newest entry or dropping the oldest copies nothing, and the window is copied only when
 * its array is full (amortised: once per about as many appends as the window holds).
 *
 * <p>Entries before the newest live in slots {@code [from, to)} of a shared array; the newest is held by
 * the list itself (so it can be replaced). Each slot past an array's written ones is claimed once, by
 * compare-and-set: the list that claims it writes it, any other list derived from the same one copies
 * instead. A list only ever reads slots it or its ancestors wrote, so lists are safe to share between
 * threads like any immutable value. Read-only through the {@link java.util.List} interface; equal to any
 * list with the same entries.
 */
final class WindowList<T> extends AbstractList<T> implements RandomAccess {

  private static final WindowList<?> EMPTY = new WindowList<>(null, 0, 0, null);
  /** The smallest shared array. */
  private static final int MIN_CAPACITY = 8;

  /** An array shared by a line of lists, and how many of its slots are written. */
  private static final class Storage {
    final Object[] slots;
    final AtomicInteger written;

    Storage(Object[] slots, int written) {
      this.slots = slots;
      this.written = new AtomicInteger(written);
    }
  }

  private final Storage storage;
  private final int from;
  private final int to;
  /** The newest entry; null exactly when the list is empty. */
  private final T newest;

  private WindowList(Storage storage, int from, int to, T newest) {
    this.storage = storage;
    this.from = from;
    this.to = to;
    this.newest = newest;
  }

  @SuppressWarnings("unchecked")
  static <T> WindowList<T> empty() {
    return (WindowList<T>) EMPTY;
  }

  /**
   * The entries of {@code list} (itself when it is one): what {@link java.util.List#copyOf} does for the
   * snapshot records.
   *
   * @throws NullPointerException when {@code list} or one of its entries is null
   */
  @SuppressWarnings("unchecked")
  static <T> WindowList<T> copyOf(Collection<? extends T> list) {
    if (list instanceof WindowList<?> w) {
      return (WindowList<T>) w;
    }
    Object[] all = list.toArray();
    for (Object o : all) {
      Objects.requireNonNull(o);
    }
    if (all.length == 0) {
      return empty();
    }
    int sealed = all.length - 1;
    Object[] slots = new Object[Math.max(MIN_CAPACITY, 2 * all.length)];
    System.arraycopy(all, 0, slots, 0, sealed);
    return new WindowList<>(new Storage(slots, sealed), 0, sealed, (T) all[sealed]);
  }

  @Override
  public int size() {
    return newest == null ? 0 : to - from + 1;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get(int index) {
    Objects.checkIndex(index, size());
    return index < to - from ? (T) storage.slots[from + index] : newest;
  }

  /** The newest entry, or null when empty. */
  T newest() {
    return newest;
  }

  /** This list with {@code entry} after its newest. */
  WindowList<T> append(T entry) {
    return append(entry, Integer.MAX_VALUE);
  }

  /**
   * This list with {@code entry} after its newest, without the oldest entries beyond {@code max}: a
   * count-based window in one step.
   */
  WindowList<T> append(T entry, int max) {
    Objects.requireNonNull(entry, "entry");
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    if (newest == null) {
      return new WindowList<>(storage, from, to, entry);
    }
    if (max == 1) {
      return new WindowList<>(null, 0, 0, entry);
    }
    // after the append, the sealed entries are [from, to] (the newest sealed at to); keep max - 1 of them
    int drop = Math.max(0, to - from + 2 - max);
    Storage s = storage;
    if (s != null && to < s.slots.length && s.written.compareAndSet(to, to + 1)) {
      s.slots[to] = newest;
      return new WindowList<>(s, from + drop, to + 1, entry);
    }
    // the array is full, or another list already extended this line: copy what is kept, once
    int kept = to - from - drop;
    Object[] slots = new Object[Math.max(MIN_CAPACITY, 2 * (kept + 2))];
    if (kept > 0) {
      System.arraycopy(s.slots, from + drop, slots, 0, kept);
    }
    slots[kept] = newest;
    return new WindowList<>(new Storage(slots, kept + 1), 0, kept + 1, entry);
  }

  /** This list with its newest entry replaced by {@code entry} (appended when empty). */
  WindowList<T> withNewest(T entry) {
    Objects.requireNonNull(entry, "entry");
    return new WindowList<>(storage, from, to, entry);
  }

  /** This list without its {@code n} oldest entries (all of them when {@code n >= size()}). */
  WindowList<T> dropOldest(int n) {
    if (n <= 0) {
      return this;
    }
    if (n >= size()) {
      return empty();
    }
    return new WindowList<>(storage, from + n, to, newest);
  }
}
