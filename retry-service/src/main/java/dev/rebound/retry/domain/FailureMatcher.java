package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which failures a list of criteria selects: any one criterion matching is enough. Used twice by
 * {@link RetryConditions}: {@code retryOn} and {@code neverRetryOn}.
 *
 * @param categories   analyzer categories, upper case ({@code NETWORK})
 * @param errorTypes   exception type names: a qualified name matches exactly, a simple name
 *                     ({@code SocketTimeoutException}) matches any package; the cause chain is searched too
 * @param httpStatuses statuses and ranges ({@code 5xx}, {@code 429})
 * @param exitCodes    exit codes and ranges
 * @param sqlStates    SQLSTATE prefixes: a class ({@code 40}, {@code 08}) or a full code ({@code 40001})
 * @param messages     regular expressions searched in the message (case-insensitive)
 */
public record FailureMatcher(Set<String> categories, Set<String> errorTypes, CodeRanges httpStatuses,
    CodeRanges exitCodes, Set<String> sqlStates, List<Pattern> messages) {

  public static final FailureMatcher NONE = new FailureMatcher(Set.of(), Set.of(), CodeRanges.NONE, CodeRanges.NONE,
      Set.of(), List.of());

  static final Set<String> FIELDS = new LinkedHashSet<>(
      List.of("categories", "errorTypes", "httpStatuses", "exitCodes", "sqlStates", "messages"));

  private static final Pattern SQLSTATE_PREFIX = Pattern.compile("[0-9A-Z]{1,5}");

  public FailureMatcher {
    categories = Set.copyOf(categories.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList());
    errorTypes = Set.copyOf(errorTypes);
    sqlStates = Set.copyOf(sqlStates.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList());
    messages = List.copyOf(messages);
    for (String s : sqlStates) {
      if (!SQLSTATE_PREFIX.matcher(s).matches()) {
        throw new PolicyException("sqlStates", "must be SQLSTATE classes or codes such as 40 or 40001, was '" + s + "'");
      }
    }
  }

  public boolean isEmpty() {
    return categories.isEmpty() && errorTypes.isEmpty() && httpStatuses.isEmpty() && exitCodes.isEmpty()
        && sqlStates.isEmpty() && messages.isEmpty();
  }

  /** The first matching criterion, described for people ({@code "HTTP status 401 is in 4xx"}), or empty. */
  public Optional<String> match(FailureFacts f) {
    if (isEmpty()) {
      // most stages configure no criteria: nothing to look at
      return Optional.empty();
    }
    if (f.category() != null && categories.contains(f.category().toUpperCase(Locale.ROOT))) {
      return Optional.of("category " + f.category());
    }
    for (String type : errorTypes.isEmpty() ? List.<String>of() : f.allTypes()) {
      String simple = simpleName(type);
      for (String wanted : errorTypes) {
        if (wanted.equals(type) || (wanted.indexOf('.') < 0 && wanted.equals(simple))) {
          return Optional.of("error type " + type + (type.equals(f.errorType()) ? "" : " (in the cause chain)"));
        }
      }
    }
    CodeRanges.Range status = httpStatuses.find(f.httpStatus());
    if (status != null) {
      return Optional.of("HTTP status " + f.httpStatus() + (status.from() == status.to() ? "" : " (in " + status + ")"));
    }
    CodeRanges.Range exit = exitCodes.find(f.exitCode());
    if (exit != null) {
      return Optional.of("exit code " + f.exitCode() + (exit.from() == exit.to() ? "" : " (in " + exit + ")"));
    }
    if (f.sqlState() != null) {
      String state = f.sqlState().toUpperCase(Locale.ROOT);
      for (String prefix : sqlStates) {
        if (state.startsWith(prefix)) {
          return Optional.of("SQLSTATE " + state + (prefix.length() < 5 ? " (class " + prefix + ")" : ""));
        }
      }
    }
    if (f.message() != null) {
      for (Pattern p : messages) {
        if (p.matcher(f.message()).find()) {
          return Optional.of("message matches /" + p.pattern() + "/");
        }
      }
    }
    return Optional.empty();
  }

  static String simpleName(String type) {
    return type.substring(Math.max(type.lastIndexOf('.'), type.lastIndexOf('$')) + 1);
  }

  static Pattern pattern(String key, String regex) {
    try {
      return Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
    } catch (PatternSyntaxException e) {
      throw new PolicyException(key, "is not a valid regular expression: " + e.getDescription());
    }
  }

  /** Reads {@code {categories, errorTypes, httpStatuses, exitCodes, sqlStates, messages}}; errors name the key path. */
  static FailureMatcher fromMap(String path, Object raw) {
    ConfigMap r = ConfigMap.of(path, raw, FIELDS);
    List<Pattern> patterns = new ArrayList<>();
    List<String> regexes = r.strings("messages");
    for (int i = 0; i < regexes.size(); i++) {
      patterns.add(pattern(r.key("messages") + "[" + i + "]", regexes.get(i)));
    }
    List<String> states = r.strings("sqlStates");
    for (int i = 0; i < states.size(); i++) {
      if (!SQLSTATE_PREFIX.matcher(states.get(i).toUpperCase(Locale.ROOT)).matches()) {
        throw new PolicyException(r.key("sqlStates") + "[" + i + "]",
            "must be a SQLSTATE class or code such as 40 or 40001, was '" + states.get(i) + "'");
      }
    }
    return new FailureMatcher(new LinkedHashSet<>(r.strings("categories")), new LinkedHashSet<>(r.strings("errorTypes")),
        CodeRanges.parse(r.key("httpStatuses"), r.strings("httpStatuses")),
        CodeRanges.parse(r.key("exitCodes"), r.strings("exitCodes")), new LinkedHashSet<>(states), patterns);
  }

  /** The same shape {@link #fromMap} reads; empty criteria left out. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!categories.isEmpty()) {
      m.put("categories", categories.stream().sorted().toList());
    }
    if (!errorTypes.isEmpty()) {
      m.put("errorTypes", errorTypes.stream().sorted().toList());
    }
    if (!httpStatuses.isEmpty()) {
      m.put("httpStatuses", httpStatuses.texts());
    }
    if (!exitCodes.isEmpty()) {
      m.put("exitCodes", exitCodes.texts());
    }
    if (!sqlStates.isEmpty()) {
      m.put("sqlStates", sqlStates.stream().sorted().toList());
    }
    if (!messages.isEmpty()) {
      m.put("messages", messages.stream().map(Pattern::pattern).toList());
    }
    return m;
  }
}
