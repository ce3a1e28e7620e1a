package dev.rebound.analyzer.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The core of a failure message: what is left once what wraps it is peeled off, so that the same
 * error reported bare, through a CLI, a CI runner, a log shipper or inside a JSON event reads the same.
 *
 * <p>Peeled, in this order: a JSON, dict or logfmt envelope (the {@code message}/{@code msg}/{@code error}
 * string inside; escaped {@code \n} become lines); stack frames, traceback banners and their paths (the
 * core line is the root cause of a Java {@code Caused by:} chain, the last line of a Python traceback,
 * else the first line that reads as a failure); then, repeatedly, on that line: timestamps, levels,
 * {@code ##[error]}, {@code npm ERR!}, container and process prefixes ({@code web_1 |}, {@code app[123]:},
 * {@code [pod/x]}), error-class prefixes ({@code Error:}, {@code HttpError:}, {@code java.net.ConnectException:},
 * {@code caused by:}, {@code panic:}), call-like wrappers ({@code HTTPSConnectionPool(host=…):}) and
 * quoting; finally trailing documentation links ({@code see https://…}) and request or trace ids.
 *
 * <p>Not the template miner: no learning, no state, and the result is not masked (see {@link ErrorSignature}).
 */
final class CoreMessage {

  /** Longest text looked at; a failure's core is near its start or its end, never deep in a long dump. */
  private static final int MAX_TEXT = 8192;
  private static final int MAX_CORE = 400;

  private static final Pattern ENVELOPE = Pattern.compile(
      "[\"']?\\b(message|msg|errorMessage|error_message|error|detail|description)[\"']?\\s*[:=]\\s*"
          + "(\"(?:[^\"\\\\]|\\\\.){4,}\"|'(?:[^'\\\\]|\\\\.){4,}')");
  private static final Pattern FRAME = Pattern.compile(
      "^(?:at\\s+\\S.*|File \".*\", line \\d+.*|Traceback \\(most recent call last\\):?|\\.\\.\\. ?\\d+ (?:more|common frames omitted)"
          + "|During handling of the above exception.*|The above exception was the direct cause.*|goroutine \\d+ \\[.*"
          + "|\\S+\\.(?:go|rs|py|js|ts|java|cs|rb|php|kt|scala|c|cc|cpp):\\d+(?::\\d+)?(?: \\+0x\\p{XDigit}+)?"
          + "|[\\w./*$()\\[\\]-]+\\(.*\\)"
          + "|\\d+: (?:0x\\p{XDigit}+ - )?[\\w:<>_$.]+.*|stack backtrace:|note: run with `RUST_BACKTRACE.*"
          + "|\\^[\\^~ ]*|[~\\-=_*#]{3,}|\\s*)$");
  private static final Pattern CAUSED_BY = Pattern.compile("(?i)^caused by:\\s*");
  private static final Pattern FAILURE_WORD = Pattern.compile(
      "(?i)error|exception|fail|fatal|panic|refused|timed? ?out|denied|killed|oom|not found|unable|cannot|can't|could not"
          + "|couldn't|invalid|unavailable|exceeded|reset by|abort|crash|no space|out of memory|forbidden|unauthori[sz]ed"
          + "|too many|quota|throttl|unreachable|no such|missing|rejected|terminated|evicted|erro[rn]?\\b|fehler");
  private static final Pattern STRONG_WORD = Pattern.compile("(?i)error|exception|fatal|panic|fail|\\bERR\\b");

  private static final Pattern[] PREFIXES = {
      // CI and tool markers
      Pattern.compile("^(?:##\\[(?:error|warning)\\]|::error[^:]*::|npm ERR!|yarn error|pnpm ERR!|ERR!|\\[(?:ERROR|FATAL|WARN|WARNING|E)\\])\\s*"),
      // box drawing, quoting and pipes in front of log lines
      Pattern.compile("^[│|>•*+]\\s+"),
      // timestamps: ISO, bracketed, syslog, Go log, time-of-day, glog
      Pattern.compile("^\\[?\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?\\s?(?:Z|UTC|[+-]\\d{2}:?\\d{2})?\\]?[,:]?\\s*"),
      Pattern.compile("^\\[?\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?\\]?\\s*"),
      Pattern.compile("^(?:[A-Z][a-z]{2} )?[A-Z][a-z]{2}\\s+\\d{1,2}\\s\\d{2}:\\d{2}:\\d{2}(?: \\d{4})?\\s+"),
      Pattern.compile("^\\[?\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\]?\\s*"),
      Pattern.compile("^[IWEF]\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d+\\s+\\d+\\s+\\S+:\\d+\\]\\s*"),
      Pattern.compile("^time=\"[^\"]*\"\\s*"),
      Pattern.compile("(?i)^(?:level|lvl)=\\w+\\s*"),
      // levels
      Pattern.compile("(?i)^\\[?(?:error|err|fatal|critical|crit|severe|warn|warning|info|notice|debug|trace|panic|emerg|alert)\\]?(?:\\s*[:|-]\\s*|\\s+)"),
      Pattern.compile("^(?:E|F|W)\\s{2,}"),
      // container, pod and process prefixes
      Pattern.compile("^[\\w.-]+(?:[_-]\\d+)?\\s+\\|\\s+"),
      Pattern.compile("^[\\w./-]+\\[[\\w.-]+\\]:\\s+"),
      Pattern.compile("^\\[(?:pod|container|job|step|stage|service)?/?[\\w./:@-]+\\]\\s+"),
      Pattern.compile("(?i)^(?:remote|stderr|stdout|output|message|msg|reason|details?|description):\\s+"),
      // error-class prefixes
      Pattern.compile("(?i)^caused by:\\s*"),
      Pattern.compile("(?i)^(?:uncaught|unhandled)(?: exception| error| promise rejection)?:?\\s+"),
      Pattern.compile("^(?:Exception|Error) in thread \"[^\"]*\"\\s+"),
      Pattern.compile("^thread '[^']*' panicked at (?:'(.*)',\\s*\\S+|[^:\\s]+:\\d+:\\d+:?)\\s*"),
      Pattern.compile("(?i)^(?:panic|fatal(?: error)?|error|err|failure|failed|exception|critical)\\s*(?:\\[[\\w-]+\\])?\\s*:\\s*"),
      Pattern.compile("^(?:[A-Za-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Error|Exception|Failure|Fault|Exit|Interrupt|Warning|Rejection|Throwable)"
          + "(?:\\s*\\[[\\w-]+\\])?(?:\\s*\\([^()]{0,40}\\))?\\s*:\\s*"),
      Pattern.compile("^Error\\s*\\[[\\w-]+\\]\\s*:?\\s*"),
      // call-like wrappers: HTTPSConnectionPool(host='x', port=443): …
      Pattern.compile("^[A-Z][\\w.]*\\([^()]{0,200}\\):\\s+"),
  };
  /**
   * For each of {@link #PREFIXES}, the ASCII characters a match may start with (found by trying each
   * one: the pattern matches it or needs more text after it); a line that starts with another ASCII
   * character is not tried against that pattern. Other characters always are.
   */
  private static final boolean[][] PREFIX_FIRST_CHARS = firstChars(PREFIXES);
  private static final Pattern TRAILING_DOCS = Pattern.compile(
      "(?i)[\\s.,;(\\[]*(?:(?:see|visit|refer to|read more(?: at)?|for (?:more )?(?:info(?:rmation)?|details|help)[^:]{0,40}?(?:see|visit|at|:)?"
          + "|documentation|docs|more info(?:rmation)?|troubleshooting(?: guide)?)\\s*:?\\s*)?<?(?:https?://|<url>)\\S*[)\\]>]?[\\s.]*$");
  private static final Pattern REQUEST_ID = Pattern.compile(
      "(?i)[\\s,;]*[(\\[]?\\b(?:x-)?(?:request|req|trace|correlation|activity|span)[ _-]?id\\b[\"']?\\s*[:=]?\\s*[\"']?[\\w:./-]{4,}[\"']?[)\\]]?\\.?");

  // literals without which ENVELOPE, REQUEST_ID and TRAILING_DOCS cannot match (checked before running them)
  private static final String[] ENVELOPE_KEYS = {"message", "msg", "error", "detail", "description"};
  private static final String[] REQUEST_ID_KEYS = {"req", "trace", "correlation", "activity", "span"};

  /** The prefixes peeled off every line before it is judged (markers, timestamps, container names; not levels). */
  private static final int[] LEAD_PREFIXES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12};

  private CoreMessage() {
  }

  /** The core of a (redacted) message; never null, may be empty for an empty message. */
  static String of(String text) {
    if (text.length() > MAX_TEXT) {
      text = text.substring(0, MAX_TEXT);
    }
    text = envelope(text);
    String line = coreLine(text);
    line = peel(line);
    if (line.length() > MAX_CORE) {
      line = line.substring(0, MAX_CORE);
    }
    return line;
  }

  /** The message inside a JSON/dict/logfmt envelope, unescaped; the text itself when there is none. */
  static String envelope(String text) {
    if (text.indexOf(':') < 0 && text.indexOf('=') < 0) {
      return text;
    }
    Matcher m = ENVELOPE.matcher(text);
    String best = null;
    int bestRank = Integer.MAX_VALUE;
    boolean mayHaveKey = TextScan.containsAny(text, ENVELOPE_KEYS);
    while (mayHaveKey && m.find()) {
      int rank = switch (m.group(1).toLowerCase(java.util.Locale.ROOT)) {
        case "message", "errormessage", "error_message" -> 0;
        case "msg" -> 1;
        case "error" -> 2;
        default -> 3;
      };
      if (rank < bestRank) {
        bestRank = rank;
        String v = m.group(2);
        best = v.substring(1, v.length() - 1);
      }
    }
    String t = best == null ? text : unescape(best);
    if (best == null && t.contains("\\n") && t.indexOf('\n') < 0) {
      t = unescape(t); // a Python repr or an escaped log field
    }
    return t;
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        switch (n) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> { }
          case '"', '\'', '\\', '/' -> sb.append(n);
          default -> sb.append(c).append(n);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** The line that carries the failure, frames and banners skipped. */
  static String coreLine(String text) {
    if (text.indexOf('\n') < 0) {
      return text.strip();
    }
    String[] lines = text.split("\r?\n", 200);
    boolean traceback = false;
    String lastCause = null;
    String lastCandidate = null;
    String firstStrong = null;
    String firstWeak = null;
    String first = null;
    boolean afterPythonFile = false;
    for (String raw : lines) {
      String line = stripLead(raw);
      if (afterPythonFile && (raw.startsWith("    ") || raw.startsWith("\t"))) {
        afterPythonFile = false;
        continue; // the source line Python prints under a frame
      }
      afterPythonFile = false;
      if (line.startsWith("Traceback (most recent call last)")) {
        traceback = true;
        continue;
      }
      if (FRAME.matcher(line).matches()) {
        afterPythonFile = line.startsWith("File \"");
        continue;
      }
      if (CAUSED_BY.matcher(line).find()) {
        lastCause = line;
      }
      lastCandidate = line;
      if (first == null) {
        first = line;
      }
      if (firstStrong == null && STRONG_WORD.matcher(line).find()) {
        firstStrong = line;
      }
      if (firstWeak == null && FAILURE_WORD.matcher(line).find()) {
        firstWeak = line;
      }
    }
    if (lastCause != null) {
      return lastCause;
    }
    if (traceback && lastCandidate != null) {
      return lastCandidate;
    }
    if (firstStrong != null) {
      return firstStrong;
    }
    if (firstWeak != null) {
      return firstWeak;
    }
    return first == null ? "" : first;
  }

  private static String stripLead(String raw) {
    String line = raw.strip();
    // prefixes that come before the frame text on each line (a container name, a timestamp)
    for (int k = 0; k < 3; k++) {
      String before = line;
      for (int p : LEAD_PREFIXES) {
        if (!mayStartWith(p, line)) {
          continue;
        }
        Matcher m = PREFIXES[p].matcher(line);
        if (m.lookingAt() && m.end() > 0) {
          line = line.substring(m.end()).strip();
        }
      }
      if (line.equals(before)) {
        break;
      }
    }
    return line;
  }

  /** Peels prefixes, quotes, trailing links and ids off one line. */
  static String peel(String line) {
    String s = line.strip();
    for (int round = 0; round < 12; round++) {
      String before = s;
      for (int p = 0; p < PREFIXES.length; p++) {
        if (!mayStartWith(p, s)) {
          continue;
        }
        Matcher m = PREFIXES[p].matcher(s);
        if (m.lookingAt() && m.end() > 0 && m.end() < s.length()) {
          String rest = s.substring(m.end());
          if (m.groupCount() >= 1 && m.group(1) != null) {
            rest = m.group(1) + " " + rest; // a Rust panic's message is inside the prefix
          }
          s = rest.strip();
        }
      }
      s = unquote(s);
      if (s.equals(before)) {
        break;
      }
    }
    if (TextScan.containsIgnoreAsciiCase(s, "id") && TextScan.containsAnyIgnoreAsciiCase(s, REQUEST_ID_KEYS)) {
      s = REQUEST_ID.matcher(s).replaceAll("");
    }
    for (int i = 0; i < 3 && (s.contains("://") || TextScan.containsIgnoreAsciiCase(s, "<url>")); i++) {
      Matcher m = TRAILING_DOCS.matcher(s);
      if (m.find() && m.start() > 0) {
        s = s.substring(0, m.start());
      } else {
        break;
      }
    }
    s = s.strip();
    while (!s.isEmpty() && ".:;,".indexOf(s.charAt(s.length() - 1)) >= 0) {
      s = s.substring(0, s.length() - 1).strip();
    }
    return unquote(s);
  }

  private static boolean[][] firstChars(Pattern[] patterns) {
    boolean[][] first = new boolean[patterns.length][128];
    for (int p = 0; p < patterns.length; p++) {
      for (char c = 0; c < 128; c++) {
        Matcher m = patterns[p].matcher(String.valueOf(c));
        first[p][c] = m.lookingAt() || m.hitEnd();
      }
    }
    return first;
  }

  private static boolean mayStartWith(int prefix, String s) {
    if (s.isEmpty()) {
      return true;
    }
    char c = s.charAt(0);
    return c >= 128 || PREFIX_FIRST_CHARS[prefix][c];
  }

  private static String unquote(String s) {
    if (s.length() >= 2) {
      char a = s.charAt(0);
      char b = s.charAt(s.length() - 1);
      if ((a == '"' || a == '\'' || a == '`') && a == b) {
        return s.substring(1, s.length() - 1).strip();
      }
    }
    return s;
  }
}
