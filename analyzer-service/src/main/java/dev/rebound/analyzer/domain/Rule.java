package dev.rebound.analyzer.domain;

import dev.rebound.common.classification.Category;
import dev.rebound.common.classification.Severity;
import dev.rebound.common.text.AsciiLower;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of the {@link RuleCatalog}: what a failure looks like and what it means.
 *
 * <p>A rule matches when <em>every</em> kind of matcher it declares matches (for example a regex
 * <em>and</em> an HTTP status), and a kind matches when <em>any</em> of its values does.
 *
 * @param id               unique id, lower case, e.g. {@code k8s-oomkilled}; a user rule with the same id replaces a built-in
 * @param match            the matchers
 * @param keywords         optional literals of which every matching message contains at least one (lower case);
 *                         when empty they are derived from the regexes and literals
 * @param category         kind of failure
 * @param transientFailure true when retrying is likely to help ({@code transient:} in YAML)
 * @param severity         how loudly to escalate
 * @param rootCause        one sentence for the person on call
 * @param recommendations  actions, most useful first; at least one
 * @param retryAfter       whether to read a retry-after hint from the message
 * @param priority         breaks ties between matching rules: higher wins before specificity is compared
 * @param confidence       overrides the confidence derived from the matcher kinds (for deliberately broad rules)
 */
public record Rule(String id, Matchers match, List<String> keywords, Category category, boolean transientFailure,
                   Severity severity, String rootCause, List<String> recommendations, boolean retryAfter,
                   int priority, Double confidence) {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

  public Rule {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("id must be lower-case letters, digits, '.', '_' or '-' (max 100), was '" + id + "'");
    }
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(severity, "severity");
    if (rootCause == null || rootCause.isBlank()) {
      throw new IllegalArgumentException("rootCause is required");
    }
    recommendations = List.copyOf(recommendations == null ? List.of() : recommendations);
    if (recommendations.isEmpty()) {
      throw new IllegalArgumentException("at least one recommendation is required");
    }
    keywords = List.copyOf(keywords == null ? List.of() : keywords).stream().map(AsciiLower::of).toList();
    if (keywords.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("keywords must not be empty strings");
    }
    if (category == Category.UNKNOWN && !transientFailure) {
      throw new IllegalArgumentException("an UNKNOWN rule cannot be permanent");
    }
    if (confidence != null && !(confidence > 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence must be within (0, 1], was " + confidence);
    }
  }

  /** An inclusive range of HTTP statuses; a single status is a range of one. */
  public record StatusRange(int from, int to) {
    public StatusRange {
      if (from < 100 || to > 599 || from > to) {
        throw new IllegalArgumentException("HTTP status range must lie within 100..599, was " + from + "-" + to);
      }
    }

    boolean contains(int status) {
      return status >= from && status <= to;
    }
  }

  /**
   * The matcher kinds. Regexes are case-insensitive unless they say {@code (?-i)}.
   *
   * @param regex      message regexes (Java syntax)
   * @param contains   case-insensitive literals
   * @param exceptions exception types, simple ({@code KeyError}) or qualified ({@code java.net.ConnectException}), or
   *                   families of simple names with {@code *} ({@code *TimeoutException}, {@code *NotFound*}; case ignored)
   * @param httpStatus statuses and ranges
   * @param exitCodes  process exit codes
   * @param signals    signals, normalized to {@code SIGKILL} style
   * @param sqlStates  SQLSTATE codes, or two-character classes such as {@code 08}
   */
  public record Matchers(List<String> regex, List<String> contains, List<String> exceptions, List<StatusRange> httpStatus,
                         List<Integer> exitCodes, List<String> signals, List<String> sqlStates) {
    public Matchers {
      regex = List.copyOf(regex == null ? List.of() : regex);
      contains = List.copyOf(contains == null ? List.of() : contains).stream().map(AsciiLower::of).toList();
      exceptions = List.copyOf(exceptions == null ? List.of() : exceptions);
      httpStatus = List.copyOf(httpStatus == null ? List.of() : httpStatus);
      exitCodes = List.copyOf(exitCodes == null ? List.of() : exitCodes);
      signals = List.copyOf(signals == null ? List.of() : signals).stream().map(Signals::normalize).toList();
      sqlStates = List.copyOf(sqlStates == null ? List.of() : sqlStates);
      if (regex.isEmpty() && contains.isEmpty() && exceptions.isEmpty() && httpStatus.isEmpty() && exitCodes.isEmpty()
          && signals.isEmpty() && sqlStates.isEmpty()) {
        throw new IllegalArgumentException("match needs at least one of regex, contains, exception, httpStatus, "
            + "exitCode, signal, sqlState");
      }
      for (String r : regex) {
        try {
          Pattern.compile(r, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException("bad regex '" + r + "': " + e.getDescription());
        }
      }
      for (String c : contains) {
        if (c.isEmpty()) {
          throw new IllegalArgumentException("contains must not hold empty strings");
        }
      }
      for (String e : exceptions) {
        if (e.isBlank() || e.contains(" ")) {
          throw new IllegalArgumentException("bad exception type '" + e + "'");
        }
      }
      for (Integer code : exitCodes) {
        if (code == null || code < 0 || code > 255) {
          throw new IllegalArgumentException("exit codes must lie within 0..255, was " + code);
        }
      }
      for (String s : sqlStates) {
        if (!s.matches("[0-9A-Z]{5}|[0-9A-Z]{2}")) {
          throw new IllegalArgumentException("SQLSTATE must be 5 characters (or a 2-character class), was '" + s + "'");
        }
      }
    }

    boolean hasText() {
      return !regex.isEmpty() || !contains.isEmpty();
    }
  }
}
