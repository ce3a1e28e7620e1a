package dev.rebound.common;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Typed reads of untrusted JSON. Every problem becomes a BAD_REQUEST naming the field, so handlers
 * never see a half-valid request.
 */
public final class JsonFields {
  private JsonFields() {
  }

  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
  /** Stages, workflow ids and task types: safe in URLs, logs and NOTIFY payloads. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");

  /**
   * Refuses a field that is not in {@code known}, naming it: a typo like "expectedVerison" must not
   * silently drop a guard.
   */
  public static void rejectUnknown(JsonObject o, Set<String> known) {
    rejectUnknown(o, known, "");
  }

  /** @param prefix put before the field's name in the answer, e.g. {@code "filter."} for a nested object */
  public static void rejectUnknown(JsonObject o, Set<String> known, String prefix) {
    for (String f : o.fieldNames()) {
      if (!known.contains(f)) {
        String name = prefix + abbreviate(f, 40);
        throw new ReboundException(ErrorCode.BAD_REQUEST, "unknown field '" + name + "' (known: " + new TreeSet<>(known)
            + ")", new JsonObject().put("field", name));
      }
    }
  }

  /** A name (stage, workflow id, task type): up to 200 of letters, digits and {@code . _ : / -}. */
  public static String name(JsonObject o, String field, boolean required) {
    String v = required ? requiredString(o, field, 200) : string(o, field, 200);
    if (v != null && !NAME.matcher(v).matches()) {
      throw ReboundException.invalidField(field, "may only contain letters, digits and . _ : / - (was '"
          + abbreviate(v, 40) + "')");
    }
    return v;
  }

  public static JsonObject requireObject(Object body) {
    if (body instanceof JsonObject o) {
      return o;
    }
    throw ReboundException.badRequest("the body must be a JSON object");
  }

  public static String string(JsonObject o, String field, int maxLength) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw ReboundException.invalidField(field, "must be a string");
    }
    if (s.length() > maxLength) {
      throw ReboundException.invalidField(field, "is longer than " + maxLength + " characters");
    }
    if (s.indexOf('\u0000') >= 0) {
      throw ReboundException.invalidField(field, "contains a NUL character");
    }
    return s;
  }

  /**
   * Refuses JSON that would not be stored as sent: a NUL character anywhere in it (text and jsonb both reject
   * U+0000), an unpaired UTF-16 surrogate ({@code "\\ud800"} is valid JSON text but no Unicode character: it would
   * be stored as {@code ?}), or a number beyond a double's range ({@code 1e400} would be stored as the string
   * {@code "Infinity"}). Returns the encoded text.
   */
  public static String storableJson(String field, Object value) {
    String problem = unstorable(value);
    if (problem != null) {
      throw ReboundException.invalidField(field, problem);
    }
    return Json.encode(value);
  }

  /** Walks keys and values (a backslash followed by "u0000" in a string is text, not NUL); null when all is storable. */
  private static String unstorable(Object v) {
    if (v instanceof String s) {
      return unstorableText(s);
    }
    if (v instanceof Double d && !Double.isFinite(d) || v instanceof Float f && !Float.isFinite(f)) {
      return "holds a number that is not finite (beyond the range of a double, like 1e400)";
    }
    if (v instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String problem = unstorableText(e.getKey());
        if (problem == null) {
          problem = unstorable(e.getValue());
        }
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    if (v instanceof JsonArray a) {
      for (Object x : a) {
        String problem = unstorable(x);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    if (v instanceof Map<?, ?> m) {
      return unstorable(new JsonObject(castMap(m)));
    }
    if (v instanceof List<?> l) {
      return unstorable(new JsonArray(new ArrayList<>(l)));
    }
    return null;
  }

  private static String unstorableText(String s) {
    if (s.indexOf('\u0000') >= 0) {
      return "contains a NUL character";
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(c)
            + "), which is not a Unicode character";
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** UTF-8 size of a text, for limits that are stated in bytes. */
  public static int utf8Bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  public static String requiredString(JsonObject o, String field, int maxLength) {
    String s = string(o, field, maxLength);
    if (s == null || s.isBlank()) {
      throw ReboundException.invalidField(field, "is required");
    }
    return s;
  }

  public static Integer integer(JsonObject o, String field, int min, int max) {
    Long l = longValue(o, field, min, max);
    return l == null ? null : l.intValue();
  }

  public static int integer(JsonObject o, String field, int def, int min, int max) {
    Integer v = integer(o, field, min, max);
    return v == null ? def : v;
  }

  public static Long longValue(JsonObject o, String field, long min, long max) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte)) {
      // doubles, and integers too large for a long (Jackson gives BigInteger), are refused, not wrapped
      throw ReboundException.invalidField(field, "must be an integer between " + min + " and " + max);
    }
    long l = ((Number) v).longValue();
    if (l < min || l > max) {
      throw ReboundException.invalidField(field, "must be between " + min + " and " + max + ", was " + l);
    }
    return l;
  }

  public static UUID uuid(JsonObject o, String field) {
    String s = string(o, field, 64);
    return s == null ? null : parseUuid(field, s);
  }

  public static UUID requiredUuid(JsonObject o, String field) {
    UUID id = uuid(o, field);
    if (id == null) {
      throw ReboundException.invalidField(field, "is required");
    }
    return id;
  }

  public static UUID parseUuid(String field, String s) {
    try {
      if (s.length() != 36) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      throw ReboundException.invalidField(field, "must be a UUID, was '" + abbreviate(s, 40) + "'");
    }
  }

  public static Instant instant(JsonObject o, String field) {
    String s = string(o, field, 64);
    if (s == null) {
      return null;
    }
    Instant t;
    try {
      t = Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw ReboundException.invalidField(field, "must be an ISO-8601 instant like 2026-01-01T00:00:00Z");
    }
    if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      throw ReboundException.invalidField(field, "must be between " + EARLIEST + " and " + LATEST);
    }
    return t;
  }

  public static JsonObject object(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject j)) {
      throw ReboundException.invalidField(field, "must be a JSON object");
    }
    return j;
  }

  public static JsonArray array(JsonObject o, String field, int maxItems) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw ReboundException.invalidField(field, "must be a JSON array");
    }
    if (a.size() > maxItems) {
      throw ReboundException.invalidField(field, "has more than " + maxItems + " items");
    }
    return a;
  }

  public static boolean bool(JsonObject o, String field, boolean def) {
    Object v = o.getValue(field);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Boolean b)) {
      throw ReboundException.invalidField(field, "must be true or false");
    }
    return b;
  }

  public static <E extends Enum<E>> E enumValue(JsonObject o, String field, Class<E> type) {
    String s = string(o, field, 64);
    if (s == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, s);
    } catch (IllegalArgumentException e) {
      throw ReboundException.invalidField(field, "must be one of " + Arrays.toString(type.getEnumConstants())
          + ", was '" + abbreviate(s, 40) + "'");
    }
  }

  public static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
