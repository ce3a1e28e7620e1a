package dev.rebound.common.runtime;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One setting, declared once: its dotted key, its default, a one-line doc, how its text is parsed
 * and checked, and whether its value is secret. Every other value may be logged.
 *
 * <p>Each service declares its keys as constants next to its config record and lists them in a
 * {@code KEYS} list ({@code LedgerConfig.KEYS}); the runtime's own keys are in {@link RuntimeKeys}.
 * Values are read with {@link Settings#get(ConfigKey)} and {@link Settings#find(ConfigKey)}, and
 * {@link Settings#requireKnown} refuses keys that no registry declares.
 *
 * <p>A value is always text when it is parsed here: the YAML file keeps scalars as written.
 *
 * @param <T> the type a value is parsed into
 */
public final class ConfigKey<T> {

  /** Names that must be declared {@link #secret}: a plain key with such a name is a mistake. */
  static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(password|passwd|secret|token|credential|api[-_.]?key|private[-_.]?key|routing[-_.]?key|webhook).*");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d[\\d_]*");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d+(\\.\\d+)?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private final String name;
  private final T defaultValue;
  private final String doc;
  private final String expected;
  private final Function<String, T> parser;
  private final Function<T, String> printer;
  private final boolean secret;
  private final List<String> standardVars;
  private final String defaultText;
  private final boolean list;
  private final boolean section;
  private final boolean items;

  private ConfigKey(String name, T defaultValue, String doc, String expected, Function<String, T> parser,
      Function<T, String> printer, boolean secret, List<String> standardVars, String defaultText, boolean list) {
    this(name, defaultValue, doc, expected, parser, printer, secret, standardVars, defaultText, list, false, false);
  }

  private ConfigKey(String name, T defaultValue, String doc, String expected, Function<String, T> parser,
      Function<T, String> printer, boolean secret, List<String> standardVars, String defaultText, boolean list,
      boolean section) {
    this(name, defaultValue, doc, expected, parser, printer, secret, standardVars, defaultText, list, section, false);
  }

  private ConfigKey(String name, T defaultValue, String doc, String expected, Function<String, T> parser,
      Function<T, String> printer, boolean secret, List<String> standardVars, String defaultText, boolean list,
      boolean section, boolean items) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a setting's key is dotted lower-case words, not '" + name + "'");
    }
    // a flag, number or duration cannot hold a secret, whatever its name (ledger.refuse-credential-payloads); a list
    // of maps is never printed (only its length), so its items say which of their fields are secret
    boolean canHoldText = !(defaultValue instanceof Boolean || defaultValue instanceof Number
        || defaultValue instanceof Duration);
    if (!secret && !items && canHoldText && SECRET_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("setting '" + name + "' looks secret: declare it with ConfigKey.secret");
    }
    this.name = name;
    this.defaultValue = defaultValue;
    this.doc = Objects.requireNonNull(doc, "doc");
    this.expected = expected;
    this.parser = parser;
    this.printer = printer;
    this.secret = secret;
    this.standardVars = List.copyOf(standardVars);
    this.defaultText = defaultText;
    this.list = list;
    this.section = section;
    this.items = items;
  }

  // ------------------------------------------------------------------ factories

  /** Free text; {@code def} may be null for "no default". */
  public static ConfigKey<String> string(String name, String def, String doc) {
    return new ConfigKey<>(name, def, doc, "text", s -> s, s -> s, false, List.of(), null, false);
  }

  /** One of the given words, lower case (any case accepted). */
  public static ConfigKey<String> oneOf(String name, String def, List<String> allowed, String doc) {
    String expected = "one of " + String.join(", ", allowed);
    return new ConfigKey<>(name, def, doc, expected, s -> {
      String word = s.toLowerCase(Locale.ROOT);
      return allowed.contains(word) ? word : null;
    }, s -> s, false, List.of(), null, false);
  }

  /** A decimal integer in {@code [min, max]}; {@code _} may group digits ({@code 1_000}). */
  public static ConfigKey<Integer> integer(String name, Integer def, int min, int max, String doc) {
    return new ConfigKey<>(name, def, doc, "an integer between " + min + " and " + max,
        s -> {
          Long v = parseLong(s, min, max);
          return v == null ? null : v.intValue();
        }, String::valueOf, false, List.of(), null, false);
  }

  /** A decimal integer in {@code [min, max]}. */
  public static ConfigKey<Long> longValue(String name, Long def, long min, long max, String doc) {
    return new ConfigKey<>(name, def, doc, "an integer between " + min + " and " + max,
        s -> parseLong(s, min, max), String::valueOf, false, List.of(), null, false);
  }

  /** A plain decimal number ({@code 2}, {@code 1.5}) in {@code [min, max]}; no exponents. */
  public static ConfigKey<Double> decimal(String name, Double def, double min, double max, String doc) {
    return new ConfigKey<>(name, def, doc, "a number between " + plain(min) + " and " + plain(max),
        s -> {
          if (!DECIMAL.matcher(s).matches()) {
            return null;
          }
          double v = Double.parseDouble(s);
          return v < min || v > max ? null : v;
        }, ConfigKey::plain, false, List.of(), null, false);
  }

  /** true/false/yes/no/1/0, any case. */
  public static ConfigKey<Boolean> bool(String name, Boolean def, String doc) {
    return new ConfigKey<>(name, def, doc, "one of true, false, yes, no, 1, 0",
        s -> switch (s.toLowerCase(Locale.ROOT)) {
          case "true", "yes", "1" -> Boolean.TRUE;
          case "false", "no", "0" -> Boolean.FALSE;
          default -> null;
        }, String::valueOf, false, List.of(), null, false);
  }

  /** Plain milliseconds ({@code 1500}) or a number with a unit: ms, s, m, h, d. */
  public static ConfigKey<Duration> duration(String name, Duration def, String doc) {
    return new ConfigKey<>(name, def, doc,
        "a non-negative duration such as 1500 (ms), 500ms, 30s, 5m, 2h or 7d",
        ConfigKey::parseDuration, ConfigKey::printDuration, false, List.of(), null, false);
  }

  /** A comma-separated string or a YAML list; blank items are dropped. */
  public static ConfigKey<List<String>> list(String name, List<String> def, String doc) {
    return new ConfigKey<>(name, def == null ? null : List.copyOf(def), doc, "a comma-separated list",
        ConfigKey::splitList, l -> String.join(",", l), false, List.of(), null, true);
  }

  /**
   * A secret (no default): never logged nor printed in an error. Besides the usual sources it can
   * come from the file named by {@code <VAR>_FILE}.
   */
  public static ConfigKey<String> secret(String name, String doc) {
    return new ConfigKey<>(name, null, doc, "text", s -> s, s -> s, true, List.of(), null, false);
  }

  /**
   * A map-valued subtree of the YAML file: every key below {@code name} ({@code retry.policies.tests.max-retries}
   * under {@code retry.policies}) belongs to it, so {@link Settings#requireKnown} accepts them, and
   * {@link Settings#get} gives them as a nested map (keys split at dots, values text or lists of text) that
   * the service validates field by field. Set in the YAML file or by overrides, not by environment
   * variables (their names cannot say where a dot was). {@code defaultText} says what applies when unset.
   */
  public static ConfigKey<Map<String, Object>> section(String name, String defaultText, String doc) {
    return new ConfigKey<>(name, null, doc, "a YAML map", s -> null, m -> String.valueOf(m), false, List.of(),
        defaultText, false, true);
  }

  /**
   * A YAML list whose items may be maps ({@code notifier.receivers: [{name: …, slack: {…}}]}): {@link Settings#find}
   * gives it as a list of text, lists and nested maps (keys as written), or empty when the file does not set it; the
   * service validates it item by item. Set in the YAML file only (an environment variable cannot hold a list of
   * maps). {@code defaultText} says what applies when unset.
   */
  public static ConfigKey<List<Object>> items(String name, String defaultText, String doc) {
    return new ConfigKey<>(name, null, doc, "a YAML list", s -> null, l -> String.valueOf(l), false, List.of(),
        defaultText, true, false, true);
  }

  // ------------------------------------------------------------------ modifiers

  /**
   * The same key, also read from these standard variables (after {@code REBOUND_*}, before the
   * YAML file): {@code PGHOST} for {@code pg.host}.
   */
  public ConfigKey<T> alsoFrom(String... vars) {
    return new ConfigKey<>(name, defaultValue, doc, expected, parser, printer, secret, List.of(vars), defaultText, list, section, items);
  }

  /** The same key with a different default (a service's own {@code http.port}). */
  public ConfigKey<T> withDefault(T def) {
    return new ConfigKey<>(name, def, doc, expected, parser, printer, secret, standardVars, defaultText, list, section, items);
  }

  /**
   * How the documentation states a default the code derives at run time ("{@code cluster.host}",
   * "false on loopback, else true"); only for keys without a fixed default.
   */
  public ConfigKey<T> derivedDefault(String text) {
    if (defaultValue != null) {
      throw new IllegalArgumentException("setting '" + name + "' has a fixed default already");
    }
    return new ConfigKey<>(name, null, doc, expected, parser, printer, secret, standardVars, text, list, section, items);
  }

  // ------------------------------------------------------------------ reading

  public String name() {
    return name;
  }

  public String doc() {
    return doc;
  }

  public boolean secret() {
    return secret;
  }

  public Optional<T> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** The environment variable: {@code REBOUND_} + the key upper-cased, {@code .} and {@code -} as {@code _}. */
  public String envVar() {
    return Settings.envVar(name);
  }

  /** Standard variables read after {@link #envVar()} ({@code PGHOST}…), in order. */
  public List<String> standardVars() {
    return standardVars;
  }

  /** The default as the documentation shows it: the value as one would write it, or how it is derived, or none. */
  public String defaultText() {
    if (defaultValue != null) {
      return printer.apply(defaultValue);
    }
    return defaultText;
  }

  /** What a value must look like, for error messages ("an integer between 1 and 10"). */
  public String expected() {
    return expected;
  }

  /** Whether this key names a map-valued subtree: see {@link #section}. */
  public boolean isSection() {
    return section;
  }

  /** Whether this key names a YAML list of maps: see {@link #items}. */
  public boolean isItems() {
    return items;
  }

  /** Whether a YAML list is a valid value. */
  boolean isList() {
    return list;
  }

  /** The value of the text, or empty when it is not a valid value of this key. */
  Optional<T> parse(String text) {
    return Optional.ofNullable(parser.apply(text));
  }

  /** The value as one would write it in the YAML file. */
  String print(T value) {
    return printer.apply(value);
  }

  @Override
  public String toString() {
    return "ConfigKey[" + name + "]";
  }

  // ------------------------------------------------------------------ parsing

  private static Long parseLong(String s, long min, long max) {
    if (!INTEGER.matcher(s).matches()) {
      return null;
    }
    try {
      long v = Long.parseLong(s.replace("_", ""));
      return v < min || v > max ? null : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    try {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> null;
      };
    } catch (ArithmeticException | NumberFormatException ex) {
      return null;
    }
  }

  /** The largest whole unit that states the duration exactly: {@code 7d}, {@code 90s}, {@code 1500ms}. */
  static String printDuration(Duration d) {
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms != 0 && ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms + "ms";
  }

  static List<String> splitList(String value) {
    List<String> items = new ArrayList<>();
    for (String part : value.split(",")) {
      String t = part.trim();
      if (!t.isEmpty()) {
        items.add(t);
      }
    }
    return List.copyOf(items);
  }

  private static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
