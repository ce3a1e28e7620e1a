package dev.rebound.analyzer.domain;

/**
 * Cheap literal checks run before a regular expression on the hot path: a pattern that can only match
 * where a literal occurs is not run on a text that lacks it. The checks answer "may match", never
 * "matches": the pattern still decides, so results are those of the pattern alone.
 */
final class TextScan {

  private TextScan() {
  }

  /**
   * Whether {@code text} contains {@code lowerLiteral} with ASCII letters in either case, as a
   * {@code (?i)} pattern without {@code UNICODE_CASE} compares them; {@code lowerLiteral} is lower case.
   */
  static boolean containsIgnoreAsciiCase(String text, String lowerLiteral) {
    int n = lowerLiteral.length();
    char first = lowerLiteral.charAt(0);
    for (int i = 0, last = text.length() - n; i <= last; i++) {
      if (asciiLower(text.charAt(i)) != first) {
        continue;
      }
      int j = 1;
      while (j < n && asciiLower(text.charAt(i + j)) == lowerLiteral.charAt(j)) {
        j++;
      }
      if (j == n) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code text} contains one of the lower-case literals, ASCII case ignored. */
  static boolean containsAnyIgnoreAsciiCase(String text, String... lowerLiterals) {
    for (String literal : lowerLiterals) {
      if (containsIgnoreAsciiCase(text, literal)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code text} contains one of the literals, case counted. */
  static boolean containsAny(String text, String... literals) {
    for (String literal : literals) {
      if (text.contains(literal)) {
        return true;
      }
    }
    return false;
  }

  private static char asciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }
}
