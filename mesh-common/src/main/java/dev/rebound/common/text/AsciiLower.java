package dev.rebound.common.text;

/** Lower-cases ASCII letters only: locale-free, allocation-free when nothing changes, and fast. */
public final class AsciiLower {
  private AsciiLower() {
  }

  public static String of(String s) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        break;
      }
      i++;
    }
    if (i == n) {
      return s;
    }
    char[] out = new char[n];
    s.getChars(0, n, out, 0);
    for (; i < n; i++) {
      char c = out[i];
      if (c >= 'A' && c <= 'Z') {
        out[i] = (char) (c + 32);
      }
    }
    return new String(out);
  }
}
