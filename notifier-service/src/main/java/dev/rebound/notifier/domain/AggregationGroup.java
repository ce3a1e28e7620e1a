package dev.rebound.notifier.domain;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One aggregation group's state (Alertmanager's dispatcher): the alerts of one group key, when it flushes
 * next, and what its receiver was last told. A plain value the store persists as one row; {@link GroupTimers}
 * decides what changes.
 *
 * @param firing dedup keys of the firing alerts, with when each last changed
 * @param resolved dedup keys of alerts resolved since the last flush
 * @param nextFlushAt when the group is due: group-wait after creation, then every group-interval
 * @param notifiedFiring / notifiedResolved what the last notification said (Alertmanager's notification log)
 * @param lastNotifiedAt when it was said, or null before the first notification
 */
public record AggregationGroup(String groupKey, String routeKey, String receiver, Map<String, String> groupLabels,
    Map<String, Instant> firing, Set<String> resolved, Instant createdAt, Instant nextFlushAt, boolean hasFlushed,
    Set<String> notifiedFiring, Set<String> notifiedResolved, Instant lastNotifiedAt) {

  public AggregationGroup {
    Objects.requireNonNull(groupKey, "groupKey");
    groupLabels = Map.copyOf(groupLabels);
    firing = Collections.unmodifiableMap(new TreeMap<>(firing));
    resolved = Collections.unmodifiableSet(new TreeSet<>(resolved));
    notifiedFiring = Collections.unmodifiableSet(new TreeSet<>(notifiedFiring));
    notifiedResolved = Collections.unmodifiableSet(new TreeSet<>(notifiedResolved));
  }

  public boolean empty() {
    return firing.isEmpty() && resolved.isEmpty();
  }

  public int size() {
    return firing.size() + resolved.size();
  }
}
