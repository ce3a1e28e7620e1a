package dev.rebound.notifier.domain;

/** Escaping of alert text (which operators and failing code wrote) for each channel's markup. */
public final class TextEscaping {
  private TextEscaping() {
  }

  /** Slack mrkdwn: only {@code &}, {@code <} and {@code >} are control characters (Slack's "Escaping text"). */
  public static String slack(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** HTML text and attribute values (e-mail bodies). */
  public static String html(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;").replace("'", "&#39;");
  }

  /**
   * Adaptive Card TextBlocks render a Markdown subset: the characters that would start a link, emphasis,
   * a list or a heading are backslash-escaped, and {@code <}/{@code >} HTML-escaped.
   */
  public static String teams(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\', '*', '_', '[', ']', '(', ')', '#', '`', '~' -> sb.append('\\').append(c);
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
