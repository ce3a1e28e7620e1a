package dev.rebound.analyzer.domain;

import dev.rebound.common.text.AsciiLower;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a retry-after hint from a failure message, in milliseconds from now:
 * <ul>
 *   <li>{@code Retry-After: 30} (seconds) and {@code Retry-After: Wed, 21 Oct 2015 07:28:00 GMT}</li>
 *   <li>{@code retry-after-ms: 500}</li>
 *   <li>{@code x-ratelimit-reset: 1700000000} (epoch seconds, as GitHub sends it; needs the clock),
 *       {@code x-ratelimit-reset-requests: 1m30s} (a duration, as OpenAI sends it)</li>
 *   <li>{@code "retryDelay": "30s"}</li>
 *   <li>"retry after 30 seconds", "try again in 20s", "Please try again in 1m30s", "retry in 2 minutes",
 *       "resets in 45s"</li>
 * </ul>
 * Hints are clamped to [0, 24 h]; a reset time in the past gives 0.
 */
public final class RetryAfterExtractor {

  static final long MAX_MS = 24L * 3600 * 1000;
  private static final Pattern LEAD = Pattern.compile(
      "(?i)(retry-after-ms|retry-after|x-ratelimit-reset[a-z-]*|x-rate-limit-reset|retry[_ ]?delay|"
          + "(?:retry|try again|resets?)\\s+(?:after|in))[\"']?\\s*[:=]?\\s*[\"']?");
  private static final Pattern HTTP_DATE = Pattern.compile(
      "[A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");

  private final Clock clock;

  public RetryAfterExtractor(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The first hint found, or empty. */
  public OptionalLong extractMillis(String message) {
    String lower = AsciiLower.of(message);
    if (lower.indexOf("retry") < 0 && lower.indexOf("try again") < 0 && lower.indexOf("reset") < 0) {
      return OptionalLong.empty();
    }
    Matcher m = LEAD.matcher(message);
    while (m.find()) {
      String lead = AsciiLower.of(m.group(1));
      long value = parse(lead, message, m.end());
      if (value >= 0) {
        return OptionalLong.of(Math.min(value, MAX_MS));
      }
    }
    return OptionalLong.empty();
  }

  private long parse(String lead, String s, int at) {
    if (lead.equals("retry-after")) {
      Matcher date = HTTP_DATE.matcher(s).region(at, Math.min(s.length(), at + 40));
      if (date.lookingAt()) {
        long when = ZonedDateTime.parse(date.group(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return Math.max(0, when - clock.millis());
      }
    }
    int end = at;
    while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.')) {
      end++;
    }
    if (end == at) {
      return -1;
    }
    double number;
    try {
      number = Double.parseDouble(s.substring(at, end));
    } catch (NumberFormatException e) {
      return -1;
    }
    if (lead.equals("retry-after-ms")) {
      return (long) number;
    }
    if (lead.startsWith("x-ratelimit-reset") || lead.equals("x-rate-limit-reset")) {
      if (number > 1_000_000_000d && number < 100_000_000_000d) { // epoch seconds
        return Math.max(0, (long) (number * 1000) - clock.millis());
      }
      if (number >= 100_000_000_000d) { // epoch millis
        return Math.max(0, (long) number - clock.millis());
      }
    }
    long duration = parseDuration(s, at);
    if (duration >= 0) {
      return duration;
    }
    return (long) (number * 1000); // a bare number is seconds (Retry-After, "retry after 30")
  }

  /** "1m30s", "1.5 seconds", "250ms", "2 minutes", "1h"; -1 when the number has no unit. */
  static long parseDuration(String s, int at) {
    long total = 0;
    boolean any = false;
    int i = at;
    while (i < s.length()) {
      int d = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' && i > d)) {
        i++;
      }
      if (i == d) {
        break;
      }
      double value = Double.parseDouble(s.substring(d, i));
      int u = i;
      while (u < s.length() && s.charAt(u) == ' ') {
        u++;
      }
      int ue = u;
      while (ue < s.length() && Character.isLetter(s.charAt(ue))) {
        ue++;
      }
      long unitMs = unitMillis(AsciiLower.of(s.substring(u, ue)));
      if (unitMs < 0) {
        break;
      }
      total += (long) (value * unitMs);
      any = true;
      i = ue;
    }
    return any ? total : -1;
  }

  private static long unitMillis(String unit) {
    return switch (unit) {
      case "ms", "msec", "millisecond", "milliseconds" -> 1;
      case "s", "sec", "secs", "second", "seconds" -> 1000;
      case "m", "min", "mins", "minute", "minutes" -> 60_000;
      case "h", "hr", "hrs", "hour", "hours" -> 3_600_000;
      default -> -1;
    };
  }
}
