package dev.rebound.common.policy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration map (a YAML section or a JSON object) of known fields, read the same way everywhere:
 * keys camelCase, kebab-case or snake_case; unknown keys and a field given twice refused by name; every
 * scalar accepted as the string YAML hands over ({@code "3"}, {@code "2.5"}, {@code "true"}); durations
 * as {@code 250ms}, {@code 30s}, {@code 30 s}, {@code 1h30m}, {@code 1d}, {@code 1w}, {@code 1y} or whole
 * milliseconds. Every error is a {@link PolicyException} naming the full key path as the configuration
 * spelled it, e.g. {@code notifier.route.routes[0].group_wait}.
 *
 * <p>Fields are named camelCase by the caller; a value read with a fallback is the fallback when absent.
 */
public final class ConfigMap {

  /** What a key written without a value ({@code key:} in YAML, {@code null} in JSON) means. */
  public enum Nulls {
    /** Refused: "must have a value". */
    REFUSED,
    /** The field counts as absent, so it takes its fallback (Alertmanager's reading). */
    ABSENT
  }

  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,15})\\s*(ms|y|w|d|h|m|s)\\s*");
  /** Units of a compound duration, largest first: each may appear once, in this order. */
  private static final List<String> UNITS = List.of("y", "w", "d", "h", "m", "s", "ms");
  private static final String DURATION_FORMS =
      "a duration such as 250ms, 30s, 1m, 1h30m, 2h, 1d or plain milliseconds";

  private final String path;
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, String> spelled = new LinkedHashMap<>();

  private ConfigMap(String path, Map<?, ?> raw, Collection<String> known, Nulls nulls) {
    this.path = path;
    for (Map.Entry<?, ?> e : raw.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new PolicyException(join(path, String.valueOf(e.getKey())), "keys must be strings");
      }
      String field = camel(key);
      if (!known.contains(field)) {
        throw new PolicyException(join(path, key), "unknown field; known fields: " + String.join(", ", known));
      }
      if (spelled.containsKey(field)) {
        throw new PolicyException(join(path, key), "given twice (as " + spelled.get(field) + " and " + key + ")");
      }
      if (e.getValue() == null && nulls == Nulls.REFUSED) {
        throw new PolicyException(join(path, key), "must have a value");
      }
      spelled.put(field, key);
      if (e.getValue() != null) {
        values.put(field, e.getValue());
      }
    }
  }

  /** Reads {@code raw}, refusing a key without a value. */
  public static ConfigMap of(String path, Object raw, Collection<String> known) {
    return of(path, raw, known, Nulls.REFUSED);
  }

  /**
   * @param path  where the map came from, prefixed to every key named in an error; empty for the root
   * @param known the accepted fields, camelCase, in the order an error lists them
   */
  public static ConfigMap of(String path, Object raw, Collection<String> known, Nulls nulls) {
    String p = path == null ? "" : path;
    if (!(raw instanceof Map<?, ?> map)) {
      throw new PolicyException(p.isEmpty() ? "(root)" : p,
          "must be a map of fields (" + String.join(", ", known) + "), was " + describe(raw));
    }
    return new ConfigMap(p, map, known, nulls);
  }

  /** The map's own key path (empty for the root). */
  public String path() {
    return path;
  }

  /**
   * The key path of {@code field} (named in any spelling), spelled as the configuration spelled it
   * (kebab-case when it is absent).
   */
  public String key(String field) {
    String name = camel(field);
    return join(path, spelled.getOrDefault(name, kebab(name)));
  }

  /** Whether the field has a value. */
  public boolean has(String field) {
    return values.containsKey(field);
  }

  /** The value as given, or null when absent. */
  public Object raw(String field) {
    return values.get(field);
  }

  public int integer(String field, int fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    Long whole = v instanceof String s ? parseLong(s.trim()) : v instanceof Number n ? wholeNumber(n) : null;
    if (whole != null && whole == whole.intValue()) {
      return whole.intValue();
    }
    throw new PolicyException(key(field), "must be a whole number, was " + describe(v));
  }

  /** A finite number: {@code 2.5}, {@code "2.5"}. */
  public double decimal(String field, double fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    Double d = v instanceof String s ? parseDouble(s.trim()) : v instanceof Number n ? n.doubleValue() : null;
    if (d != null && Double.isFinite(d)) {
      return d;
    }
    throw new PolicyException(key(field), "must be a number, was " + describe(v));
  }

  /** A fraction, written as a number ({@code 0.5}) or a percentage ({@code 50%}); the range is the caller's. */
  public double ratio(String field, double fallback) {
    Object v = values.get(field);
    if (v instanceof String s && s.trim().endsWith("%")) {
      String t = s.trim();
      Double d = parseDouble(t.substring(0, t.length() - 1).trim());
      if (d == null || !Double.isFinite(d)) {
        throw new PolicyException(key(field), "must be a number or a percentage, was " + describe(v));
      }
      return d / 100.0;
    }
    return decimal(field, fallback);
  }

  /** {@code true/yes/on/1} or {@code false/no/off/0}, any case. */
  public boolean bool(String field, boolean fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1" -> {
          return true;
        }
        case "false", "no", "off", "0" -> {
          return false;
        }
        default -> {
          // reported below
        }
      }
    }
    throw new PolicyException(key(field), "must be true or false, was " + describe(v));
  }

  public Duration duration(String field, Duration fallback) {
    Object v = values.get(field);
    return v == null ? fallback : parseDuration(key(field), v);
  }

  /** A list of durations, or a comma-separated string of them; {@code fallback} when absent. */
  public List<Duration> durations(String field, List<Duration> fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    List<?> items = v instanceof Collection<?> c ? new ArrayList<>(c) : strings(field);
    List<Duration> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(parseDuration(key(field) + "[" + i + "]", items.get(i)));
    }
    return out;
  }

  /** A scalar as text, trimmed (a number or boolean as YAML or JSON wrote it). */
  public String text(String field, String fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v).trim();
    }
    throw new PolicyException(key(field), "must be a string, was " + describe(v));
  }

  /** Non-empty text. */
  public String requiredText(String field) {
    String s = text(field, null);
    if (s == null || s.isEmpty()) {
      throw new PolicyException(key(field), "is required");
    }
    return s;
  }

  /** One of {@code type}'s constants, written in any case with {@code -} or {@code _} between words. */
  public <E extends Enum<E>> E enumValue(String field, Class<E> type, E fallback) {
    String s = text(field, null);
    if (s == null) {
      return fallback;
    }
    String wanted = s.replace('-', '_').toUpperCase(Locale.ROOT);
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(wanted)) {
        return e;
      }
      names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw new PolicyException(key(field), "must be one of " + String.join(", ", names) + ", was '" + s + "'");
  }

  /** A list, or a comma-separated string; each item a scalar. Empty when absent. */
  public List<String> strings(String field) {
    Object v = values.get(field);
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (v instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        if (item == null || item instanceof Map<?, ?> || item instanceof Collection<?>) {
          throw new PolicyException(key(field) + "[" + i + "]", "must be a single value, was " + describe(item));
        }
        out.add(String.valueOf(item).trim());
        i++;
      }
    } else if (v instanceof String || v instanceof Number) {
      for (String part : String.valueOf(v).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    } else {
      throw new PolicyException(key(field), "must be a list (or a comma-separated string), was " + describe(v));
    }
    return out;
  }

  /** A list of anything (maps, usually); empty when absent. */
  public List<?> list(String field) {
    Object v = values.get(field);
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return l;
    }
    throw new PolicyException(key(field), "must be a list, was " + describe(v));
  }

  /** A nested map, or null when absent. */
  public Map<?, ?> map(String field) {
    Object v = values.get(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Map<?, ?> m) {
      return m;
    }
    throw new PolicyException(key(field), "must be a map, was " + describe(v));
  }

  /**
   * A duration: whole milliseconds (a number or digits), or one or more {@code <n><unit>} parts with
   * units {@code y w d h m s ms} largest first, each at most once ({@code 1h30m}, {@code 30 s}).
   *
   * @param key the key path an error names
   */
  public static Duration parseDuration(String key, Object value) {
    if (value instanceof Number n) {
      Long ms = wholeNumber(n);
      if (ms != null && ms >= 0) {
        return Duration.ofMillis(ms);
      }
    } else if (value instanceof String s) {
      Duration d = parseDurationText(s.trim().toLowerCase(Locale.ROOT));
      if (d != null) {
        return d;
      }
    }
    throw new PolicyException(key, "must be " + DURATION_FORMS + ", was " + describe(value));
  }

  private static Duration parseDurationText(String t) {
    if (t.matches("\\d{1,15}")) {
      return Duration.ofMillis(Long.parseLong(t));
    }
    Matcher m = DURATION_PART.matcher(t);
    Duration total = Duration.ZERO;
    int lastUnit = -1;
    int end = 0;
    try {
      while (end < t.length() && m.region(end, t.length()).lookingAt()) {
        int unit = UNITS.indexOf(m.group(2));
        if (unit <= lastUnit) {
          return null;
        }
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "y" -> Duration.ofDays(Math.multiplyExact(365, n));
          case "w" -> Duration.ofDays(Math.multiplyExact(7, n));
          case "d" -> Duration.ofDays(n);
          case "h" -> Duration.ofHours(n);
          case "m" -> Duration.ofMinutes(n);
          case "s" -> Duration.ofSeconds(n);
          default -> Duration.ofMillis(n);
        });
        lastUnit = unit;
        end = m.end();
      }
    } catch (ArithmeticException e) {
      return null;
    }
    return end == t.length() && lastUnit >= 0 ? total : null;
  }

  /** The shortest exact single-unit form, as {@link #parseDuration} reads it: {@code 2m}, {@code 1d}, {@code 1500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0ms";
    }
    if (ms % 86_400_000L == 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000L == 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }

  /** A value as an error message quotes it. */
  public static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map<?, ?>) {
      return "a map";
    }
    if (value instanceof Collection<?>) {
      return "a list";
    }
    return "'" + value + "'";
  }

  /** {@code max-retries}, {@code max_retries} and {@code maxRetries} are all {@code maxRetries}. */
  public static String camel(String key) {
    StringBuilder sb = new StringBuilder(key.length());
    boolean upper = false;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '-' || c == '_') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  /** {@code maxRetries} → {@code max-retries}. */
  public static String kebab(String field) {
    StringBuilder sb = new StringBuilder(field.length() + 4);
    for (char c : field.toCharArray()) {
      if (Character.isUpperCase(c)) {
        sb.append('-').append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** A number's exact whole value, or null when it has a fraction or does not fit a long. */
  private static Long wholeNumber(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    try {
      BigDecimal d = n instanceof BigDecimal b ? b : n instanceof BigInteger i ? new BigDecimal(i)
          : new BigDecimal(n.doubleValue());
      return d.longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      return null;
    }
  }

  private static Long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double parseDouble(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
