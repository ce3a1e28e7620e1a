package dev.rebound.notifier.domain;

import dev.rebound.common.policy.PolicyException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Under a storm, a group's alerts collapse into one digest instead of queueing without bound: when the
 * group's undelivered backlog for an endpoint exceeds {@link #maxBacklog()}, or the endpoint's rate limit has
 * no token now, the pending notifications of that group are merged into one (its alerts listed up to
 * {@link #maxListed()}, the rest counted).
 */
public record DigestPolicy(int maxBacklog, int maxListed) {

  public static final int DEFAULT_MAX_BACKLOG = 5;
  public static final int DEFAULT_MAX_LISTED = 10;
  public static final DigestPolicy DEFAULT = new DigestPolicy(DEFAULT_MAX_BACKLOG, DEFAULT_MAX_LISTED);

  public DigestPolicy {
    PolicyException.check(maxBacklog >= 1, "max-backlog", "must be at least 1, was " + maxBacklog);
    PolicyException.check(maxListed >= 1, "max-listed", "must be at least 1, was " + maxListed);
  }

  /**
   * @param backlog notifications of the group waiting for this endpoint (including the new one)
   * @param bucketEmpty whether the endpoint's rate limit has no token now
   */
  public boolean digest(int backlog, boolean bucketEmpty) {
    return backlog > maxBacklog || bucketEmpty && backlog > 1;
  }

  /** The merged message of a group's pending notifications: the latest state of each alert, once. */
  public GroupNotification.Message merge(List<GroupNotification.Message> pending) {
    if (pending.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    Map<String, AlertView> latest = new LinkedHashMap<>();
    for (GroupNotification.Message m : pending) {
      for (AlertView a : m.all()) {
        latest.put(a.dedupKey(), a);
      }
    }
    GroupNotification.Message last = pending.get(pending.size() - 1);
    List<AlertView> firing = latest.values().stream().filter(a -> !a.resolved()).toList();
    List<AlertView> resolved = latest.values().stream().filter(AlertView::resolved).toList();
    return new GroupNotification.Message(last.groupKey(), last.receiver(), last.groupLabels(), firing, resolved, true);
  }
}
