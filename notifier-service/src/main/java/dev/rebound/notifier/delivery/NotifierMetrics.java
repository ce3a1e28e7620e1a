package dev.rebound.notifier.delivery;

import dev.rebound.notifier.domain.Channel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The notifier's Prometheus series: alerts by severity and state, notifications sent / failed / rate-limited per
 * channel, delivery latency (queued → accepted) per channel, time to acknowledge.
 */
public final class NotifierMetrics {
  private final MeterRegistry registry;
  private final MultiGauge alerts;
  private final Timer timeToAck;

  public NotifierMetrics(MeterRegistry registry) {
    this.registry = registry == null ? new SimpleMeterRegistry() : registry;
    alerts = MultiGauge.builder("rebound.notifier.alerts").description("alerts by severity and state (resolved: last day)")
        .register(this.registry);
    timeToAck = Timer.builder("rebound.notifier.time.to.acknowledge").description("alert opened → acknowledged")
        .publishPercentileHistogram().register(this.registry);
  }

  /** outcome: sent, failed, rate_limited. */
  public void notification(Channel channel, String outcome) {
    Counter.builder("rebound.notifier.notifications").tag("channel", channel.label()).tag("outcome", outcome)
        .description("deliveries by channel and outcome").register(registry).increment();
  }

  public void latency(Channel channel, Duration d) {
    Timer.builder("rebound.notifier.delivery.latency").tag("channel", channel.label())
        .description("a notification queued → accepted by its endpoint").publishPercentileHistogram()
        .register(registry).record(d.isNegative() ? Duration.ZERO : d);
  }

  public void acknowledged(Duration afterOpening) {
    timeToAck.record(afterOpening.isNegative() ? Duration.ZERO : afterOpening);
  }

  /** @param counts {@code severity|STATE} → count */
  public void alerts(Map<String, Long> counts) {
    alerts.register(counts.entrySet().stream().map(e -> {
      String[] k = e.getKey().split("\\|", 2);
      return MultiGauge.Row.of(Tags.of("severity", k[0], "state", k[1].toLowerCase()), e.getValue());
    }).toList(), true);
  }

  static List<String> outcomes() {
    return List.of("sent", "failed", "rate_limited");
  }
}
