package dev.rebound.common;

import dev.rebound.common.text.TextBuffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Appends a {@link JsonObject} as JSON text to a {@link TextBuffer}, character for character what
 * {@link JsonObject#encode()} writes (same field order, Jackson's escapes, {@link Double#toString}
 * numbers), without a generator, a writer and an intermediate string per object. For the hot output
 * paths (one verdict line per input line); values other than strings, numbers, booleans, null, maps
 * and lists fall back to {@link Json#encode(Object)}.
 */
public final class JsonText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private JsonText() {
  }

  public static TextBuffer append(TextBuffer sb, JsonObject o) {
    appendMap(sb, o.getMap());
    return sb;
  }

  private static void appendMap(TextBuffer sb, Map<String, Object> map) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, Object> e : map.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      appendString(sb, e.getKey());
      sb.append(':');
      appendValue(sb, e.getValue());
    }
    sb.append('}');
  }

  @SuppressWarnings("unchecked")
  private static void appendValue(TextBuffer sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      appendString(sb, s);
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      sb.append(Long.toString(((Number) v).longValue()));
    } else if (v instanceof Double d && Double.isFinite(d)) {
      sb.append(Double.toString(d));
    } else if (v instanceof JsonObject jo) {
      appendMap(sb, jo.getMap());
    } else if (v instanceof JsonArray ja) {
      appendList(sb, ja.getList());
    } else if (v instanceof Map<?, ?> m && m.keySet().stream().allMatch(k -> k instanceof String)) {
      appendMap(sb, (Map<String, Object>) m);
    } else if (v instanceof List<?> l) {
      appendList(sb, l);
    } else {
      sb.append(Json.encode(v));
    }
  }

  private static void appendList(TextBuffer sb, List<?> list) {
    sb.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      appendValue(sb, list.get(i));
    }
    sb.append(']');
  }

  /** A JSON string as Jackson writes it: quote, backslash and control characters escaped, the rest as is. */
  public static void appendString(TextBuffer sb, String s) {
    sb.append('"');
    // copy in bulk, then look for what needs escaping in the array (rare): cheaper than charAt per character
    int at = sb.length();
    int n = s.length();
    sb.append(s, 0, n);
    for (int i = at, end = at + n; i < end; i++) {
      char c = sb.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        sb.setLength(i);
        appendEscaped(sb, s, i - at);
        break;
      }
    }
    sb.append('"');
  }

  private static void appendEscaped(TextBuffer sb, String s, int from) {
    int start = from;
    for (int i = from, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      sb.append(s, start, i);
      start = i + 1;
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    sb.append(s, start, s.length());
  }
}
