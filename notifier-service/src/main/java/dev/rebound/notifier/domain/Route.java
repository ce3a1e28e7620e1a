package dev.rebound.notifier.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One node of the routing tree, with its settings already inherited from its parent (receiver, group-by,
 * group-wait, group-interval, repeat-interval). Mute and active time intervals and escalation belong to the
 * route that names them (as in Alertmanager, they are not inherited).
 *
 * @param key Alertmanager's route key ({@code {}} for the root, then {@code /{matchers}} per level, and
 *     {@code /<index>} where siblings have the same matchers): stable, the prefix of every group key
 * @param groupBy label names to group by; ignored when {@code groupByAll} ({@code group-by: ['...']})
 * @param escalation the route's escalation, or null
 */
public record Route(String key, List<LabelMatcher> matchers, String receiver, List<String> groupBy,
    boolean groupByAll, Duration groupWait, Duration groupInterval, Duration repeatInterval, boolean continueMatching,
    List<String> muteTimeIntervals, List<String> activeTimeIntervals, EscalationPlan escalation, List<Route> routes) {

  /** Alertmanager's defaults (prometheus.io/docs/alerting/latest/configuration/#route). */
  public static final Duration DEFAULT_GROUP_WAIT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_GROUP_INTERVAL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);
  /** The special group-by value meaning "every label": each alert its own group. */
  public static final String ALL_LABELS = "...";

  static final Set<String> FIELDS = Set.of("receiver", "groupBy", "groupWait", "groupInterval", "repeatInterval",
      "routes", "matchers", "continue", "muteTimeIntervals", "activeTimeIntervals", "escalation");

  public Route {
    Objects.requireNonNull(key, "key");
    matchers = List.copyOf(matchers);
    groupBy = List.copyOf(groupBy);
    muteTimeIntervals = List.copyOf(muteTimeIntervals);
    activeTimeIntervals = List.copyOf(activeTimeIntervals);
    routes = List.copyOf(routes);
  }

  /** The labels of {@code labels} this route groups by (all of them with {@code ...}); absent ones are left out. */
  public Map<String, String> groupLabels(Map<String, String> labels) {
    if (groupByAll) {
      return new TreeMap<>(labels);
    }
    Map<String, String> out = new TreeMap<>();
    for (String name : groupBy) {
      String v = labels.get(name);
      if (v != null && !v.isEmpty()) {
        out.put(name, v);
      }
    }
    return out;
  }

  /**
   * Alertmanager's routing: a route that does not match returns nothing; otherwise its children are tried in
   * order, the first match stops the search unless that child says {@code continue: true}; a matching route
   * with no matching child is itself the match.
   */
  void match(Map<String, String> labels, List<Route> out) {
    if (!LabelMatcher.all(matchers, labels)) {
      return;
    }
    int before = out.size();
    for (Route child : routes) {
      int size = out.size();
      child.match(labels, out);
      if (out.size() > size && !child.continueMatching()) {
        break;
      }
    }
    if (out.size() == before) {
      out.add(this);
    }
  }
}
