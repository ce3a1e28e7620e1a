package dev.rebound.notifier.domain;

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
 * kebab-case, snake_case or camelCase, unknown keys refused by name, every scalar accepted as a string
 * (YAML keeps scalars as strings). Durations are Alertmanager's ({@code 1h30m}, {@code 30s},
 * {@code 250ms}, {@code 1d}, {@code 1w}) or plain milliseconds. Every error is a {@link PolicyException}
 * naming the full key path, e.g. {@code notifier.route.routes[0].matchers[1]}.
 */
final class ConfigReader {

  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,15})(ms|s|m|h|d|w|y)");

  private final String path;
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, String> spelled = new LinkedHashMap<>();

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
      spelled.put(field, key);
      if (e.getValue() != null) {
        values.put(field, e.getValue());
      }
    }
  }

  /** @param known the accepted fields, camelCase, in the order an error lists them */
  static ConfigReader of(String path, Object raw, Set<String> known) {
    if (!(raw instanceof Map<?, ?> map)) {
      throw new PolicyException(path == null || path.isEmpty() ? "(root)" : path,
          "must be a map of fields (" + String.join(", ", known) + "), was " + describe(raw));
    }
    return new ConfigReader(path, map, known);
  }

  /** The key path of {@code field}, spelled as the configuration spelled it (kebab-case when it is absent). */
  String key(String field) {
    String name = spelled.getOrDefault(field, kebab(field));
    return path.isEmpty() ? name : path + "." + name;
  }

  static String kebab(String camelOrKebab) {
    return camelOrKebab.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
  }

  String path() {
    return path;
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
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
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
      try {
        double d = Double.parseDouble(s.trim());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new PolicyException(key(field), "must be a number, was " + describe(v));
  }

  double decay(String field) {
    return decimal(field, 1.0);
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
    return v == null ? fallback : parseDuration(key(field), v);
  }

  String text(String field, String fallback) {
    Object v = values.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v).trim();
    }
    throw new PolicyException(key(field), "must be a string, was " + describe(v));
  }

  String requiredText(String field) {
    String s = text(field, null);
    if (s == null || s.isEmpty()) {
      throw new PolicyException(key(field), "is required");
    }
    return s;
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

  /** A list of anything (maps, usually); empty when absent. */
  List<?> list(String field) {
    Object v = values.get(field);
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return l;
    }
    throw new PolicyException(key(field), "must be a list, was " + describe(v));
  }

  /**
   * Alertmanager's duration form: one or more of {@code <n>y|w|d|h|m|s|ms} in that order
   * ({@code 1h30m}), {@code 0}, or a whole number of milliseconds.
   */
  static Duration parseDuration(String key, Object v) {
    if (v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() == Math.rint(n.doubleValue())) {
      return Duration.ofMillis(n.longValue());
    }
    if (v instanceof String s) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      if (t.matches("\\d{1,15}")) {
        return Duration.ofMillis(Long.parseLong(t));
      }
      Matcher m = DURATION_PART.matcher(t);
      Duration total = Duration.ZERO;
      int end = 0;
      try {
        while (m.lookingAt()) {
          long n = Long.parseLong(m.group(1));
          total = total.plus(switch (m.group(2)) {
            case "y" -> Duration.ofDays(365 * n);
            case "w" -> Duration.ofDays(7 * n);
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMillis(n);
          });
          end = m.end();
          m.region(end, t.length());
        }
      } catch (ArithmeticException e) {
        end = -1;
      }
      if (end == t.length() && end > 0) {
        return total;
      }
    }
    throw new PolicyException(key, "must be a duration such as 250ms, 30s, 5m, 1h30m, 4h, 1d or plain milliseconds, was "
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

  static void check(boolean ok, String field, String problem) {
    if (!ok) {
      throw new PolicyException(field, problem);
    }
  }
}
