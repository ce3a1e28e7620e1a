package dev.rebound.notifier.domain;

import dev.rebound.common.classification.Severity;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One report that something is wrong (or, with {@link #endsAt()} in the past, no longer wrong), from any
 * intake. Reports with the same {@link #dedupKey()} are the same alert: a repeat updates it.
 *
 * @param labels identifying labels, sorted; at least {@code kind} and {@code severity}
 *     (see {@link AlertLabels}), usually {@code stage}, {@code workflow}, {@code category}, {@code fingerprint}
 * @param details everything else worth showing (classification, root cause, recommendations, confidence,
 *     history, links): plain values, lists and maps, in order
 * @param endsAt when the condition ended (Alertmanager's resolve), or null while it lasts
 * @param generatorUrl a link back to what raised it, or null
 */
public record AlertEvent(String dedupKey, Map<String, String> labels, String summary, Map<String, Object> details,
    Instant startsAt, Instant endsAt, String generatorUrl, AlertSource source) {

  public AlertEvent {
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(source, "source");
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details == null ? Map.of() : details));
  }

  public String label(String name) {
    return labels.getOrDefault(name, "");
  }

  public String kind() {
    return label(AlertLabels.KIND);
  }

  /** The severity label, {@code error} when absent or unknown (a sender's own word is not dropped from the labels). */
  public Severity severity() {
    try {
      return Severity.parse(label(AlertLabels.SEVERITY));
    } catch (IllegalArgumentException e) {
      return Severity.ERROR;
    }
  }

  /** True when the sender says the condition has ended by {@code now}. */
  public boolean endedBy(Instant now) {
    return endsAt != null && !endsAt.isAfter(now);
  }
}
