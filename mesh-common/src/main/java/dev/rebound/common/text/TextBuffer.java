package dev.rebound.common.text;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;

/**
 * A growable {@code char[]} for text built on hot paths (templates, verdict lines). Unlike a
 * {@link StringBuilder}, which copies a range of a string character by character and turns UTF-16 for
 * good at the first non-Latin-1 character, ranges of strings are copied in bulk.
 */
public final class TextBuffer {
  char[] chars;
  int length;

  public TextBuffer(int capacity) {
    chars = new char[Math.max(16, capacity)];
  }

  public int length() {
    return length;
  }

  /** Shortens the content to {@code newLength} characters (never lengthens it). */
  public void setLength(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IndexOutOfBoundsException(newLength);
    }
    length = newLength;
  }

  public char charAt(int i) {
    if (i >= length) {
      throw new IndexOutOfBoundsException(i);
    }
    return chars[i];
  }

  /** Whether the characters from {@code from} to the end are exactly {@code s}. */
  public boolean endsWith(String s, int from) {
    if (length - from != s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (chars[from + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  public TextBuffer append(char c) {
    if (length == chars.length) {
      grow(1);
    }
    chars[length++] = c;
    return this;
  }

  public TextBuffer append(String s) {
    return append(s, 0, s.length());
  }

  public TextBuffer append(String s, int start, int end) {
    int n = end - start;
    if (length + n > chars.length) {
      grow(n);
    }
    s.getChars(start, end, chars, length);
    length += n;
    return this;
  }

  /** Writes the content and empties the buffer. */
  public void writeTo(Writer out) throws IOException {
    out.write(chars, 0, length);
    length = 0;
  }

  @Override
  public String toString() {
    return new String(chars, 0, length);
  }

  private void grow(int needed) {
    chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + needed));
  }
}
