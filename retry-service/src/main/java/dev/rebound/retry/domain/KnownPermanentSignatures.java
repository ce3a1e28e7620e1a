package dev.rebound.retry.domain;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The degraded-mode fallback: when the analyzer gave no verdict (it timed out, had no handler, its
 * circuit was open) a failure is taken as transient unless it carries one of these well-known permanent
 * signatures. Deliberately small and conservative: retrying a permanent failure a few times costs little,
 * dead-lettering a transient one costs a person's time.
 */
public final class KnownPermanentSignatures {

  /** Client errors that a retry cannot fix: bad request, unauthorized, forbidden, not found, gone, unprocessable. */
  public static final CodeRanges HTTP_STATUSES = CodeRanges.of(400, 401, 403, 404, 405, 410, 422);
  /** Shell conventions: misuse of a builtin / usage error, not executable, command not found. */
  public static final CodeRanges EXIT_CODES = CodeRanges.of(2, 126, 127);
  /** Data exception, integrity violation, invalid authorization, syntax error or access rule violation. */
  public static final Set<String> SQLSTATE_CLASSES = Set.of("22", "23", "28", "42");
  /** Simple names of exception types that mean bad input or bad code, in Java and Python. */
  public static final Set<String> ERROR_TYPES = Set.of("IllegalArgumentException", "NumberFormatException",
      "ClassCastException", "ClassNotFoundException", "NoClassDefFoundError", "NoSuchMethodError",
      "NoSuchFieldError", "UnsupportedOperationException", "FileNotFoundException", "NoSuchFileException",
      "AccessDeniedException", "SecurityException", "AuthenticationException", "SyntaxError", "TypeError",
      "ValueError", "KeyError", "PermissionError", "ModuleNotFoundError", "ImportError", "FileNotFoundError");
  /** Message patterns (case-insensitive): authentication, permission, invalid argument, not found, syntax. */
  public static final List<Pattern> MESSAGES = List.of(
      Pattern.compile("\\b(bad|invalid) credentials\\b", Pattern.CASE_INSENSITIVE),
      Pattern.compile("\\bauthentication (failed|required)\\b", Pattern.CASE_INSENSITIVE),
      Pattern.compile("\\bunauthori[sz]ed\\b", Pattern.CASE_INSENSITIVE),
      Pattern.compile("\\b(permission|access) denied\\b", Pattern.CASE_INSENSITIVE),
      Pattern.compile("\\bforbidden\\b", Pattern.CASE_INSENSITIVE),
      Pattern.compile("\\b(invalid|illegal) argument\\b", Pattern.CASE_INSENSITIVE),
      // "host not found" is often a DNS hiccup: left to be retried
      Pattern.compile("(?<!host )\\bnot found\\b|\\bno such (file|directory|table|column)\\b", Pattern.CASE_INSENSITIVE),
      Pattern.compile("\\bsyntax ?error\\b", Pattern.CASE_INSENSITIVE));

  private static final FailureMatcher MATCHER = new FailureMatcher(Set.of(), ERROR_TYPES, HTTP_STATUSES, EXIT_CODES,
      SQLSTATE_CLASSES, MESSAGES);

  private KnownPermanentSignatures() {
  }

  /** The permanent signature the failure carries, described ({@code "HTTP status 401"}), or empty. */
  public static Optional<String> match(FailureFacts facts) {
    return MATCHER.match(facts);
  }
}
