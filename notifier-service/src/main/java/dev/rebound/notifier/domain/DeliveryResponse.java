package dev.rebound.notifier.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What an endpoint's HTTP answer means for the outbox: sent, rate-limited until a time, worth retrying, or
 * permanently refused. Pure, so the delivery code only reads the status, the {@code Retry-After} header and
 * the body.
 */
public record DeliveryResponse(Outcome outcome, Instant retryAt, String reason) {

  /** The four outcomes. */
  public enum Outcome {
    SENT, RATE_LIMITED, RETRY, FAILED
  }

  /** When Retry-After is absent on a 429: wait this long (PagerDuty suggests retrying 30 s apart). */
  public static final Duration DEFAULT_THROTTLE = Duration.ofSeconds(30);
  /** Never trust a Retry-After longer than this: an hour, then try again. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  private static final String TEAMS_429 = "Microsoft Teams endpoint returned HTTP error 429";

  /**
   * @param retryAfter the {@code Retry-After} header, or null
   * @param body the response body (only its start is read), or null
   */
  public static DeliveryResponse classify(int status, String retryAfter, String body, Instant now) {
    boolean teamsThrottled = body != null && body.contains(TEAMS_429);
    if (status == 429 || teamsThrottled) {
      Instant until = parseRetryAfter(retryAfter, now).orElse(now.plus(DEFAULT_THROTTLE));
      return new DeliveryResponse(Outcome.RATE_LIMITED, until, "rate limited (" + status + ")");
    }
    if (status >= 200 && status < 300) {
      return new DeliveryResponse(Outcome.SENT, null, null);
    }
    if (status == 408 || status >= 500) {
      Optional<Instant> at = parseRetryAfter(retryAfter, now);
      return new DeliveryResponse(Outcome.RETRY, at.orElse(null), "HTTP " + status);
    }
    return new DeliveryResponse(Outcome.FAILED, null, "HTTP " + status + (body == null ? "" : ": "
        + body.substring(0, Math.min(200, body.length()))));
  }

  /**
   * RFC 9110 {@code Retry-After}: delay-seconds or an HTTP-date. A date in the past means now; anything
   * unreadable is empty; anything beyond {@link #MAX_RETRY_AFTER} is capped.
   */
  public static Optional<Instant> parseRetryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String h = header.trim();
    Instant at;
    if (h.matches("\\d{1,10}")) {
      at = now.plusSeconds(Long.parseLong(h));
    } else {
      try {
        at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    if (at.isBefore(now)) {
      return Optional.of(now);
    }
    Instant cap = now.plus(MAX_RETRY_AFTER);
    return Optional.of(at.isAfter(cap) ? cap : at);
  }
}
