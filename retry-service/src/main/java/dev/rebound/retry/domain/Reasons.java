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

  // the first two sentences in fields, the rest (rare) in an array: a decision usually has two, and every
  // decision is kept (100,000 of them), so an array per decision was one more object for the GC to copy
  private Object first;
  private Object second;
  private Object[] more;
  private int size;
  // plain, not volatile: only the thread that fills the reasons reads it (a volatile write cost every decision
  // a full fence); other threads see the items through the record's final field that holds them
  private boolean frozen;

  Reasons() {
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
        push(r.item(i));
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
    switch (size) {
      case 0 -> first = item;
      case 1 -> second = item;
      default -> {
        int i = size - 2;
        if (more == null) {
          more = new Object[4];
        } else if (i == more.length) {
          more = Arrays.copyOf(more, i * 2);
        }
        more[i] = item;
      }
    }
    size++;
  }

  private Object item(int index) {
    return index == 0 ? first : index == 1 ? second : more[index - 2];
  }

  private void written(int index, String text) {
    switch (index) {
      case 0 -> first = text;
      case 1 -> second = text;
      default -> more[index - 2] = text;
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String get(int index) {
    Objects.checkIndex(index, size);
    Object o = item(index);
    if (o instanceof String s) {
      return s;
    }
    // two threads may both write it out: the same text, and a String is safe to publish
    String s = ((Text) o).text();
    written(index, s);
    return s;
  }
}
