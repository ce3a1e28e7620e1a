package dev.rebound.common.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTML page being written. Markup goes in through {@link #raw} (constants of the page code only);
 * every value — task payloads, error messages, labels, names, anything a service answered — goes in
 * through {@link #text}, {@link #attr} or {@link #link}, which escape it. Those values are attacker-controlled:
 * a worker writes the error messages and payloads, anyone who can post an alert writes its labels.
 */
final class Html {
  private final StringBuilder out = new StringBuilder(4096);

  /** Markup written by the page code itself; never a value. */
  Html raw(String markup) {
    out.append(markup);
    return this;
  }

  /** A value as text: {@code & < > " '} escaped; null writes nothing. */
  Html text(Object value) {
    out.append(escape(value));
    return this;
  }

  /** {@code name="value"} with the value escaped, preceded by a space. */
  Html attr(String name, Object value) {
    out.append(' ').append(name).append("=\"").append(escape(value)).append('"');
    return this;
  }

  /** {@code <a href="…">text</a>}, both escaped. */
  Html link(String href, Object text) {
    return raw("<a").attr("href", href).raw(">").text(text).raw("</a>");
  }

  /** A table cell holding a value. */
  Html cell(Object value) {
    return raw("<td>").text(value).raw("</td>");
  }

  /** A JSON value, indented, in a {@code <pre>}. */
  Html json(Object value) {
    String shown = value instanceof JsonObject o ? o.encodePrettily()
        : value instanceof JsonArray a ? a.encodePrettily() : String.valueOf(value);
    return raw("<pre class=\"json\">").text(shown).raw("</pre>");
  }

  /** A hidden form field. */
  Html hidden(String name, Object value) {
    return raw("<input type=\"hidden\"").attr("name", name).attr("value", value).raw(">");
  }

  @Override
  public String toString() {
    return out.toString();
  }

  static String escape(Object value) {
    if (value == null) {
      return "";
    }
    String s = String.valueOf(value);
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '&' -> "&amp;";
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '"' -> "&quot;";
        case '\'' -> "&#39;";
        default -> null;
      };
      if (rep != null && b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (b != null) {
        b.append(rep != null ? rep : String.valueOf(c));
      }
    }
    return b == null ? s : b.toString();
  }

  /** A path segment, percent-encoded (a task id, a circuit name, a fingerprint). */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code path?k=v&…} with the non-blank values percent-encoded, in the order given. */
  static String url(String path, Map<String, String> query) {
    StringBuilder b = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      if (e.getValue() != null && !e.getValue().isBlank()) {
        b.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        sep = '&';
      }
    }
    return b.toString();
  }

  /** An ordered query map from name/value pairs. */
  static Map<String, String> query(String... pairs) {
    Map<String, String> q = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      q.put(pairs[i], pairs[i + 1]);
    }
    return q;
  }
}
