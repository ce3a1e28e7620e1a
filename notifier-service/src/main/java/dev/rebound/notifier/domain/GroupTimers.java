package dev.rebound.notifier.domain;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Alertmanager's aggregation-group timing as pure functions over {@link AggregationGroup}:
 * <ul>
 *   <li>a new group waits {@code group-wait} before its first notification (at once if its alert already
 *       started longer than group-wait ago), so alerts arriving together go out together;</li>
 *   <li>it then flushes every {@code group-interval}, and notifies only if the group changed: a firing alert
 *       its receiver has not been told about, a resolved alert it was told was firing, or all alerts resolved;</li>
 *   <li>with nothing new, it repeats the notification once {@code repeat-interval} has passed since the last.</li>
 * </ul>
 * An alert with the same dedup key is one member, however often it is reported: a repeat never pages twice.
 * The service keeps {@code next_flush_at} per group in PostgreSQL and calls {@link #flush} when it is due.
 */
public final class GroupTimers {
  private GroupTimers() {
  }

  /**
   * The result of a flush: what to send, if anything, and the group's state after it ({@code after}, never null).
   * An empty group is removed ({@link #next} is null); {@code after} is what it keeps if an alert joins it before
   * it is removed.
   */
  public record Flush(Optional<GroupNotification> notification, AggregationGroup after, boolean removed) {
    /** The group's next state, or null when it is now empty (it is removed). */
    public AggregationGroup next() {
      return removed ? null : after;
    }
  }

  /** {@code alert} (firing) joins the group of {@code match}, creating the group if needed. */
  public static AggregationGroup add(Optional<AggregationGroup> current, RouteMatch match, AlertEvent alert,
      Instant now) {
    AggregationGroup g = current.orElseGet(() -> new AggregationGroup(match.groupKey(), match.route().key(),
        match.receiver(), match.groupLabels(), Map.of(), Set.of(), now, now.plus(match.route().groupWait()), false,
        Set.of(), Set.of(), null));
    Map<String, Instant> firing = new HashMap<>(g.firing());
    firing.put(alert.dedupKey(), now);
    Set<String> resolved = new HashSet<>(g.resolved());
    resolved.remove(alert.dedupKey());
    Instant next = g.nextFlushAt();
    if (!g.hasFlushed() && !alert.startsAt().plus(match.route().groupWait()).isAfter(now)) {
      next = now.isBefore(next) ? now : next; // an old alert need not wait out group-wait again
    }
    return new AggregationGroup(g.groupKey(), g.routeKey(), g.receiver(), g.groupLabels(), firing, resolved,
        g.createdAt(), next, g.hasFlushed(), g.notifiedFiring(), g.notifiedResolved(), g.lastNotifiedAt());
  }

  /** The alert left the firing set (resolved); the next flush tells the receiver if it had been told it fired. */
  public static AggregationGroup resolve(AggregationGroup g, String dedupKey) {
    if (!g.firing().containsKey(dedupKey)) {
      return g;
    }
    Map<String, Instant> firing = new HashMap<>(g.firing());
    firing.remove(dedupKey);
    Set<String> resolved = new HashSet<>(g.resolved());
    resolved.add(dedupKey);
    return new AggregationGroup(g.groupKey(), g.routeKey(), g.receiver(), g.groupLabels(), firing, resolved,
        g.createdAt(), g.nextFlushAt(), g.hasFlushed(), g.notifiedFiring(), g.notifiedResolved(), g.lastNotifiedAt());
  }

  /** Whether the group is due at {@code now}. */
  public static boolean due(AggregationGroup g, Instant now) {
    return !g.nextFlushAt().isAfter(now);
  }

  /**
   * Flushes a due group: decides the notification (Alertmanager's dedup stage) and schedules the next flush
   * {@code group-interval} later. Resolved alerts leave the group; an empty group's next state is null.
   * A group that is not due is returned unchanged with no notification.
   *
   * @param muted true when the route is in a mute interval (or outside its active ones): nothing is sent and
   *     nothing is recorded as told, so the change goes out at the first flush after the interval
   */
  public static Flush flush(AggregationGroup g, Route route, Instant now, boolean muted) {
    if (!due(g, now)) {
      return new Flush(Optional.empty(), g, false);
    }
    Set<String> firing = g.firing().keySet();
    Set<String> resolved = new HashSet<>(g.resolved());
    resolved.retainAll(g.notifiedFiring()); // never tell "resolved" about an alert never told as firing
    boolean changed = needsUpdate(g, firing, resolved);
    boolean repeat = !changed && !firing.isEmpty() && g.lastNotifiedAt() != null
        && !g.lastNotifiedAt().plus(route.repeatInterval()).isAfter(now);
    boolean send = (changed || repeat) && !muted;
    Optional<GroupNotification> n = send
        ? Optional.of(new GroupNotification(g.groupKey(), g.receiver(), g.groupLabels(), firing, resolved, repeat))
        : Optional.empty();
    Map<String, Instant> keep = new HashMap<>(g.firing());
    AggregationGroup next = new AggregationGroup(g.groupKey(), g.routeKey(), g.receiver(), g.groupLabels(), keep,
        muted ? g.resolved() : Set.of(), g.createdAt(), now.plus(route.groupInterval()), true,
        send ? firing : g.notifiedFiring(), send ? resolved : g.notifiedResolved(),
        send ? now : g.lastNotifiedAt());
    return new Flush(n, next, next.empty());
  }

  /** Alertmanager's {@code DedupStage.needsUpdate}, without the repeat. */
  private static boolean needsUpdate(AggregationGroup g, Set<String> firing, Set<String> resolved) {
    if (g.lastNotifiedAt() == null) {
      return !firing.isEmpty();
    }
    if (!g.notifiedFiring().containsAll(firing)) {
      return true;
    }
    if (firing.isEmpty()) {
      return !g.notifiedFiring().isEmpty();
    }
    return !g.notifiedResolved().containsAll(resolved);
  }
}
