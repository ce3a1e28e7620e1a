package dev.rebound.analyzer.domain;

/**
 * A CharSequence that gives up after a fixed number of character reads, so that a catastrophic
 * user pattern such as {@code (a+)+$} cannot pin a CPU: java.util.regex reads the input only through
 * {@link #charAt(int)}, so counting reads bounds the work of any match attempt.
 */
final class BoundedCharSequence implements CharSequence {

  /** Thrown when the budget is spent; carries no stack trace because it is expected and frequent enough. */
  static final class BudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceeded() {
      super("regex evaluation budget exceeded", null, false, false);
    }
  }

  private final String text;
  private final int offset;
  private final int length;
  private final long[] remaining;

  BoundedCharSequence(String text, long budget) {
    this(text, 0, text.length(), new long[] {budget});
  }

  private BoundedCharSequence(String text, int offset, int length, long[] remaining) {
    this.text = text;
    this.offset = offset;
    this.length = length;
    this.remaining = remaining;
  }

  @Override
  public char charAt(int index) {
    if (--remaining[0] < 0) {
      throw new BudgetExceeded();
    }
    return text.charAt(offset + index);
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return new BoundedCharSequence(text, offset + start, end - start, remaining);
  }

  @Override
  public String toString() {
    return text.substring(offset, offset + length);
  }
}
