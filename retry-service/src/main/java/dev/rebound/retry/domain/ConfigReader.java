package dev.rebound.retry.domain;

import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one configuration map (a YAML section or a JSON object) the way the policy package does: keys
 * camelCase or kebab-case, unknown keys refused by name, every scalar accepted as a string (YAML keeps
 * scalars as strings), durations as {@code 250ms}/{@code 30s}/{@code 1m}/{@code 2h} or milliseconds.
 * Every error is a {@link PolicyException} naming the full key path.
 */
final class ConfigReader {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,15})\\s*(ms|s|m|h|d)?");

  private final String path;
  private final Map<String, Object> values = new LinkedHashMap<>();

  private ConfigReader(String path, Map<?, ?> raw, Set<String> known) {
    this.path = path == null ? "" : path;
    for (Map.Entry<?, ?> e : raw.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new PolicyException(key(String.valueOf(e.getKey())), "keys must be strings");
      }
      String field = camel(key);
      if (!known.contains(field)) {
        throw new PolicyException(key(key), "unknown field; known fields: " + String.join(", ", known));
      }
      if (values.containsKey(field)) {
        throw new PolicyException(key(key), "given twice");
      }
      if (e.getValue() == null) {
        throw new PolicyException(key(key), "must have a value");
      }
      values.put(field, e.getValue());
    }
  }

  /** @param known the accepted fields, camelCase, in the order an error lists them */
  static ConfigReader of(String path, Object raw, Set<String> known) {
    if (!(raw instanceof Map<?, ?> map)) {
      throw new PolicyException(path == null || path.isEmpty() ? "(root)" : path, "must be a map of fields ("
          + String.join(", ", known) + ")");
    }
    return new ConfigReader(path, map, known);
  }

  String key(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  boolean has(String field) {
    return values.containsKey(field);
  }

  Object raw(String field) {
    return values.get(field);
  }

  int integer(String field, int fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
      return n.intValue();
    }
    if (v instanceof String s) {
      try {
        return Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new PolicyException(key(field), "must be a whole number, was " + describe(v));
  }

  double decimal(String field, double fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      String t = s.trim();
      boolean percent = t.endsWith("%");
      try {
        double d = Double.parseDouble(percent ? t.substring(0, t.length() - 1).trim() : t);
        if (Double.isFinite(d)) {
          return percent ? d / 100.0 : d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new PolicyException(key(field), "must be a number, was " + describe(v));
  }

  boolean bool(String field, boolean fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> {
          return true;
        }
        case "false", "no", "off" -> {
          return false;
        }
        default -> {
          // reported below
        }
      }
    }
    throw new PolicyException(key(field), "must be true or false, was " + describe(v));
  }

  Duration duration(String field, Duration fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    return parseDuration(key(field), v);
  }

  String text(String field, String fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String s) {
      return s.trim();
    }
    throw new PolicyException(key(field), "must be a string, was " + describe(v));
  }

  <E extends Enum<E>> E enumValue(String field, Class<E> type, E fallback) {
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
  List<String> strings(String field) {
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

  /** A nested map, or null when absent. */
  Map<?, ?> map(String field) {
    Object v = values.get(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Map<?, ?> m) {
      return m;
    }
    throw new PolicyException(key(field), "must be a map, was " + describe(v));
  }

  static Duration parseDuration(String key, Object v) {
    if (v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() == Math.rint(n.doubleValue())) {
      return Duration.ofMillis(n.longValue());
    }
    if (v instanceof String s) {
      Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        try {
          return switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofMillis(n);
          };
        } catch (ArithmeticException e) {
          // reported below
        }
      }
    }
    throw new PolicyException(key, "must be a duration such as 250ms, 30s, 1m, 2h or plain milliseconds, was "
        + describe(v));
  }

  static String describe(Object value) {
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

  static String camel(String key) {
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

  /** Checks shared by the config builders: the error names the field as the builder calls it. */
  static void check(boolean ok, String field, String problem) {
    if (!ok) {
      throw new PolicyException(field, problem);
    }
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms != 0 && ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms != 0 && ms % 1000L == 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }
}
