package dev.rebound.retry.domain;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A decision's reasons, each written out when first read: most decisions are kept (idempotency, the
 * decision table) without anyone reading their sentences, and formatting times and durations was a good
 * part of a decision's cost. Reads give exactly the text the eager sentences gave. Filled by the rules
 * while they decide, then {@link #freeze() frozen} by the record that holds it; read-only through the
 * {@link java.util.List} interface and equal to any list of the same texts.
 */
final class Reasons extends AbstractList<String> implements RandomAccess {

  /** A sentence not written out yet. Its inputs must be immutable values. */
  @FunctionalInterface
  interface Text {
    String text();
  }

  private Object[] items;
  private int size;
  private volatile boolean frozen;

  Reasons() {
    items = new Object[4];
  }

  /** Appends a sentence (while the rules decide). */
  Reasons add(Text reason) {
    push(Objects.requireNonNull(reason, "reason"));
    return this;
  }

  /** Appends a sentence already written. */
  Reasons addText(String reason) {
    push(Objects.requireNonNull(reason, "reason"));
    return this;
  }

  /** Appends all of {@code other}'s sentences, unwritten ones staying unwritten. */
  Reasons addAllOf(java.util.List<String> other) {
    if (other instanceof Reasons r) {
      for (int i = 0; i < r.size; i++) {
        push(r.items[i]);
      }
    } else {
      for (String s : other) {
        addText(s);
      }
    }
    return this;
  }

  /** No more sentences: from now on this is a value. */
  Reasons freeze() {
    frozen = true;
    return this;
  }

  private void push(Object item) {
    if (frozen) {
      throw new UnsupportedOperationException("the reasons of a decision are final");
    }
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    items[size++] = item;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String get(int index) {
    Objects.checkIndex(index, size);
    Object o = items[index];
    if (o instanceof String s) {
      return s;
    }
    // two threads may both write it out: the same text, and a String is safe to publish
    String s = ((Text) o).text();
    items[index] = s;
    return s;
  }
}
