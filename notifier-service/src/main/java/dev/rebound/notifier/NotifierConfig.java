package dev.rebound.notifier;

import dev.rebound.common.policy.PolicyException;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import dev.rebound.notifier.domain.ConfigFiles;
import dev.rebound.notifier.domain.DigestPolicy;
import dev.rebound.notifier.domain.NotifierPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notifier's configuration, read once from {@link Settings} and validated at start; its keys are in {@link #KEYS}.
 * The routing policy is the {@code notifier} YAML section ({@code receivers}, {@code route} with its escalations,
 * {@code time-intervals}, {@code inhibit-rules}), read by {@link NotifierPolicy#fromMap}; secrets in it come inline or
 * from {@code *-file}s and are never printed.
 */
public record NotifierConfig(int httpPort, boolean httpEnabled, HttpSecurity security, int pgPoolSize,
    int pgMaxWaitQueue, NotifierPolicy policy,
    Duration sweepInterval, int deliveryMaxAttempts, Duration deliveryRetryBase, Duration deliveryRetryMax,
    int endpointFailureThreshold, Duration endpointPause, Duration deliveryTimeout, Duration resolveTimeout,
    DigestPolicy digest, String externalUrl) {

  public static final ConfigKey<Integer> HTTP_PORT = RuntimeKeys.HTTP_PORT.withDefault(8084);
  public static final ConfigKey<List<Object>> RECEIVERS = ConfigKey.items("notifier.receivers",
      "a receiver 'log' that drops", "receivers: [{name, slack / pagerduty / teams / email / webhook: {url or url-file, "
          + "routing-key or routing-key-file, …}}] (YAML only)");
  public static final ConfigKey<Map<String, Object>> ROUTE = ConfigKey.section("notifier.route",
      "everything to the first receiver", "the routing tree (Alertmanager's semantics): receiver, group-by, group-wait, "
          + "group-interval, repeat-interval, matchers, continue, mute/active-time-intervals, escalation, routes (YAML only)");
  public static final ConfigKey<List<Object>> TIME_INTERVALS = ConfigKey.items("notifier.time-intervals", "none",
      "named time intervals for mute-time-intervals and active-time-intervals");
  public static final ConfigKey<List<Object>> INHIBIT_RULES = ConfigKey.items("notifier.inhibit-rules",
      "an open circuit of a stage inhibits its dead letters", "inhibition rules: [{source-matchers, target-matchers, equal}]");
  public static final ConfigKey<Duration> SWEEP_INTERVAL = ConfigKey.duration("notifier.sweep-interval",
      Duration.ofSeconds(1), "how often due groups, escalations, expiries and the delivery outbox are swept");
  public static final ConfigKey<Integer> DELIVERY_MAX_ATTEMPTS = ConfigKey.integer("notifier.delivery.max-attempts", 12,
      1, 100, "attempts of one delivery before it is FAILED (POST /v1/deliveries/{id}/retry sends it again)");
  public static final ConfigKey<Duration> DELIVERY_RETRY_BASE = ConfigKey.duration("notifier.delivery.retry-base",
      Duration.ofSeconds(2), "first retry delay of a failed delivery (exponential ×2, full jitter)");
  public static final ConfigKey<Duration> DELIVERY_RETRY_MAX = ConfigKey.duration("notifier.delivery.retry-max",
      Duration.ofMinutes(5), "longest delay between two attempts of a delivery");
  public static final ConfigKey<Duration> DELIVERY_TIMEOUT = ConfigKey.duration("notifier.delivery.timeout",
      Duration.ofSeconds(10), "how long one HTTP or SMTP delivery may take");
  public static final ConfigKey<Integer> ENDPOINT_FAILURES = ConfigKey.integer("notifier.endpoint.failure-threshold", 5,
      1, 1000, "consecutive failed deliveries that pause an endpoint (its circuit opens)");
  public static final ConfigKey<Duration> ENDPOINT_PAUSE = ConfigKey.duration("notifier.endpoint.pause",
      Duration.ofSeconds(30), "how long a failing endpoint is paused before it is tried again");
  public static final ConfigKey<Duration> RESOLVE_TIMEOUT = ConfigKey.duration("notifier.resolve-timeout",
      Duration.ofMinutes(5), "an Alertmanager-intake alert without endsAt ends this long after it was last posted");
  public static final ConfigKey<Integer> DIGEST_MAX_BACKLOG = ConfigKey.integer("notifier.digest.max-backlog",
      DigestPolicy.DEFAULT_MAX_BACKLOG, 1, 10_000, "pending notifications of one group per endpoint that become one digest");
  public static final ConfigKey<Integer> DIGEST_MAX_LISTED = ConfigKey.integer("notifier.digest.max-listed",
      DigestPolicy.DEFAULT_MAX_LISTED, 1, 1000, "alerts a digest lists by name (the rest are counted)");
  public static final ConfigKey<String> EXTERNAL_URL = ConfigKey.string("notifier.external-url", null,
      "the URL people reach Rebound at: links in notifications (PagerDuty client_url, Alertmanager externalURL)");

  /** Every key the notifier reads (besides {@link RuntimeKeys}'). */
  public static final List<ConfigKey<?>> KEYS = List.of(HTTP_PORT, RuntimeKeys.HTTP_ENABLED, RuntimeKeys.PG_POOL_SIZE, RuntimeKeys.PG_MAX_WAIT_QUEUE,
      RECEIVERS, ROUTE, TIME_INTERVALS, INHIBIT_RULES, SWEEP_INTERVAL, DELIVERY_MAX_ATTEMPTS, DELIVERY_RETRY_BASE,
      DELIVERY_RETRY_MAX, DELIVERY_TIMEOUT, ENDPOINT_FAILURES, ENDPOINT_PAUSE, RESOLVE_TIMEOUT, DIGEST_MAX_BACKLOG,
      DIGEST_MAX_LISTED, EXTERNAL_URL);

  public static NotifierConfig from(Settings s) {
    return from(s, ConfigFiles.FILESYSTEM);
  }

  static NotifierConfig from(Settings s, ConfigFiles files) {
    NotifierPolicy policy;
    try {
      policy = NotifierPolicy.fromMap("notifier", section(s), files);
    } catch (PolicyException e) {
      throw new ConfigException(e.field(), "Invalid configuration: " + e.getMessage());
    }
    positive(s, SWEEP_INTERVAL);
    positive(s, DELIVERY_RETRY_BASE);
    positive(s, DELIVERY_TIMEOUT);
    return new NotifierConfig(s.get(HTTP_PORT), s.get(RuntimeKeys.HTTP_ENABLED), HttpSecurity.forService(s),
        s.get(RuntimeKeys.PG_POOL_SIZE), s.get(RuntimeKeys.PG_MAX_WAIT_QUEUE), policy,
        s.get(SWEEP_INTERVAL), s.get(DELIVERY_MAX_ATTEMPTS), s.get(DELIVERY_RETRY_BASE), s.get(DELIVERY_RETRY_MAX),
        s.get(ENDPOINT_FAILURES), s.get(ENDPOINT_PAUSE), s.get(DELIVERY_TIMEOUT), s.get(RESOLVE_TIMEOUT),
        new DigestPolicy(s.get(DIGEST_MAX_BACKLOG), s.get(DIGEST_MAX_LISTED)), s.find(EXTERNAL_URL).orElse(null));
  }

  /**
   * The {@code notifier} section as {@link NotifierPolicy#fromMap} reads it. Without receivers and route, a receiver
   * {@code log} with no endpoints takes everything: alerts are recorded, listed and published, nothing is sent.
   */
  private static Map<String, Object> section(Settings s) {
    Map<String, Object> section = new LinkedHashMap<>();
    List<Object> receivers = s.find(RECEIVERS).orElse(List.of());
    Map<String, Object> route = s.get(ROUTE);
    if (receivers.isEmpty() && route.isEmpty()) {
      section.put("receivers", List.of(Map.of("name", "log")));
      section.put("route", Map.of("receiver", "log"));
    } else {
      section.put("receivers", receivers);
      if (!route.isEmpty()) {
        section.put("route", route);
      }
    }
    s.find(TIME_INTERVALS).ifPresent(t -> section.put("time-intervals", t));
    s.find(INHIBIT_RULES).ifPresent(r -> section.put("inhibit-rules", r));
    return section;
  }

  private static void positive(Settings s, ConfigKey<Duration> key) {
    Duration d = s.get(key);
    if (d.isZero() || d.isNegative()) {
      throw new ConfigException(key.name(), "Invalid configuration '" + key.name() + "' (env " + key.envVar()
          + "): must be positive, was " + d);
    }
  }
}
