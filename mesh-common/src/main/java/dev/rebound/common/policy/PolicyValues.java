package dev.rebound.common.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the scalar values of a policy. YAML hands every scalar over as the string it was
 * written as, JSON as a number or string: both are accepted. Durations have millisecond precision.
 */
final class PolicyValues {

  /** No single duration of a policy may exceed a year: anything longer is a typo. */
  static final Duration MAX_DURATION = Duration.ofDays(365);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,15})\\s*(ms|s|m|h|d)?");
  private static final String DURATION_FORMS = "a duration such as 250ms, 30s, 1m, 2h, 1d or plain milliseconds";

  private PolicyValues() {
  }

  static Duration duration(String field, Object value) {
    if (value instanceof Number n) {
      if (!isWhole(n) || n.longValue() < 0) {
        throw new PolicyException(field, "must be " + DURATION_FORMS + ", was " + n);
      }
      return Duration.ofMillis(n.longValue());
    }
    if (value instanceof String s) {
      Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        try {
          return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofMillis(n);
          };
        } catch (ArithmeticException e) {
          // falls through to the error below
        }
      }
      throw new PolicyException(field, "must be " + DURATION_FORMS + ", was '" + s + "'");
    }
    throw new PolicyException(field, "must be " + DURATION_FORMS + ", was " + describe(value));
  }

  static List<Duration> durations(String field, Object value) {
    List<?> items;
    if (value instanceof JsonArray array) {
      items = array.getList();
    } else if (value instanceof List<?> list) {
      items = list;
    } else if (value instanceof String s) {
      List<String> parts = new ArrayList<>();
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          parts.add(part.trim());
        }
      }
      items = parts;
    } else {
      throw new PolicyException(field, "must be a list of durations (or a comma-separated string), was "
          + describe(value));
    }
    List<Duration> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(duration(field + "[" + i + "]", items.get(i)));
    }
    return out;
  }

  static double decimal(String field, Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      try {
        double d = Double.parseDouble(s.trim());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new PolicyException(field, "must be a number, was '" + s + "'");
    }
    throw new PolicyException(field, "must be a number, was " + describe(value));
  }

  static int integer(String field, Object value) {
    if (value instanceof Number n && isWhole(n) && n.longValue() == n.intValue()) {
      return n.intValue();
    }
    if (value instanceof String s) {
      try {
        return Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        throw new PolicyException(field, "must be a whole number, was '" + s + "'");
      }
    }
    throw new PolicyException(field, "must be a whole number, was " + describe(value));
  }

  static boolean bool(String field, Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s) {
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
      throw new PolicyException(field, "must be true or false, was '" + s + "'");
    }
    throw new PolicyException(field, "must be true or false, was " + describe(value));
  }

  static String text(String field, Object value) {
    if (value instanceof String s) {
      return s.trim();
    }
    throw new PolicyException(field, "must be a string, was " + describe(value));
  }

  /** The shortest exact form: {@code 2m}, {@code 30s}, {@code 1500ms}. */
  static String format(Duration d) {
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

  /** Multiplies a duration, rounding to whole milliseconds; a positive duration stays at least 1 ms. */
  static Duration scale(Duration d, double timeScale) {
    if (d == null || d.isZero()) {
      return d;
    }
    double ms = Math.rint(d.toMillis() * timeScale);
    long scaled = ms >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) ms;
    return Duration.ofMillis(Math.max(1, scaled));
  }

  /** Drops sub-millisecond parts: a policy's durations are whole milliseconds. */
  static Duration millis(Duration d) {
    return d == null ? null : Duration.ofMillis(d.toMillis());
  }

  static void checkDuration(String field, Duration d, boolean zeroAllowed) {
    if (d == null) {
      throw new PolicyException(field, "is required");
    }
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new PolicyException(field, "must be " + (zeroAllowed ? "zero or more" : "positive") + ", was "
          + format(d));
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new PolicyException(field, "must be at most " + format(MAX_DURATION) + ", was " + format(d));
    }
  }

  private static boolean isWhole(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9e15;
    }
    return true;
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map<?, ?> || value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof List<?> || value instanceof JsonArray) {
      return "a list";
    }
    return "'" + value + "'";
  }
}
