package dev.rebound.notifier.domain;

import java.time.Duration;

/**
 * Each channel's documented rate limit, as the default {@link TokenBucket} per endpoint (per webhook URL,
 * per routing key). Conservative: the buckets never allow more than the documented figure in any window.
 *
 * <ul>
 *   <li><b>Slack</b> incoming webhooks: "1 per second; short bursts &gt;1 allowed" (Slack API, "Rate limits",
 *       https://api.slack.com/docs/rate-limits, "Posting messages" / "Incoming webhooks"): 1 token per second,
 *       a burst of 3.</li>
 *   <li><b>PagerDuty</b> Events API v2: "approximately 120 calls/minute per integration key ... calculated over
 *       a 60 second window looking back" (PagerDuty developer docs, Events API v2 "Rate Limits"): at most 120 in
 *       any 60 s (a burst of 12 plus 108 per minute).</li>
 *   <li><b>Microsoft Teams</b> incoming webhooks/connectors: 4 requests per 1 s, 60 per 30 s, 100 per 3600 s,
 *       150 per 7200 s, 1800 per 86400 s (Microsoft Learn, "Rate limiting for connectors"); each is a bandwidth.
 *       Teams may report its 429 in a 200 body ("Microsoft Teams endpoint returned HTTP error 429"): see
 *       {@link DeliveryResponse}.</li>
 *   <li><b>E-mail</b> and <b>webhooks</b> have no published limit: 10 per second with a burst of 10, to keep a
 *       storm from flooding a mail relay or a small receiver. A webhook's owner may set its own
 *       ({@code max-per-second}).</li>
 * </ul>
 */
public final class ChannelLimits {
  private ChannelLimits() {
  }

  public static final TokenBucket SLACK = TokenBucket.of(
      new TokenBucket.Bandwidth(3, 1, Duration.ofSeconds(1)));
  public static final TokenBucket PAGERDUTY = TokenBucket.of(
      TokenBucket.Bandwidth.atMost(120, Duration.ofMinutes(1)));
  public static final TokenBucket TEAMS = TokenBucket.of(
      new TokenBucket.Bandwidth(2, 2, Duration.ofSeconds(1)),
      TokenBucket.Bandwidth.atMost(60, Duration.ofSeconds(30)),
      TokenBucket.Bandwidth.atMost(100, Duration.ofHours(1)),
      TokenBucket.Bandwidth.atMost(150, Duration.ofHours(2)),
      TokenBucket.Bandwidth.atMost(1800, Duration.ofDays(1)));
  public static final TokenBucket EMAIL = TokenBucket.of(new TokenBucket.Bandwidth(10, 10, Duration.ofSeconds(1)));
  public static final int WEBHOOK_PER_SECOND = 10;
  public static final TokenBucket WEBHOOK = perSecond(WEBHOOK_PER_SECOND);

  /** {@code n} per second with a burst of {@code n}. */
  public static TokenBucket perSecond(int n) {
    return TokenBucket.of(new TokenBucket.Bandwidth(n, n, Duration.ofSeconds(1)));
  }

  public static TokenBucket defaultFor(Channel channel) {
    return switch (channel) {
      case SLACK -> SLACK;
      case PAGERDUTY -> PAGERDUTY;
      case TEAMS -> TEAMS;
      case EMAIL -> EMAIL;
      case WEBHOOK -> WEBHOOK;
    };
  }
}
