package dev.rebound.notifier.domain;

import java.util.List;
import java.util.Objects;

/**
 * One endpoint of a receiver, as configured. Secrets are {@link Secret}s; {@link #endpointKey()} names the
 * endpoint without revealing them (the key of its rate limit, circuit breaker and deliveries).
 */
public sealed interface ChannelTarget {

  Channel channel();

  /** Whether this endpoint is told when alerts resolve (Alertmanager's {@code send_resolved}, default true). */
  boolean sendResolved();

  /** The message template text overriding the default, or null. */
  String template();

  /** {@code <channel>:<handle of the secret that identifies the endpoint>}. */
  String endpointKey();

  /** The endpoint's rate limit: the channel's documented one ({@link ChannelLimits}) unless configured. */
  default TokenBucket rateLimit() {
    return ChannelLimits.defaultFor(channel());
  }

  /** A Slack incoming webhook. */
  record Slack(Secret url, boolean sendResolved, String template) implements ChannelTarget {
    public Slack {
      Objects.requireNonNull(url, "url");
    }

    @Override
    public Channel channel() {
      return Channel.SLACK;
    }

    @Override
    public String endpointKey() {
      return "slack:" + url.handle();
    }
  }

  /** A PagerDuty Events API v2 integration. */
  record PagerDuty(Secret routingKey, String url, boolean sendResolved, String template) implements ChannelTarget {
    /** The Events API v2 endpoint. */
    public static final String EVENTS_V2_URL = "https://events.pagerduty.com/v2/enqueue";

    public PagerDuty {
      Objects.requireNonNull(routingKey, "routingKey");
      Objects.requireNonNull(url, "url");
    }

    @Override
    public Channel channel() {
      return Channel.PAGERDUTY;
    }

    @Override
    public String endpointKey() {
      return "pagerduty:" + routingKey.handle();
    }
  }

  /** A Microsoft Teams Workflows ("Post to a channel when a webhook request is received") webhook. */
  record Teams(Secret url, boolean sendResolved, String template) implements ChannelTarget {
    public Teams {
      Objects.requireNonNull(url, "url");
    }

    @Override
    public Channel channel() {
      return Channel.TEAMS;
    }

    @Override
    public String endpointKey() {
      return "teams:" + url.handle();
    }
  }

  /** E-mail over SMTP. */
  record Email(List<String> to, String from, String smarthost, String username, Secret password,
      boolean sendResolved, String template) implements ChannelTarget {
    public Email {
      to = List.copyOf(to);
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(smarthost, "smarthost");
    }

    @Override
    public Channel channel() {
      return Channel.EMAIL;
    }

    /**
     * The smarthost and a handle of who is written to and as whom: two receivers on one smarthost are two endpoints
     * (each delivery finds its own recipients and credentials by this key).
     */
    @Override
    public String endpointKey() {
      String identity = String.join(",", to) + "|" + from + "|" + (username == null ? "" : username);
      return "email:" + smarthost + "/" + Secret.of(identity).handle();
    }
  }

  /**
   * A generic JSON webhook.
   *
   * @param signingKey the HMAC-SHA256 key of the signature header, or null for no signature
   * @param alertmanagerFormat send Alertmanager's webhook payload (version 4) instead of Rebound's
   * @param maxPerSecond the most deliveries per second (also the burst): webhooks have no published limit, so the
   *     receiver's owner says what it takes ({@link ChannelLimits#WEBHOOK_PER_SECOND} by default)
   */
  record Webhook(Secret url, Secret signingKey, boolean alertmanagerFormat, boolean sendResolved, String template,
      int maxPerSecond) implements ChannelTarget {
    public Webhook {
      Objects.requireNonNull(url, "url");
      if (maxPerSecond < 1) {
        throw new IllegalArgumentException("maxPerSecond must be at least 1");
      }
    }

    @Override
    public TokenBucket rateLimit() {
      return maxPerSecond == ChannelLimits.WEBHOOK_PER_SECOND ? ChannelLimits.WEBHOOK : ChannelLimits.perSecond(maxPerSecond);
    }

    @Override
    public Channel channel() {
      return Channel.WEBHOOK;
    }

    @Override
    public String endpointKey() {
      return "webhook:" + url.handle();
    }
  }
}
