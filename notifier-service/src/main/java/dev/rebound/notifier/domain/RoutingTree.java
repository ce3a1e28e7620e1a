package dev.rebound.notifier.domain;

import dev.rebound.common.policy.ConfigMap.Nulls;
import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The routing tree with the receivers and named time intervals it refers to. Built once from configuration
 * ({@link NotifierPolicy#fromMap}); immutable.
 */
public final class RoutingTree {

  private final Route root;
  private final Map<String, Receiver> receivers;
  private final Map<String, TimeInterval.Named> timeIntervals;

  RoutingTree(Route root, Map<String, Receiver> receivers, Map<String, TimeInterval.Named> timeIntervals) {
    this.root = root;
    this.receivers = Map.copyOf(receivers);
    this.timeIntervals = Map.copyOf(timeIntervals);
  }

  public Route root() {
    return root;
  }

  public Map<String, Receiver> receivers() {
    return receivers;
  }

  public Receiver receiver(String name) {
    Receiver r = receivers.get(name);
    if (r == null) {
      throw new IllegalArgumentException("no receiver named '" + name + "'");
    }
    return r;
  }

  /** Every route the alert reaches, with its receiver and group key, in tree order (Alertmanager's semantics). */
  public List<RouteMatch> match(Map<String, String> labels) {
    List<Route> routes = new ArrayList<>();
    root.match(labels, routes);
    return routes.stream().map(r -> RouteMatch.of(r, labels)).toList();
  }

  /**
   * Whether {@code route} sends nothing at {@code now}: inside one of its mute time intervals, or outside all
   * of its active time intervals. A muted route still matches (it still stops the search) — as in Alertmanager.
   */
  public boolean muted(Route route, Instant now) {
    for (String name : route.muteTimeIntervals()) {
      if (timeIntervals.get(name).contains(now)) {
        return true;
      }
    }
    if (route.activeTimeIntervals().isEmpty()) {
      return false;
    }
    return route.activeTimeIntervals().stream().noneMatch(name -> timeIntervals.get(name).contains(now));
  }

  static RoutingTree fromMap(String path, Object rawRoute, Map<String, Receiver> receivers,
      Map<String, TimeInterval.Named> intervals) {
    ConfigMap r = ConfigMap.of(path, rawRoute, Route.FIELDS, Nulls.ABSENT);
    if (r.has("matchers")) {
      throw new PolicyException(r.key("matchers"), "the root route matches every alert: it must not have matchers");
    }
    if (r.has("muteTimeIntervals") || r.has("activeTimeIntervals")) {
      throw new PolicyException(r.key("mute-time-intervals"), "the root route cannot have time intervals");
    }
    if (!r.has("receiver")) {
      throw new PolicyException(r.key("receiver"), "the root route must name a receiver");
    }
    Route defaults = new Route("{}", List.of(), null, List.of(), false, Route.DEFAULT_GROUP_WAIT,
        Route.DEFAULT_GROUP_INTERVAL, Route.DEFAULT_REPEAT_INTERVAL, false, List.of(), List.of(), null, List.of());
    Route root = route(r, "{}", defaults, receivers, intervals);
    return new RoutingTree(root, receivers, intervals);
  }

  private static Route route(ConfigMap r, String key, Route parent, Map<String, Receiver> receivers,
      Map<String, TimeInterval.Named> intervals) {
    List<LabelMatcher> matchers = new ArrayList<>();
    List<String> rawMatchers = r.strings("matchers");
    for (int i = 0; i < rawMatchers.size(); i++) {
      matchers.add(LabelMatcher.parse(r.key("matchers") + "[" + i + "]", rawMatchers.get(i)));
    }
    String receiver = r.text("receiver", parent.receiver());
    if (!receivers.containsKey(receiver)) {
      throw new PolicyException(r.key("receiver"), "no receiver named '" + receiver + "' (known: "
          + String.join(", ", receivers.keySet()) + ")");
    }
    List<String> groupBy = parent.groupBy();
    boolean all = parent.groupByAll();
    if (r.has("groupBy")) {
      groupBy = r.strings("groupBy");
      all = groupBy.contains(Route.ALL_LABELS);
      if (all && groupBy.size() > 1) {
        throw new PolicyException(r.key("group-by"), "'...' means all labels and cannot be combined with names");
      }
      for (int i = 0; i < groupBy.size() && !all; i++) {
        if (!AlertIntake.LABEL_NAME.matcher(groupBy.get(i)).matches()) {
          throw new PolicyException(r.key("group-by") + "[" + i + "]", "is not a label name: '" + groupBy.get(i) + "'");
        }
      }
      groupBy = all ? List.of() : groupBy;
    }
    Duration groupWait = r.duration("groupWait", parent.groupWait());
    Duration groupInterval = r.duration("groupInterval", parent.groupInterval());
    Duration repeatInterval = r.duration("repeatInterval", parent.repeatInterval());
    PolicyException.check(!groupInterval.isZero(), r.key("group-interval"), "must be positive");
    PolicyException.check(!repeatInterval.isZero(), r.key("repeat-interval"), "must be positive");
    List<String> mute = names(r, "muteTimeIntervals", "mute-time-intervals", intervals);
    List<String> active = names(r, "activeTimeIntervals", "active-time-intervals", intervals);
    EscalationPlan escalation = null;
    if (r.has("escalation")) {
      escalation = EscalationPlan.fromMap(r.key("escalation"), r.raw("escalation"));
      for (String name : escalation.receiverNames()) {
        if (!receivers.containsKey(name)) {
          throw new PolicyException(r.key("escalation") + ".steps", "no receiver named '" + name + "'");
        }
      }
    }
    Route self = new Route(key, matchers, receiver, groupBy, all, groupWait, groupInterval, repeatInterval,
        r.bool("continue", false), mute, active, escalation, List.of());
    List<?> rawChildren = r.list("routes");
    List<Route> children = new ArrayList<>();
    Map<String, Integer> siblingsByMatchers = new HashMap<>();
    List<String> childMatcherKeys = new ArrayList<>();
    for (int i = 0; i < rawChildren.size(); i++) {
      ConfigMap c = ConfigMap.of(r.key("routes") + "[" + i + "]", rawChildren.get(i), Route.FIELDS, Nulls.ABSENT);
      List<String> raw = c.strings("matchers");
      String m = IntStream.range(0, raw.size())
          .mapToObj(j -> LabelMatcher.parse(c.key("matchers") + "[" + j + "]", raw.get(j)).toString())
          .collect(Collectors.joining(",", "{", "}"));
      childMatcherKeys.add(m);
      siblingsByMatchers.merge(m, 1, Integer::sum);
    }
    for (int i = 0; i < rawChildren.size(); i++) {
      ConfigMap c = ConfigMap.of(r.key("routes") + "[" + i + "]", rawChildren.get(i), Route.FIELDS, Nulls.ABSENT);
      String m = childMatcherKeys.get(i);
      String childKey = key + "/" + m + (siblingsByMatchers.get(m) > 1 ? "/" + i : "");
      children.add(route(c, childKey, self, receivers, intervals));
    }
    return new Route(key, matchers, receiver, groupBy, all, groupWait, groupInterval, repeatInterval,
        self.continueMatching(), mute, active, escalation, children);
  }

  private static List<String> names(ConfigMap r, String field, String kebab,
      Map<String, TimeInterval.Named> intervals) {
    List<String> names = r.strings(field);
    for (int i = 0; i < names.size(); i++) {
      if (!intervals.containsKey(names.get(i))) {
        throw new PolicyException(r.key(kebab) + "[" + i + "]", "no time interval named '" + names.get(i) + "'");
      }
    }
    return names;
  }

  /** Names the receivers reachable from the tree (for {@code GET /v1/routes}). */
  public Set<String> receiverNames() {
    return receivers.keySet();
  }
}
