package dev.rebound.analyzer.domain;

import dev.rebound.common.classification.Category;
import dev.rebound.common.text.AsciiLower;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signature: the identity of the underlying error, whatever reports it. Alerts are grouped by it and
 * history is kept for it; the template {@link Fingerprint} stays what the message looks like.
 *
 * <p>Derived from, in this order:
 * <ul>
 *   <li>a <em>specific</em> rule when one decided: {@code rule:<id>} plus the tokens that discriminate
 *       within it — the errno (by name: {@code [Errno 111]}, {@code ECONNREFUSED} and "Connection refused"
 *       are one), and the HTTP status when the rule covers several;</li>
 *   <li>otherwise — a <em>generic</em> rule (catch-alls with a negative priority, rules matching only a
 *       code, an exception type or a signal, deliberately broad rules) or no rule — the {@link CoreMessage}
 *       with its variables masked ({@link TemplateMasker}), plus the HTTP status, exit code, signal,
 *       SQLSTATE and errno: a bare HTTP 500 from two services with two messages is two signatures.</li>
 * </ul>
 *
 * <p>{@link #basis()} is the readable key that was hashed.
 *
 * @param id    16 lower-case hex digits
 * @param basis what the id was computed from, e.g. {@code rule:k8s-oomkilled} or
 *              {@code core:500|-|-|-|-|upstream <quoted> failed}
 */
public record ErrorSignature(String id, String basis) {

  private static final TemplateMasker MASKER = new TemplateMasker();
  private static final String SIGKILL = "SIGKILL";
  private static final Pattern WORD = Pattern.compile("[a-z]{3,}");
  private static final Pattern NAMES = Pattern.compile("(?<![<\\w])[\\w-]+(?:[./][\\w-]+)+(?![\\w>])|<path>|<url>");
  // an HTTP status's own words, which wrappers add or leave out around the same error
  private static final Pattern HTTP_BOILERPLATE = Pattern.compile(
      "http/<num>(?:\\.<num>)?|\\bhttp\\b|<num>|\\brequest failed with status code\\b|\\b(?:client|server) error\\b|\\bfor url\\b"
          + "|\\bstatus(?: code)?\\b|\\berror\\b|too many requests|service (?:temporarily )?unavailable|bad gateway"
          + "|gateway time-?out|internal server error|not found|unauthori[sz]ed|forbidden|bad request|[:,;\\-]");
  private static final java.util.Set<String> NETWORK_ERRNOS = java.util.Set.of(
      "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_NONAME", "EAI_AGAIN", "EAI_NODATA",
      "ECONNABORTED", "EPIPE", "ENETDOWN", "EHOSTDOWN", "EADDRINUSE");
  private static final int MAX_CORE_WORDS = 16;

  private static final Pattern ERRNO = Pattern.compile(
      "(?i)\\[(?:errno|winerror)\\s*(-?\\d{1,5})\\]|\\berrno\\s*[:=]?\\s*(-?\\d{1,5})\\b|(?-i)\\b(E(?:AI_)?[A-Z]{3,14})\\b");
  private static final Map<String, String> ERRNO_NUMBERS = Map.ofEntries(
      Map.entry("1", "EPERM"), Map.entry("2", "ENOENT"), Map.entry("5", "EIO"), Map.entry("12", "ENOMEM"),
      Map.entry("13", "EACCES"), Map.entry("17", "EEXIST"), Map.entry("24", "EMFILE"), Map.entry("28", "ENOSPC"),
      Map.entry("30", "EROFS"), Map.entry("32", "EPIPE"), Map.entry("98", "EADDRINUSE"), Map.entry("99", "EADDRNOTAVAIL"),
      Map.entry("101", "ENETUNREACH"), Map.entry("103", "ECONNABORTED"), Map.entry("104", "ECONNRESET"),
      Map.entry("110", "ETIMEDOUT"), Map.entry("111", "ECONNREFUSED"), Map.entry("113", "EHOSTUNREACH"),
      Map.entry("122", "EDQUOT"), Map.entry("-2", "EAI_NONAME"), Map.entry("-3", "EAI_AGAIN"), Map.entry("-5", "EAI_NODATA"),
      Map.entry("8", "EAI_NONAME"), Map.entry("11001", "EAI_NONAME"), Map.entry("10061", "ECONNREFUSED"),
      Map.entry("10054", "ECONNRESET"), Map.entry("10060", "ETIMEDOUT"), Map.entry("10013", "EACCES"));
  private static final Map<String, String> ERRNO_ALIASES = Map.of(
      "ENOTFOUND", "EAI_NONAME", "ESOCKETTIMEDOUT", "ETIMEDOUT", "EAI_FAIL", "EAI_NONAME", "EWOULDBLOCK", "EAGAIN");
  // strerror texts, so a wrapper that prints the number and one that prints the text agree
  private static final String[][] ERRNO_TEXTS = {
      {"connection refused", "ECONNREFUSED"}, {"connection reset by peer", "ECONNRESET"},
      {"temporary failure in name resolution", "EAI_AGAIN"}, {"name or service not known", "EAI_NONAME"},
      {"nodename nor servname provided", "EAI_NONAME"}, {"no address associated with hostname", "EAI_NODATA"},
      {"no such file or directory", "ENOENT"}, {"permission denied", "EACCES"}, {"no space left on device", "ENOSPC"},
      {"connection timed out", "ETIMEDOUT"}, {"broken pipe", "EPIPE"}, {"no route to host", "EHOSTUNREACH"},
      {"network is unreachable", "ENETUNREACH"}, {"too many open files", "EMFILE"}, {"cannot allocate memory", "ENOMEM"},
      {"read-only file system", "EROFS"}, {"disk quota exceeded", "EDQUOT"}, {"address already in use", "EADDRINUSE"},
      {"operation not permitted", "EPERM"}, {"file exists", "EEXIST"}, {"no such host", "EAI_NONAME"},
      {"could not resolve host", "EAI_NONAME"}, {"socket hang up", "ECONNRESET"}, {"err_connection_refused", "ECONNREFUSED"},
      {"err_name_not_resolved", "EAI_NONAME"}, {"err_connection_reset", "ECONNRESET"}, {"err_connection_timed_out", "ETIMEDOUT"}};
  private static final java.util.Set<String> ERRNO_NAMES = java.util.Set.of(
      "EPERM", "ENOENT", "EIO", "ENOMEM", "EACCES", "EEXIST", "EMFILE", "ENFILE", "ENOSPC", "EROFS", "EPIPE", "EADDRINUSE",
      "EADDRNOTAVAIL", "ENETUNREACH", "ECONNABORTED", "ECONNRESET", "ETIMEDOUT", "ECONNREFUSED", "EHOSTUNREACH", "EDQUOT",
      "EAI_NONAME", "EAI_AGAIN", "EAI_NODATA", "EAGAIN", "EBUSY", "ENOTDIR", "EISDIR", "ENOTEMPTY", "EXDEV", "ELOOP",
      "ENAMETOOLONG", "EPROTO", "ENETDOWN", "EHOSTDOWN", "ENOTCONN", "ESHUTDOWN", "ENOBUFS", "EINVAL", "ECANCELED");

  /** Derives the signature of a classified failure; {@code matchedText} is what the deciding rule matched. */
  static ErrorSignature of(RuleIndex.Compiled best, String matchedText, Evidence e, String redacted) {
    String errno = errno(e.text, e.lower);
    if (SIGKILL.equals(e.signal) || e.lower.contains("oomkilled") || e.lower.contains("oom killed")
        || e.lower.contains("oom-killed") || best != null && best.rule.match().signals().contains(SIGKILL)) {
      return hashed("killed:SIGKILL"); // a container or process killed for memory, however it is reported
    }
    if (best != null && best.rule.priority() >= 0 && !best.rule.match().hasText() && best.rule.match().exceptions().isEmpty()
        && best.rule.match().httpStatus().isEmpty() && best.rule.match().sqlStates().isEmpty()) {
      // a rule on a signal or an exit code alone: the signal or code is the error, whoever reports it (a broad
      // one, such as a general signal on a sysexits code, only says what kind of error it is)
      return hashed("code:" + best.rule.id() + "|" + (e.signal != null ? e.signal : e.exitCode));
    }
    if (errno != null && NETWORK_ERRNOS.contains(errno) && (best == null || isGeneric(best.rule)
        || best.rule.category() == Category.NETWORK || best.rule.category() == Category.INFRASTRUCTURE)) {
      return hashed("errno:" + errno); // the socket error is the error, whichever client or wrapper reports it
    }
    if (best != null && !isGeneric(best.rule)) {
      StringBuilder key = new StringBuilder("rule:").append(best.rule.id());
      if (matchedText != null) {
        key.append('|').append(skeleton(matchedText, best.rule));
      }
      if (errno != null) {
        key.append('|').append(errno);
      }
      if (e.httpStatus != null && coversSeveralStatuses(best.rule)) {
        key.append('|').append(e.httpStatus);
      }
      return hashed(key.toString());
    }
    StringBuilder key = new StringBuilder("core:");
    key.append(e.httpStatus == null ? "-" : e.httpStatus).append('|')
        .append(e.exitCode == null ? "-" : e.exitCode).append('|')
        .append(e.signal == null ? "-" : e.signal).append('|')
        .append(e.sqlState == null ? "-" : e.sqlState).append('|')
        .append(errno == null ? "-" : errno).append('|');
    if (best != null && !best.rule.match().exceptions().isEmpty() && !best.rule.match().hasText()) {
      key.append(best.rule.id()).append('|'); // the exception kind: its message alone may be only a name
    }
    String core = maskedCore(redacted);
    if (e.httpStatus != null) {
      core = HTTP_BOILERPLATE.matcher(core).replaceAll(" ").replaceAll("\\s+", " ").strip();
    }
    key.append(core);
    return hashed(key.toString());
  }

  /** The core message with its variables masked, lower case, at most {@value #MAX_CORE_WORDS} words. */
  static String maskedCore(String redacted) {
    String masked = AsciiLower.of(MASKER.mask(CoreMessage.of(redacted)));
    if (hasJoinedName(masked) || masked.contains("<path>") || masked.contains("<url>")) {
      masked = NAMES.matcher(masked).replaceAll("<name>");
    }
    StringBuilder sb = new StringBuilder(masked.length());
    int n = 0;
    for (String w : masked.split(" ")) {
      if (w.isEmpty()) {
        continue;
      }
      if (n++ == MAX_CORE_WORDS) {
        break;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(w);
    }
    return sb.toString();
  }

  /**
   * Whether the text holds what the first alternative of {@link #NAMES} needs: a {@code .} or {@code /}
   * between two name characters ({@code \w} or {@code -}).
   */
  private static boolean hasJoinedName(String s) {
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if ((c == '.' || c == '/') && isNameChar(s.charAt(i - 1)) && isNameChar(s.charAt(i + 1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isNameChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
  }

  /**
   * The words of what a rule matched that its patterns spell out: the alternative that matched (a
   * PostgreSQL or a MySQL deadlock), without what the pattern left open (names, numbers, paths).
   */
  static String skeleton(String span, Rule rule) {
    String lower = AsciiLower.of(span.length() > 300 ? span.substring(0, 300) : span);
    StringBuilder sb = new StringBuilder();
    Matcher w = WORD.matcher(lower);
    while (w.find()) {
      String word = w.group();
      boolean spelled = false;
      for (String r : rule.match().regex()) {
        if (AsciiLower.of(r).contains(word)) {
          spelled = true;
          break;
        }
      }
      for (String c : rule.match().contains()) {
        spelled |= c.contains(word);
      }
      if (spelled) {
        sb.append(word).append(' ');
      }
    }
    return sb.toString().strip();
  }

  /**
   * A rule that names a kind of symptom rather than an error: a catch-all (negative priority), one that
   * matches only a code, an exception type or a signal, or one declared deliberately broad (confidence
   * override below 0.6). Messages it matches are told apart by their core message.
   */
  static boolean isGeneric(Rule rule) {
    return rule.priority() < 0 || !rule.match().hasText()
        || rule.confidence() != null && rule.confidence() < 0.6;
  }

  private static boolean coversSeveralStatuses(Rule rule) {
    int n = 0;
    for (Rule.StatusRange r : rule.match().httpStatus()) {
      n += r.to() - r.from() + 1;
    }
    return n > 1;
  }

  /** The errno a message names, by its symbolic name; null when it names none. */
  static String errno(String lower) {
    if (lower.indexOf('e') < 0) {
      return null;
    }
    if (!TextScan.containsAnyIgnoreAsciiCase(lower, "errno", "winerror")) {
      return errnoFromText(lower); // no [Errno n], errno=n or [WinError n]
    }
    Matcher m = ERRNO.matcher(lower);
    // the symbolic names are upper case in the original; the lower-case text is scanned for numbers only
    while (m.find()) {
      String num = m.group(1) != null ? m.group(1) : m.group(2);
      if (num != null) {
        String name = ERRNO_NUMBERS.get(num);
        if (name != null) {
          return name;
        }
      }
    }
    return errnoFromText(lower);
  }

  /** The errno whose strerror text the lower-case message holds; null when it holds none. */
  private static String errnoFromText(String lower) {
    for (String[] t : ERRNO_TEXTS) {
      if (lower.contains(t[0])) {
        return t[1];
      }
    }
    return null;
  }

  /** The errno a message names, also by its upper-case symbol ({@code ECONNREFUSED}). */
  static String errno(String text, String lower) {
    Matcher m = ERRNO.matcher(text);
    boolean mayNameSymbol = mayNameErrnoSymbol(text);
    while (mayNameSymbol && m.find()) {
      if (m.group(3) != null) {
        String name = ERRNO_ALIASES.getOrDefault(m.group(3), m.group(3));
        if (ERRNO_NAMES.contains(name)) {
          return name;
        }
      }
    }
    return errno(lower);
  }

  /**
   * Whether the text holds a word the symbol alternative of {@link #ERRNO} could return: an {@code E}
   * starting a run of upper-case letters and underscores that is a known name or alias. The pattern
   * only takes a whole such run (a word boundary follows it), so without one it finds nothing.
   */
  private static boolean mayNameErrnoSymbol(String text) {
    for (int i = text.indexOf('E'); i >= 0; i = text.indexOf('E', i + 1)) {
      int end = i + 1;
      while (end < text.length() && (text.charAt(end) >= 'A' && text.charAt(end) <= 'Z' || text.charAt(end) == '_')) {
        end++;
      }
      if (end - i >= 4) {
        String word = text.substring(i, end);
        if (ERRNO_NAMES.contains(word) || ERRNO_ALIASES.containsKey(word)) {
          return true;
        }
      }
    }
    return false;
  }

  private static ErrorSignature hashed(String basis) {
    return new ErrorSignature(TemplateMiner.Sha256.hex16(basis), basis);
  }
}
