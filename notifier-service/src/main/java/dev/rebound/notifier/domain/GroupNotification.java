package dev.rebound.notifier.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a group's flush decided to say: the dedup keys of its firing and resolved alerts. The service loads
 * those alerts' views and hands them to the channel builders.
 *
 * @param repeat true when nothing changed and repeat-interval passed
 */
public record GroupNotification(String groupKey, String receiver, Map<String, String> groupLabels,
    Set<String> firing, Set<String> resolved, boolean repeat) {

  public GroupNotification {
    groupLabels = Map.copyOf(groupLabels);
    firing = Set.copyOf(firing);
    resolved = Set.copyOf(resolved);
  }

  /** A notification with the alerts' views, in the order given. */
  public Message with(List<AlertView> firingAlerts, List<AlertView> resolvedAlerts, boolean digest) {
    return new Message(groupKey, receiver, groupLabels, firingAlerts, resolvedAlerts, digest);
  }

  /**
   * The content a channel builder renders.
   *
   * @param digest true when a storm collapsed the group's alerts into one message (see {@link DigestPolicy})
   */
  public record Message(String groupKey, String receiver, Map<String, String> groupLabels,
      List<AlertView> firing, List<AlertView> resolved, boolean digest) {
    public Message {
      groupLabels = Map.copyOf(groupLabels);
      firing = List.copyOf(firing);
      resolved = List.copyOf(resolved);
    }

    /** {@code firing} while any alert fires, {@code resolved} when all did. */
    public String status() {
      return firing.isEmpty() ? "resolved" : "firing";
    }

    public List<AlertView> all() {
      List<AlertView> out = new ArrayList<>(firing);
      out.addAll(resolved);
      return out;
    }
  }
}
