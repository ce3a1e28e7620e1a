package dev.rebound.analyzer.domain;

import dev.rebound.common.text.AsciiLower;
import dev.rebound.common.text.TextBuffer;

/**
 * First stage of fingerprinting: replaces the variable parts of a message with typed placeholders so
 * that the same error with other hosts, ids, paths or timings yields the same template.
 *
 * <p>Placeholders: {@code <url> <path> <email> <uuid> <ts> <ip> <hostport> <duration> <size> <hex>
 * <num> <id> <quoted>}. Existing {@code <redacted:KIND>} markers are kept. Whitespace is collapsed.
 * JSON keys (a quoted string followed by {@code :}) are kept; other quoted values are masked.
 *
 * <p>A hand-written scanner rather than a chain of regular expressions: it runs on every failure and
 * does one pass over the text.
 */
public final class TemplateMasker {

  /** Longest quoted value that is masked as one unit; longer "quotes" are usually prose. */
  private static final int MAX_QUOTED = 256;

  /** Returns the template of {@code message}. */
  public String mask(String message) {
    int n = message.length();
    TextBuffer out = new TextBuffer(n + n / 2 + 16); // placeholders are often longer than what they replace
    int i = 0;
    while (i < n) {
      char c = message.charAt(i);
      if (isSpace(c)) {
        while (i < n && isSpace(message.charAt(i))) {
          i++;
        }
        if (out.length() > 0 && i < n) {
          out.append(' ');
        }
        continue;
      }
      if (isQuote(c) && (c != '\'' || i == 0 || !Character.isLetterOrDigit(message.charAt(i - 1)))) {
        int end = closingQuote(message, i, c);
        if (end > 0) {
          if (isJsonKey(message, i, end)) {
            out.append(message, i, end + 1);
          } else if (isProse(message, i + 1, end)) {
            // a quoted sentence is part of the message, not a value: keep it, masking its variables
            out.append(c).append(mask(message.substring(i + 1, end))).append(message.charAt(end));
          } else {
            out.append("<quoted>");
          }
          i = end + 1;
          continue;
        }
      }
      int start = i;
      while (i < n && !isSpace(message.charAt(i))
          && !(i > start && (message.charAt(i) == '"' || message.charAt(i) == '`'))) {
        i++;
      }
      int before = out.length();
      maskToken(message, start, i, out);
      i = foldSeparateUnit(message, i, out, before);
    }
    return out.toString();
  }

  /**
   * {@code 30000 ms}, {@code 7.45 GiB}, {@code in 2 minutes}: a bare number followed by a unit word of
   * at least two letters is one quantity, as if it were written {@code 30000ms}. Returns the index to
   * continue scanning from.
   */
  private static int foldSeparateUnit(String s, int i, TextBuffer out, int tokenStart) {
    if (out.length() - tokenStart != 5 || !out.endsWith("<num>", tokenStart)) {
      return i;
    }
    int n = s.length();
    int u = i;
    while (u < n && s.charAt(u) == ' ') {
      u++;
    }
    if (u == i || u >= n) {
      return i;
    }
    int e = u;
    while (e < n && Character.isLetter(s.charAt(e))) {
      e++;
    }
    if (e - u < 2 || e < n && !isSpace(s.charAt(e)) && ")]},;.!?:".indexOf(s.charAt(e)) < 0) {
      return i;
    }
    String raw = s.substring(u, e);
    String kind = unitKind(AsciiLower.of(raw), raw);
    if (kind == null) {
      return i;
    }
    out.setLength(tokenStart);
    out.append(kind);
    return e;
  }

  /** A quoted string followed by {@code :} right after {@code {} or {@code ,} (JSON, Python dicts). */
  private static boolean isJsonKey(String s, int open, int close) {
    if (close + 1 >= s.length() || s.charAt(close + 1) != ':') {
      return false;
    }
    int j = open - 1;
    while (j >= 0 && s.charAt(j) == ' ') {
      j--;
    }
    return j >= 0 && (s.charAt(j) == '{' || s.charAt(j) == ',');
  }

  /** Four or more words: a sentence quoted inside the message (Python reprs, Rust panics), not a value. */
  private static boolean isProse(String s, int a, int b) {
    if (isRequestLine(s, a, b)) {
      return true; // "GET /v2/servers HTTP/1.1": the method is what the message is about, the path is masked
    }
    int spaces = 0;
    for (int i = a; i < b; i++) {
      if (s.charAt(i) == ' ' && ++spaces >= 3) {
        return true;
      }
    }
    return false;
  }

  private static final String[] HTTP_METHODS = {"GET ", "POST ", "PUT ", "DELETE ", "PATCH ", "HEAD ", "OPTIONS "};

  private static boolean isRequestLine(String s, int a, int b) {
    for (String m : HTTP_METHODS) {
      if (b - a > m.length() && s.startsWith(m, a) && s.charAt(a + m.length()) == '/') {
        return true;
      }
    }
    return false;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c <= '\r' && c >= '\t' || c > 127 && Character.isWhitespace(c);
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'' || c == '`' || c == '\u201c' || c == '\u2018';
  }

  private static int closingQuote(String s, int open, char q) {
    char close = q == '\u201c' ? '\u201d' : q == '\u2018' ? '\u2019' : q;
    int limit = Math.min(s.length(), open + 1 + MAX_QUOTED);
    for (int j = open + 1; j < limit; j++) {
      char c = s.charAt(j);
      if (c == close) {
        if (q == '\'' && j + 1 < s.length() && Character.isLetterOrDigit(s.charAt(j + 1))) {
          continue; // an apostrophe inside the quote: don't, can't
        }
        return j;
      }
      if (c == '\n') {
        return -1;
      }
    }
    return -1;
  }

  private static void maskToken(String s, int start, int end, TextBuffer out) {
    // A placeholder that is already there (redaction markers) stays as it is.
    if (s.charAt(start) == '<' && s.charAt(end - 1) == '>' && s.startsWith("<redacted:", start)) {
      out.append(s, start, end);
      return;
    }
    int b = end;
    while (b > start && ")]}>,;.!?:\"'`".indexOf(s.charAt(b - 1)) >= 0 && !(s.charAt(b - 1) == ']' && s.charAt(start) == '[')) {
      b--;
    }
    if (s.charAt(start) == '[' && b - start > 3) { // [::1]:8080 and [fe80::1] keep their brackets for the IPv6 check
      String ip = ipShape(s, start, b);
      if (ip != null) {
        out.append(ip).append(s, b, end);
        return;
      }
    }
    b = end;
    int a = start;
    while (a < end && "([{<\"'`".indexOf(s.charAt(a)) >= 0) {
      a++;
    }
    while (b > a && ")]}>,;.!?:\"'`".indexOf(s.charAt(b - 1)) >= 0) {
      b--;
    }
    out.append(s, start, a);
    if (a < b) {
      maskCore(s, a, b, out);
    }
    out.append(s, b, end);
  }

  private static void maskCore(String s, int a, int b, TextBuffer out) {
    if (b - a == 9 && s.startsWith("localhost", a)) {
      out.append("<ip>"); // the loopback address by name, like 127.0.0.1 and ::1
      return;
    }
    if (isPlainWord(s, a, b)) {
      out.append(s, a, b); // most tokens: no digit, slash, '@' or second ':' means nothing to mask
      return;
    }
    String placeholder = classify(s, a, b);
    if (placeholder != null) {
      out.append(placeholder);
      return;
    }
    int eq = indexOf(s, '=', a, b);
    if (eq > a && eq < b - 1) {
      out.append(s, a, eq + 1);
      int v = eq + 1;
      if (isQuote(s.charAt(v)) && s.charAt(b - 1) == s.charAt(v) && b - v >= 2) {
        out.append("<quoted>");
      } else {
        maskCore(s, v, b, out);
      }
      return;
    }
    maskSegments(s, a, b, out);
  }

  private static boolean isPlainWord(String s, int a, int b) {
    int colons = 0;
    for (int i = a; i < b; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9' || c == '/' || c == '\\' || c == '@' || c > 127 && Character.isDigit(c)) {
        return false;
      }
      if (c == ':' && ++colons > 1) {
        return false;
      }
    }
    return true;
  }

  /** Whole-token shapes, most specific first. Returns null when the token is not one of them. */
  private static String classify(String s, int a, int b) {
    int len = b - a;
    if (indexOf(s, "://", a, b) > 0) {
      return "<url>";
    }
    char c0 = s.charAt(a);
    if (len > 1 && (c0 == '/' || c0 == '~' && s.charAt(a + 1) == '/')
        || len > 2 && c0 == '.' && (s.charAt(a + 1) == '/' || s.startsWith("./", a + 1))
        || len > 2 && Character.isLetter(c0) && s.charAt(a + 1) == ':' && s.charAt(a + 2) == '\\'
        || count(s, '/', a, b) >= 2 && !isNumberish(s, a, b)
        || count(s, '\\', a, b) >= 1 && len > 2) {
      return "<path>";
    }
    if (len == 36 && isUuid(s, a)) {
      return "<uuid>";
    }
    if (isTimestamp(s, a, b)) {
      return "<ts>";
    }
    int at = indexOf(s, '@', a, b);
    if (at > a && indexOf(s, '.', at, b) > at + 1 && isEmailish(s, a, b) && letterAfterLastDot(s, at, b)) {
      return "<email>";
    }
    String ip = ipShape(s, a, b);
    if (ip != null) {
      return ip;
    }
    if (s.startsWith("localhost", a) && (len == 9 || s.charAt(a + 9) == ':' && allDigits(s, a + 10, b))) {
      return len == 9 ? "<ip>" : "<hostport>"; // the loopback address by name
    }
    if (isNumber(s, a, b)) {
      int digits = len - (c0 == '-' || c0 == '+' ? 1 : 0);
      // 10- and 13-digit values starting with 1 are epoch seconds / millis in practice
      boolean epoch = (digits == 10 || digits == 13) && s.charAt(b - digits) == '1' && indexOf(s, '.', a, b) < 0;
      return epoch ? "<ts>" : "<num>";
    }
    String unit = quantityUnit(s, a, b);
    if (unit != null) {
      return unit;
    }
    if (isHostPort(s, a, b)) {
      return "<hostport>";
    }
    if (len > 2 && c0 == '0' && (s.charAt(a + 1) == 'x' || s.charAt(a + 1) == 'X') && allHex(s, a + 2, b)) {
      return "<hex>";
    }
    return null;
  }

  /**
   * Masks the parts of a compound token separated by punctuation: {@code worker-17 -> worker-<num>},
   * {@code sha256:9f86d0...  -> sha256:<hex>}, {@code #4711 -> #<num>}.
   */
  private static void maskSegments(String s, int a, int b, TextBuffer out) {
    int i = a;
    while (i < b) {
      char c = s.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        out.append(c);
        i++;
        continue;
      }
      int j = i;
      int digits = 0;
      int letters = 0;
      boolean hex = true;
      while (j < b && Character.isLetterOrDigit(s.charAt(j))) {
        char d = s.charAt(j);
        if (d >= '0' && d <= '9') {
          digits++;
        } else {
          letters++;
          if (!(d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F')) {
            hex = false;
          }
        }
        j++;
      }
      int segLen = j - i;
      String quantity = digits > 0 && letters > 0 && Character.isDigit(c) ? quantityUnit(s, i, j) : null;
      if (letters == 0) {
        out.append("<num>");
      } else if (quantity != null) {
        out.append(quantity); // total-vm:8123456kB -> total-vm:<size>
      } else if (hex && digits > 0 && segLen >= 7) {
        out.append("<hex>");
      } else if (digits >= 2 && segLen >= 10) {
        out.append("<id>"); // request ids, random suffixes: long mixed letters and digits
      } else {
        out.append(s, i, j);
      }
      i = j;
    }
  }

  private static boolean isNumber(String s, int a, int b) {
    int i = a;
    if (s.charAt(i) == '-' || s.charAt(i) == '+') {
      i++;
    }
    if (i >= b) {
      return false;
    }
    boolean dot = false;
    for (; i < b; i++) {
      char c = s.charAt(i);
      if (c == '.' || c == ',') {
        if (dot && c == '.' || i == b - 1) {
          return false;
        }
        dot |= c == '.';
      } else if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumberish(String s, int a, int b) {
    for (int i = a; i < b; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c == '/' || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /** {@code 30s 250ms 1m30s 1.5h -> <duration>}, {@code 512Mi 1.5GB 64k -> <size>}. */
  private static String quantityUnit(String s, int a, int b) {
    int i = a;
    boolean duration = true;
    boolean any = false;
    String kind = null;
    while (i < b) {
      int d = i;
      while (i < b && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' && i > d)) {
        i++;
      }
      if (i == d) {
        return null;
      }
      int u = i;
      while (i < b && Character.isLetter(s.charAt(i)) || i < b && s.charAt(i) == '\u00b5') {
        i++;
      }
      String unitKind = unitKind(AsciiLower.of(s.substring(u, i)), s.substring(u, i));
      if (unitKind == null || kind != null && !kind.equals(unitKind)) {
        return null;
      }
      kind = unitKind;
      any = true;
      if (!"<duration>".equals(unitKind) && i < b) {
        return null; // compound sizes do not exist
      }
      duration &= "<duration>".equals(unitKind);
    }
    return any ? kind : null;
  }

  private static String unitKind(String lower, String raw) {
    switch (lower) {
      case "ns": case "us": case "\u00b5s": case "ms": case "s": case "sec": case "secs": case "second": case "seconds":
      case "min": case "mins": case "minute": case "minutes": case "h": case "hr": case "hrs": case "hour": case "hours":
      case "d": case "day": case "days":
        return "<duration>";
      case "m":
        return raw.equals("M") ? "<size>" : "<duration>";
      case "b": case "kb": case "mb": case "gb": case "tb": case "pb": case "kib": case "mib": case "gib": case "tib":
      case "ki": case "mi": case "gi": case "ti": case "k": case "g": case "bytes":
        return "<size>";
      default:
        return null;
    }
  }

  private static boolean isUuid(String s, int a) {
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(a + i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!isHex(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@code 2024-01-15}, {@code 2024-01-15T10:22:33.123Z}, {@code 10:22:33}, {@code 10:22:33,123}. */
  private static boolean isTimestamp(String s, int a, int b) {
    int len = b - a;
    if (len >= 10 && digitsAt(s, a, 4) && s.charAt(a + 4) == '-' && digitsAt(s, a + 5, 2) && s.charAt(a + 7) == '-'
        && digitsAt(s, a + 8, 2)) {
      return true;
    }
    if (len >= 8 && digitsAt(s, a, 2) && s.charAt(a + 2) == ':' && digitsAt(s, a + 3, 2) && s.charAt(a + 5) == ':'
        && digitsAt(s, a + 6, 2)) {
      for (int i = a + 8; i < b; i++) {
        char c = s.charAt(i);
        if (!(Character.isDigit(c) || c == '.' || c == ',' || c == 'Z' || c == '+' || c == '-' || c == ':')) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static boolean digitsAt(String s, int at, int count) {
    for (int i = 0; i < count; i++) {
      char c = s.charAt(at + i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@code jane@example.com} but not {@code react-dom@19.9.0} (a package version). */
  private static boolean letterAfterLastDot(String s, int at, int b) {
    int dot = b - 1;
    while (dot > at && s.charAt(dot) != '.') {
      dot--;
    }
    for (int i = dot + 1; i < b; i++) {
      if (Character.isLetter(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEmailish(String s, int a, int b) {
    for (int i = a; i < b; i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '@')) {
        return false;
      }
    }
    return true;
  }

  /** IPv4 (optionally with a port) and IPv6 (optionally bracketed with a port). */
  private static String ipShape(String s, int a, int b) {
    // IPv4
    int i = a;
    int groups = 0;
    while (groups < 4) {
      int d = i;
      while (i < b && Character.isDigit(s.charAt(i)) && i - d < 3) {
        i++;
      }
      if (i == d) {
        break;
      }
      groups++;
      if (groups < 4) {
        if (i < b && s.charAt(i) == '.') {
          i++;
        } else {
          break;
        }
      }
    }
    if (groups == 4) {
      if (i == b) {
        return "<ip>";
      }
      if (s.charAt(i) == '/' && i + 1 < b && allDigits(s, i + 1, b)) {
        return "<ip>"; // CIDR
      }
      if (s.charAt(i) == ':' && i + 1 < b && allDigits(s, i + 1, b)) {
        return "<hostport>";
      }
      return null;
    }
    // IPv6: hex groups and at least two colons, optionally [addr]:port
    int x = a;
    int y = b;
    boolean bracket = s.charAt(a) == '[';
    if (bracket) {
      int close = indexOf(s, ']', a, b);
      if (close < 0) {
        return null;
      }
      x = a + 1;
      y = close;
    }
    if (y - x < 3 || count(s, ':', x, y) < 2) {
      return null;
    }
    boolean hasHexOrDigit = false;
    for (int k = x; k < y; k++) {
      char c = s.charAt(k);
      if (c == '%') {
        break; // zone id
      }
      if (!(isHex(c) || c == ':' || c == '.')) {
        return null;
      }
      hasHexOrDigit |= c != ':';
    }
    if (!hasHexOrDigit && y - x != 2) {
      return null;
    }
    if (bracket && y + 1 < b && s.charAt(y + 1) == ':') {
      return "<hostport>";
    }
    if (!bracket && y - x > 3 && s.startsWith(":::", x) && allDigits(s, x + 3, y)) {
      return "<hostport>"; // ":::3000" is the unspecified address "::" and a port (Node.js, ss, netstat)
    }
    return bracket && y + 1 != b ? null : "<ip>";
  }

  private static boolean isHostPort(String s, int a, int b) {
    int colon = b - 1;
    while (colon > a && s.charAt(colon) != ':') {
      colon--;
    }
    if (colon <= a || colon >= b - 1 || b - colon - 1 > 5 || !allDigits(s, colon + 1, b)) {
      return false;
    }
    boolean letter = false;
    for (int i = a; i < colon; i++) {
      char c = s.charAt(i);
      if (Character.isLetter(c)) {
        letter = true;
      } else if (!(Character.isDigit(c) || c == '.' || c == '-' || c == '_')) {
        return false;
      }
    }
    return letter;
  }

  private static boolean allDigits(String s, int a, int b) {
    for (int i = a; i < b; i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return a < b;
  }

  private static boolean allHex(String s, int a, int b) {
    for (int i = a; i < b; i++) {
      if (!isHex(s.charAt(i))) {
        return false;
      }
    }
    return a < b;
  }

  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  // Bounded to [a, b): String.indexOf would scan the rest of a long message for every token.
  private static int indexOf(String s, char c, int a, int b) {
    for (int i = a; i < b; i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(String s, String what, int a, int b) {
    int last = b - what.length();
    outer:
    for (int i = a; i <= last; i++) {
      for (int k = 0; k < what.length(); k++) {
        if (s.charAt(i + k) != what.charAt(k)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int count(String s, char c, int a, int b) {
    int n = 0;
    for (int i = a; i < b; i++) {
      if (s.charAt(i) == c) {
        n++;
      }
    }
    return n;
  }
}
