package dev.rebound.analyzer.domain;

import dev.rebound.common.classification.Category;
import dev.rebound.common.classification.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The rules the {@link Classifier} matches, loaded from YAML: the built-in catalog
 * ({@code rules/builtin-rules.yaml} on the class path) and optionally a user file that adds rules,
 * replaces built-in ones (same id) or switches them off ({@code enabled: false}).
 *
 * <p>Loading never fails because of one bad rule: each broken rule is skipped and reported as a
 * {@link RuleProblem} with its id and the reason, so the service starts with the rest.
 *
 * <pre>{@code
 * rules:
 *   - id: pg-serialization-failure
 *     match: { sqlState: ["40001"] }          # also: regex, contains, exception, httpStatus, exitCode, signal
 *     category: EXTERNAL_DEPENDENCY
 *     transient: true
 *     severity: warning
 *     rootCause: A concurrent transaction changed the rows this one read.
 *     recommendations: [Retry the whole transaction.]
 *     retryAfter: false                         # optional; read a Retry-After style hint from the message
 *     keywords: [serialize]                     # optional prefilter literals
 *     priority: 0                               # optional tie-breaker
 *     confidence: 0.6                           # optional, for deliberately broad rules
 *     enabled: true                             # optional
 * }</pre>
 *
 * <p>An {@code exception} value with {@code *} names a family of types by their simple name, compared without
 * regard to case: {@code '*TimeoutException'}, {@code '*NotFound*'}. Rules whose id starts with {@code general-}
 * are general signals (see the end of the built-in catalog): they decide only when no specific rule does.
 */
public final class RuleCatalog {

  public static final String BUILTIN_RESOURCE = "rules/builtin-rules.yaml";

  private static final Set<String> RULE_KEYS = Set.of("id", "match", "keywords", "category", "transient", "severity",
      "rootCause", "recommendations", "retryAfter", "priority", "confidence", "enabled", "description");
  private static final Set<String> MATCH_KEYS = Set.of("regex", "contains", "exception", "httpStatus", "exitCode",
      "signal", "sqlState");

  private final List<Rule> rules;
  private final List<RuleProblem> problems;

  private RuleCatalog(List<Rule> rules, List<RuleProblem> problems) {
    this.rules = List.copyOf(rules);
    this.problems = List.copyOf(problems);
  }

  /** The enabled rules, built-in order first, then user additions. */
  public List<Rule> rules() {
    return rules;
  }

  /** Rules that were skipped, with the reason. Empty when everything loaded. */
  public List<RuleProblem> problems() {
    return problems;
  }

  /** A catalog of exactly these rules (for tests and benchmarks). */
  public static RuleCatalog of(List<Rule> rules) {
    return new RuleCatalog(rules, List.of());
  }

  /** The built-in catalog. */
  public static RuleCatalog builtin() {
    return load(List.of(builtinSource()));
  }

  /** The built-in catalog extended and overridden by the user's YAML file. */
  public static RuleCatalog builtinAnd(Path userFile) {
    String text;
    try {
      text = Files.readString(userFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      RuleCatalog base = builtin();
      List<RuleProblem> problems = new ArrayList<>(base.problems);
      problems.add(new RuleProblem(userFile.toString(), "-", "cannot read the file: " + e.getMessage()));
      return new RuleCatalog(base.rules, problems);
    }
    return load(List.of(builtinSource(), new Source(userFile.toString(), text)));
  }

  /** YAML text and a name to report problems against. */
  public record Source(String name, String yaml) {
  }

  /** The built-in catalog as a {@link Source}. */
  public static Source builtinSource() {
    try (InputStream in = RuleCatalog.class.getClassLoader().getResourceAsStream(BUILTIN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(BUILTIN_RESOURCE + " is missing from the class path");
      }
      return new Source(BUILTIN_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + BUILTIN_RESOURCE, e);
    }
  }

  /**
   * Loads the sources in order. Within one source ids must be unique (a duplicate is reported and
   * skipped); a later source replaces rules of earlier ones by id, and {@code enabled: false} removes them.
   */
  public static RuleCatalog load(List<Source> sources) {
    Map<String, Rule> byId = new LinkedHashMap<>();
    List<RuleProblem> problems = new ArrayList<>();
    for (Source source : sources) {
      List<Map<String, Object>> entries = entries(source, problems);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < entries.size(); i++) {
        Map<String, Object> entry = entries.get(i);
        Object rawId = entry.get("id");
        String id = rawId instanceof String s && !s.isBlank() ? s : "#" + (i + 1);
        if (!(rawId instanceof String) || ((String) rawId).isBlank()) {
          problems.add(new RuleProblem(source.name(), id, "missing id"));
          continue;
        }
        if (!seen.add(id)) {
          problems.add(new RuleProblem(source.name(), id, "duplicate id in the same file; the first one is kept"));
          continue;
        }
        try {
          if (Boolean.FALSE.equals(entry.get("enabled"))) {
            byId.remove(id);
            continue;
          }
          Rule rule = parseRule(entry);
          byId.put(id, rule); // an override keeps the position of the rule it replaces
        } catch (RuntimeException e) {
          problems.add(new RuleProblem(source.name(), id, e.getMessage()));
        }
      }
    }
    return new RuleCatalog(new ArrayList<>(byId.values()), problems);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> entries(Source source, List<RuleProblem> problems) {
    Object root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      root = new Yaml(new SafeConstructor(options)).load(source.yaml());
    } catch (RuntimeException e) {
      problems.add(new RuleProblem(source.name(), "-", "not valid YAML: " + firstLine(e.getMessage())));
      return List.of();
    }
    if (root == null) {
      return List.of();
    }
    if (!(root instanceof Map<?, ?> map) || !(map.get("rules") instanceof List<?> list)) {
      problems.add(new RuleProblem(source.name(), "-", "expected a top-level 'rules:' list"));
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof Map<?, ?> m) {
        out.add((Map<String, Object>) m);
      } else {
        problems.add(new RuleProblem(source.name(), "#" + (i + 1), "a rule must be a mapping"));
        out.add(Map.of());
      }
    }
    return out;
  }

  private static Rule parseRule(Map<String, Object> e) {
    for (String key : e.keySet()) {
      if (!RULE_KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown key '" + key + "'");
      }
    }
    if (!(e.get("match") instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("'match' is required and must be a mapping");
    }
    for (Object key : m.keySet()) {
      if (!MATCH_KEYS.contains(String.valueOf(key))) {
        throw new IllegalArgumentException("unknown matcher '" + key + "' (expected one of " + MATCH_KEYS + ")");
      }
    }
    List<Rule.StatusRange> statuses = new ArrayList<>();
    for (Object s : list(m.get("httpStatus"), "httpStatus")) {
      statuses.add(statusRange(s));
    }
    List<Integer> exitCodes = new ArrayList<>();
    for (Object c : list(m.get("exitCode"), "exitCode")) {
      exitCodes.add(integer(c, "exitCode"));
    }
    Rule.Matchers matchers = new Rule.Matchers(strings(m.get("regex"), "regex"), strings(m.get("contains"), "contains"),
        strings(m.get("exception"), "exception"), statuses, exitCodes, strings(m.get("signal"), "signal"),
        strings(m.get("sqlState"), "sqlState").stream().map(s -> s.toUpperCase(Locale.ROOT).replace("*", "")).toList());
    Object transientFlag = e.get("transient");
    if (!(transientFlag instanceof Boolean)) {
      throw new IllegalArgumentException("'transient' is required and must be true or false");
    }
    Object category = e.get("category");
    if (category == null) {
      throw new IllegalArgumentException("'category' is required");
    }
    Category cat;
    try {
      cat = Category.valueOf(String.valueOf(category).trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("unknown category '" + category + "'");
    }
    Object severity = e.getOrDefault("severity", "error");
    Object confidence = e.get("confidence");
    return new Rule((String) e.get("id"), matchers, strings(e.get("keywords"), "keywords"), cat, (Boolean) transientFlag,
        Severity.parse(String.valueOf(severity)), text(e.get("rootCause"), "rootCause"),
        strings(e.get("recommendations"), "recommendations"), bool(e.get("retryAfter"), "retryAfter"),
        e.get("priority") == null ? 0 : integer(e.get("priority"), "priority"),
        confidence == null ? null : number(confidence, "confidence"));
  }

  private static Rule.StatusRange statusRange(Object s) {
    if (s instanceof Integer i) {
      return new Rule.StatusRange(i, i);
    }
    String t = String.valueOf(s).trim();
    try {
      if (t.matches("\\d{3}-\\d{3}")) {
        return new Rule.StatusRange(Integer.parseInt(t.substring(0, 3)), Integer.parseInt(t.substring(4)));
      }
      if (t.matches("\\d[xX]{2}")) {
        int c = (t.charAt(0) - '0') * 100;
        return new Rule.StatusRange(c, c + 99);
      }
      if (t.matches("\\d{3}")) {
        int v = Integer.parseInt(t);
        return new Rule.StatusRange(v, v);
      }
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("bad httpStatus '" + t + "': " + ex.getMessage());
    }
    throw new IllegalArgumentException("bad httpStatus '" + t + "' (expected 503, \"500-599\" or \"5xx\")");
  }

  private static List<?> list(Object v, String key) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return l;
    }
    if (v instanceof Map<?, ?>) {
      throw new IllegalArgumentException("'" + key + "' must be a value or a list");
    }
    return List.of(v);
  }

  private static List<String> strings(Object v, String key) {
    List<String> out = new ArrayList<>();
    for (Object o : list(v, key)) {
      if (o == null || o instanceof Map<?, ?> || o instanceof List<?>) {
        throw new IllegalArgumentException("'" + key + "' must hold plain values");
      }
      out.add(String.valueOf(o));
    }
    return out;
  }

  private static String text(Object v, String key) {
    if (v == null) {
      throw new IllegalArgumentException("'" + key + "' is required");
    }
    return String.valueOf(v).strip();
  }

  private static int integer(Object v, String key) {
    if (v instanceof Integer i) {
      return i;
    }
    try {
      return Integer.parseInt(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + key + "' must be an integer, was '" + v + "'");
    }
  }

  private static double number(Object v, String key) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException("'" + key + "' must be a number, was '" + v + "'");
  }

  private static boolean bool(Object v, String key) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException("'" + key + "' must be true or false, was '" + v + "'");
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl > 0 ? s.substring(0, nl) : s;
  }
}
