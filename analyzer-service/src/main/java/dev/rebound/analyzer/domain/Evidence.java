package dev.rebound.analyzer.domain;

import dev.rebound.common.text.AsciiLower;
import dev.rebound.common.text.Candidates;
import dev.rebound.common.text.Keywords;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the rules are matched against for one failure: the redacted text, its lower-case form,
 * the exception chain and the structured codes — given by the caller or, failing that, read from the
 * message ("HTTP/1.1 503", "exit code 137", "signal: killed", "SQLSTATE 40001").
 */
final class Evidence {

  // Words that, right before a 3-digit number, make it an HTTP status ("HTTP/1.1 503", "status code: 429").
  private static final String[] STATUS_LEADS = {
      "http/1.1", "http/1.0", "http/2", "http/2.0", "http", "http error", "http status", "httperror", "status code",
      "statuscode", "status_code", "response code", "response status", "status", "returned", "got", "responded with",
      "returned status", "failed with status", "server responded with a status of", "error", "http code", "http_code",
      "failed with"};
  // Reason phrases that, right after a 3-digit number, make it an HTTP status ("503 Service Unavailable").
  private static final String[] REASON_PHRASES = {
      "too many requests", "service unavailable", "bad gateway", "gateway time", "internal server error", "not found",
      "unauthorized", "forbidden", "bad request", "unprocessable", "request time", "conflict", "payload too large",
      "precondition failed", "method not allowed", "gone", "site is overloaded", "service temporarily unavailable",
      "client error", "server error", "not implemented", "insufficient storage", "request entity too large",
      "proxy authentication required", "not acceptable", "unsupported media type", "upgrade required",
      "network authentication required", "uri too long", "http version not supported", "origin is unreachable",
      "web server is down"};
  // Tried only where "sig" or "segmentation" occurs.
  private static final Pattern SIGNAL = Pattern.compile(
      "(?i)\\b(?:(SIG(?:KILL|TERM|SEGV|ABRT|INT|HUP|BUS|PIPE|QUIT|ILL|FPE|XCPU|XFSZ|SYS|ALRM|TRAP))\\b"
          + "|signal[:\\s]+(killed|terminated|segmentation fault|aborted|\\d{1,2})\\b"
          + "|(segmentation fault))");
  private static final Pattern SQL_STATE = Pattern.compile(
      "(?i)\\bsql\\s?state\\s*[:=\\[(]?\\s*[\"']?([0-9A-Z]{5})\\b"
          + "|\\bcode[\"']?\\s*[:=]\\s*[\"']([0-9][0-9A-Z]{4})[\"']"
          + "|\\berror\\s+\\d{4}\\s+\\(([0-9A-Z]{5})\\)"); // MySQL: ERROR 1213 (40001): Deadlock found

  // Gates for the code-reading regexes, found in one pass.
  static final String[] GATE_WORDS = {"exit", "error code", "sig", "segmentation", "sqlstate", "sql state",
      "code: '", "code\":\"", "code\": \"", "code='", "error 1", "error 2", "error 3"};
  private static final Keywords GATES = new Keywords(GATE_WORDS);

  final String text;
  final String lower;
  final List<String> exceptions;
  private String[] exceptionSimpleNames;
  final Integer httpStatus;
  final boolean httpInferred;
  final Integer exitCode;
  final boolean exitInferred;
  final String signal;
  final boolean signalInferred;
  final String sqlState;
  final boolean sqlInferred;

  /** Evidence for a redacted message, scanning its own gates (tests and tools). */
  static Evidence of(FailureInput input, String redactedMessage, String redactedLower, StackTraceSummary stack) {
    String t = textWithHeads(redactedMessage, stack);
    String l = t == redactedMessage ? redactedLower : AsciiLower.of(t);
    return new Evidence(input, redactedMessage, t, l, stack, GATES.scan(l), 0);
  }

  /** The text rules are matched against: the message plus the lines of a stack trace that name exceptions. */
  static String textWithHeads(String redactedMessage, StackTraceSummary stack) {
    return stack.headLines().isEmpty() ? redactedMessage : redactedMessage + "\n" + String.join("\n", stack.headLines());
  }

  /**
   * @param found      words found in {@code lower} by one automaton pass; gate word k is {@code gateOffset + k}
   */
  Evidence(FailureInput input, String redactedMessage, String text, String lower, StackTraceSummary stack,
           Candidates found, int gateOffset) {
    this.text = text;
    this.lower = lower;

    List<String> ex = new ArrayList<>(4);
    if (input.exceptionType() != null) {
      ex.add(input.exceptionType());
    }
    for (String e : stack.exceptionChain()) {
      if (!ex.contains(e)) {
        ex.add(e);
      }
    }
    ExceptionNames.addFromMessage(redactedMessage, ex);
    ExceptionNames.addErrorCodeNames(redactedMessage, ex);
    this.exceptions = ex;

    Integer http = input.httpStatus();
    boolean httpFromText = false;
    if (http == null) {
      http = httpStatusIn(lower);
      httpFromText = http != null;
    }
    this.httpStatus = http;
    this.httpInferred = httpFromText;

    int g = gateOffset;
    boolean exitGate = found.has(g) || found.has(g + 1);
    boolean sigGate = found.has(g + 2) || found.has(g + 3);
    boolean sqlGate = found.has(g + 4) || found.has(g + 5) || found.has(g + 6) || found.has(g + 7) || found.has(g + 8)
        || found.has(g + 9) || found.has(g + 10) || found.has(g + 11) || found.has(g + 12);

    Integer exit = input.exitCode();
    boolean exitFromText = false;
    if (exit == null && exitGate) {
      Integer e = exitCodeIn(lower);
      if (e != null && e <= 255) {
        exit = e;
        exitFromText = true;
      }
    }
    this.exitCode = exit;
    this.exitInferred = exitFromText;

    String sig = input.signal();
    boolean sigFromText = false;
    if (sig == null && sigGate) {
      Matcher m = lookingAtAny(SIGNAL, text, lower, "sig", "segmentation");
      if (m != null) {
        String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        sig = Signals.normalize(name);
        sigFromText = true;
      }
    }
    if (sig == null && exit != null) {
      sig = Signals.fromExitCode(exit);
      sigFromText = sig != null && exitFromText;
    }
    this.signal = sig;
    this.signalInferred = sigFromText;

    String sql = input.sqlState();
    boolean sqlFromText = false;
    if (sql == null && sqlGate) {
      Matcher m = SQL_STATE.matcher(text);
      while (m.find()) {
        String code = (m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3)).toUpperCase(Locale.ROOT);
        if (Character.isDigit(code.charAt(0)) || code.startsWith("XX") || code.startsWith("HV") || code.startsWith("P0")
            || code.startsWith("F0")) {
          sql = code;
          sqlFromText = true;
          break;
        }
      }
    }
    this.sqlState = sql;
    this.sqlInferred = sqlFromText;
  }

  /** The simple names of {@link #exceptions}, in lower case (computed once, on first use). */
  String[] exceptionSimpleNames() {
    String[] names = exceptionSimpleNames;
    if (names == null) {
      names = new String[exceptions.size()];
      for (int i = 0; i < names.length; i++) {
        names[i] = ExceptionNames.simpleName(exceptions.get(i)).toLowerCase(Locale.ROOT);
      }
      exceptionSimpleNames = names;
    }
    return names;
  }

  /**
   * Finds a standalone number 100..599 preceded by a status word or followed by a reason phrase. A hand
   * scan instead of a regex with a dozen alternatives: it runs on every message.
   */
  static Integer httpStatusIn(String lower) {
    int n = lower.length();
    for (int i = 0; i + 3 <= n; i++) {
      char c = lower.charAt(i);
      if (c < '1' || c > '5' || i > 0 && isWordChar(lower.charAt(i - 1))) {
        continue;
      }
      if (!Character.isDigit(lower.charAt(i + 1)) || !Character.isDigit(lower.charAt(i + 2))
          || i + 3 < n && isWordChar(lower.charAt(i + 3))) {
        continue;
      }
      if (i > 0 && (lower.charAt(i - 1) == '.' || lower.charAt(i - 1) == ':' && i > 1 && Character.isLetterOrDigit(lower.charAt(i - 2))
          && !precededByLead(lower, i))) {
        continue; // 10.0.0.503 or host:503
      }
      int status = (c - '0') * 100 + (lower.charAt(i + 1) - '0') * 10 + (lower.charAt(i + 2) - '0');
      if (precededByLead(lower, i) || followedByReason(lower, i + 3)) {
        return status;
      }
      i += 2;
    }
    return null;
  }

  private static boolean precededByLead(String lower, int at) {
    int e = at;
    while (e > 0 && " :=(\"'[".indexOf(lower.charAt(e - 1)) >= 0 && at - e < 4) {
      e--;
    }
    if (e == 0) {
      return false;
    }
    char last = lower.charAt(e - 1);
    for (String lead : STATUS_LEADS) {
      int s = e - lead.length();
      if (s >= 0 && lead.charAt(lead.length() - 1) == last && lower.startsWith(lead, s) && (s == 0 || !isWordChar(lower.charAt(s - 1)))) {
        if (lead.equals("status") && s >= 5 && lower.startsWith("exit ", s - 5)) {
          return false;
        }
        if (lead.equals("error") && s >= 5 && lower.startsWith("exit ", s - 5)) {
          return false;
        }
        return true;
      }
    }
    return false;
  }

  private static boolean followedByReason(String lower, int at) {
    int s = at;
    while (s < lower.length() && " -:(".indexOf(lower.charAt(s)) >= 0 && s - at < 3) {
      s++;
    }
    for (String phrase : REASON_PHRASES) {
      if (lower.startsWith(phrase, s)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /**
   * "exit code 137", "exited with code 1", "Exit Code: 137", "exit status 2", "non-zero exit status 1",
   * "exit_code=3", "error code 1": read by hand because it runs on many messages.
   */
  static Integer exitCodeIn(String lower) {
    for (String anchor : new String[] {"exit", "error code"}) {
      for (int at = lower.indexOf(anchor); at >= 0; at = lower.indexOf(anchor, at + 1)) {
        if (at > 0 && Character.isLetterOrDigit(lower.charAt(at - 1))) {
          continue;
        }
        int i = at + anchor.length();
        if (anchor.equals("exit")) {
          i = skipWord(lower, i, "ed");
          i = skipWord(lower, skipSpaces(lower, i), "with");
          i = skipWord(lower, skipSpaces(lower, i), "exit");
          int before = i;
          i = skipSpaces(lower, i);
          if (i < lower.length() && lower.charAt(i) == '_') {
            i++;
          }
          int w = skipWord(lower, i, "code");
          if (w == i) {
            w = skipWord(lower, i, "status");
          }
          i = w == i ? before : w;
        }
        while (i < lower.length() && " \"':=(".indexOf(lower.charAt(i)) >= 0 && i - at < anchor.length() + 24) {
          i++;
        }
        int d = i;
        while (i < lower.length() && i - d < 4 && Character.isDigit(lower.charAt(i))) {
          i++;
        }
        if (i > d && i - d <= 3 && (i == lower.length() || !Character.isLetterOrDigit(lower.charAt(i)))) {
          return Integer.parseInt(lower.substring(d, i));
        }
      }
    }
    return null;
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  private static int skipWord(String s, int i, String word) {
    return s.startsWith(word, i) ? i + word.length() : i;
  }

  /** A matcher positioned on the first match that starts at an occurrence of one of the anchors, or null. */
  private static Matcher lookingAtAny(Pattern p, String text, String lower, String... anchors) {
    Matcher m = p.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
    int best = -1;
    for (String anchor : anchors) {
      for (int at = lower.indexOf(anchor); at >= 0 && (best < 0 || at < best); at = lower.indexOf(anchor, at + 1)) {
        if (m.region(at, text.length()).lookingAt()) {
          best = at;
          break;
        }
      }
    }
    if (best < 0) {
      return null;
    }
    m.region(best, text.length()).lookingAt();
    return m;
  }



}
