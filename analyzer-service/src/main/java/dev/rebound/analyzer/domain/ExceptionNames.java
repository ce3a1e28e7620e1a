package dev.rebound.analyzer.domain;

import java.util.List;

/** Recognises exception type names such as {@code java.net.ConnectException}, {@code KeyError}, {@code TimeoutError}. */
final class ExceptionNames {
  private static final String[] SUFFIXES = {"Exception", "Error", "Throwable", "Exit", "Interrupt", "Failure", "Fault"};
  private static final int MAX_FROM_MESSAGE = 4;

  private ExceptionNames() {
  }

  static boolean looksLikeType(String name) {
    if (name.isEmpty() || name.endsWith(".")) {
      return false;
    }
    String simple = simpleName(name);
    if (simple.isEmpty() || !Character.isUpperCase(simple.charAt(0))) {
      return false;
    }
    for (String suffix : SUFFIXES) {
      if (simple.endsWith(suffix) && simple.length() > suffix.length() || simple.equals("Error") || simple.equals("Exception")) {
        return true;
      }
    }
    return false;
  }

  static String simpleName(String name) {
    int dot = name.lastIndexOf('.');
    int dollar = name.lastIndexOf('$');
    return name.substring(Math.max(dot, dollar) + 1);
  }

  /**
   * Exception type names mentioned in a message, e.g. {@code java.lang.OutOfMemoryError} in
   * "Exception in thread main java.lang.OutOfMemoryError: Java heap space". Scans for the suffixes
   * with indexOf instead of running a regular expression over every message.
   */
  static void addFromMessage(String message, List<String> out) {
    int found = 0;
    for (String suffix : new String[] {"Exception", "Error"}) {
      int from = 0;
      int at;
      while (found < MAX_FROM_MESSAGE && (at = message.indexOf(suffix, from)) >= 0) {
        int end = at + suffix.length();
        from = end;
        if (end < message.length() && Character.isJavaIdentifierPart(message.charAt(end))) {
          continue;
        }
        int start = at;
        while (start > 0 && (Character.isJavaIdentifierPart(message.charAt(start - 1)) || message.charAt(start - 1) == '.')) {
          start--;
        }
        while (start < at && message.charAt(start) == '.') {
          start++;
        }
        String name = message.substring(start, end);
        if (looksLikeType(name) && !out.contains(name)) {
          out.add(name);
          found++;
        }
      }
    }
  }

  // Where SDKs print an error-code name in place of an exception type: AWS CLI/boto3 "An error occurred
  // (ThrottlingException) when calling …", the AWS Go SDK "api error AccessDenied: …", gRPC "code = NotFound desc = …".
  private static final String[] CODE_NAME_LEADS = {"error occurred (", "api error ", "code = "};

  /**
   * Error-code names that SDKs print where a language would print an exception type ({@code NoSuchBucket},
   * {@code SlowDown}, {@code DeadlineExceeded}), so exception-type families apply to them too. A few
   * {@code indexOf} scans; only CamelCase names are taken.
   */
  static void addErrorCodeNames(String message, List<String> out) {
    for (String lead : CODE_NAME_LEADS) {
      int from = 0;
      int at;
      int taken = 0;
      while (taken < 2 && (at = message.indexOf(lead, from)) >= 0) {
        int start = at + lead.length();
        int end = start;
        while (end < message.length() && end - start <= 64 && Character.isLetterOrDigit(message.charAt(end))) {
          end++;
        }
        from = end;
        if (end - start >= 3 && Character.isUpperCase(message.charAt(start)) && hasLowerCase(message, start, end)) {
          String name = message.substring(start, end);
          if (!out.contains(name)) {
            out.add(name);
            taken++;
          }
        }
      }
    }
  }

  private static boolean hasLowerCase(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (Character.isLowerCase(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** True when {@code wanted} is a family of types ({@code *TimeoutException}, {@code *NotFound*}) rather than one type. */
  static boolean isFamily(String wanted) {
    return wanted.indexOf('*') >= 0;
  }

  /**
   * True when the simple name of a type, in lower case, belongs to a family: {@code *} stands for any run of
   * characters, the rest is compared without regard to case ({@code *timeout*} holds {@code SocketTimeoutException},
   * {@code TimeoutError} and {@code ReadTimeout}).
   */
  static boolean inFamily(String familyLower, String simpleLower) {
    int from = 0;
    int part = 0;
    int n = familyLower.length();
    boolean anchored = n > 0 && familyLower.charAt(0) != '*';
    while (part <= n) {
      int star = familyLower.indexOf('*', part);
      int end = star < 0 ? n : star;
      if (end > part) {
        String piece = familyLower.substring(part, end);
        if (star < 0) {
          // the last piece ends the name
          int at = simpleLower.length() - piece.length();
          return at >= from && simpleLower.startsWith(piece, at) && (!anchored || part > 0 || at == 0);
        }
        int at = anchored && part == 0 ? (simpleLower.startsWith(piece) ? 0 : -1) : simpleLower.indexOf(piece, from);
        if (at < 0) {
          return false;
        }
        from = at + piece.length();
      }
      if (star < 0) {
        return true;
      }
      part = star + 1;
    }
    return true;
  }

  /** True when {@code actual} (simple or qualified) names the type {@code wanted} (simple or qualified, or a family). */
  static boolean matches(String wanted, String actual) {
    if (isFamily(wanted)) {
      return inFamily(wanted.toLowerCase(java.util.Locale.ROOT), simpleName(actual).toLowerCase(java.util.Locale.ROOT));
    }
    if (wanted.equals(actual)) {
      return true;
    }
    boolean wantedQualified = wanted.indexOf('.') >= 0;
    boolean actualQualified = actual.indexOf('.') >= 0;
    if (!wantedQualified) {
      return simpleName(actual).equals(wanted);
    }
    return !actualQualified && simpleName(wanted).equals(actual);
  }
}
