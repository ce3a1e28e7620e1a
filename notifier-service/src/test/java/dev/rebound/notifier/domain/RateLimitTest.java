package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private static int sentWithin(TokenBucket bucket, Duration window, Duration step) {
    TokenBucket.State s = bucket.full(T0);
    int sent = 0;
    for (Instant t = T0; t.isBefore(T0.plus(window)); t = t.plus(step)) {
      TokenBucket.Take take = bucket.tryTake(s, t);
      while (take.granted()) {
        sent++;
        s = take.state();
        take = bucket.tryTake(s, t);
      }
      s = take.state();
    }
    return sent;
  }

  @Test
  void slackAllowsAShortBurstThenOneMessagePerSecond() {
    assertThat(sentWithin(ChannelLimits.SLACK, Duration.ofMillis(1), Duration.ofMillis(1))).isEqualTo(3);
    assertThat(sentWithin(ChannelLimits.SLACK, Duration.ofSeconds(10), Duration.ofMillis(100))).isEqualTo(3 + 9);
  }

  @Test
  void pagerDutyNeverExceeds120EventsInAMinute() {
    assertThat(sentWithin(ChannelLimits.PAGERDUTY, Duration.ofSeconds(60), Duration.ofMillis(250))).isLessThanOrEqualTo(120);
  }

  @Test
  void teamsKeepsToFourPerSecondAndItsHourlyCap() {
    assertThat(sentWithin(ChannelLimits.TEAMS, Duration.ofSeconds(1), Duration.ofMillis(50))).isLessThanOrEqualTo(4);
    assertThat(sentWithin(ChannelLimits.TEAMS, Duration.ofHours(1), Duration.ofSeconds(1))).isLessThanOrEqualTo(100);
  }

  @Test
  void anEmptyBucketSaysWhenTheNextTokenComes() {
    TokenBucket bucket = TokenBucket.of(new TokenBucket.Bandwidth(1, 1, Duration.ofSeconds(1)));
    TokenBucket.Take first = bucket.tryTake(bucket.full(T0), T0);
    TokenBucket.Take second = bucket.tryTake(first.state(), T0);

    assertThat(first.granted()).isTrue();
    assertThat(second.granted()).isFalse();
    assertThat(second.retryAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(bucket.tryTake(second.state(), T0.plusSeconds(1)).granted()).isTrue();
  }

  @Test
  void aRetryAfterEmptiesTheBucketUntilThen() {
    TokenBucket bucket = ChannelLimits.SLACK;
    TokenBucket.State throttled = bucket.throttledUntil(bucket.full(T0), T0, T0.plusSeconds(30));

    assertThat(bucket.tryTake(throttled, T0.plusSeconds(29)).granted()).isFalse();
    assertThat(bucket.tryTake(throttled, T0.plusSeconds(31)).granted()).isTrue();
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    assertThat(DeliveryResponse.parseRetryAfter("120", T0)).contains(T0.plusSeconds(120));
    assertThat(DeliveryResponse.parseRetryAfter("Sat, 01 Mar 2025 10:01:00 GMT", T0)).contains(T0.plusSeconds(60));
    assertThat(DeliveryResponse.parseRetryAfter("Sat, 01 Mar 2025 09:00:00 GMT", T0)).contains(T0);
    assertThat(DeliveryResponse.parseRetryAfter("soon", T0)).isEmpty();
    assertThat(DeliveryResponse.parseRetryAfter("999999", T0)).contains(T0.plus(DeliveryResponse.MAX_RETRY_AFTER));
  }

  @Test
  void responsesAreClassifiedIncludingTeams429InABody() {
    assertThat(DeliveryResponse.classify(200, null, "1", T0).outcome()).isEqualTo(DeliveryResponse.Outcome.SENT);
    DeliveryResponse limited = DeliveryResponse.classify(429, "7", null, T0);
    assertThat(limited.outcome()).isEqualTo(DeliveryResponse.Outcome.RATE_LIMITED);
    assertThat(limited.retryAt()).isEqualTo(T0.plusSeconds(7));
    assertThat(DeliveryResponse.classify(200, null, "Microsoft Teams endpoint returned HTTP error 429 ...", T0)
        .outcome()).isEqualTo(DeliveryResponse.Outcome.RATE_LIMITED);
    assertThat(DeliveryResponse.classify(503, null, null, T0).outcome()).isEqualTo(DeliveryResponse.Outcome.RETRY);
    assertThat(DeliveryResponse.classify(400, null, "invalid_payload", T0).outcome())
        .isEqualTo(DeliveryResponse.Outcome.FAILED);
  }

  private static ChannelTarget webhook(Map<String, Object> target) {
    NotifierPolicy p = NotifierPolicy.fromMap("notifier", Map.of("receivers", List.of(Map.of("name", "hook",
        "webhook", target)), "route", Map.of("receiver", "hook")), path -> null);
    return p.routing().receiver("hook").targets().get(0);
  }

  @Test
  void aWebhookTakesTenPerSecondUnlessItsOwnerSaysHowManyItTakes() {
    ChannelTarget plain = webhook(Map.of("url", "http://127.0.0.1:9/hook"));
    ChannelTarget fast = webhook(Map.of("url", "http://127.0.0.1:9/hook", "max-per-second", "2000"));

    assertThat(sentWithin(plain.rateLimit(), Duration.ofSeconds(1), Duration.ofMillis(1))).isBetween(10 + 9, 10 + 10);
    assertThat(sentWithin(fast.rateLimit(), Duration.ofSeconds(1), Duration.ofMillis(1))).isBetween(2000 + 1990, 2000 + 2000);
    assertThat(webhook(Map.of("url", "http://127.0.0.1:9/hook", "max-per-second", 10)).rateLimit())
        .isSameAs(ChannelLimits.WEBHOOK);
    assertThatThrownBy(() -> webhook(Map.of("url", "http://127.0.0.1:9/hook", "max-per-second", "0")))
        .isInstanceOfSatisfying(PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("notifier.receivers[0].webhook.max-per-second"));
  }
}
