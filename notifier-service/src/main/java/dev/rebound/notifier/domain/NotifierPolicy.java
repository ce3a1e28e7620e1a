package dev.rebound.notifier.domain;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.ConfigMap.Nulls;
import dev.rebound.common.policy.PolicyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the {@code notifier} configuration section decides: receivers, the routing tree, named time
 * intervals and inhibition rules. Read once at start from the YAML section as plain maps; every error is a
 * {@link PolicyException} naming the key path ({@code notifier.route.routes[0].matchers[1]}).
 *
 * <pre>
 * notifier:
 *   receivers: [{name, slack|pagerduty|teams|email|webhook: {url | url-file | routing-key | routing-key-file, …}}]
 *   route: {receiver, group-by, group-wait, group-interval, repeat-interval, matchers, continue,
 *           mute-time-intervals, active-time-intervals, escalation: {steps: [{after, receivers}],
 *           repeat-interval, max-repeats, decay}, routes: […]}
 *   time-intervals: [{name, time-intervals: [{times: [{start-time, end-time}], weekdays, days-of-month,
 *                    months, years, location}]}]
 *   inhibit-rules: [{source-matchers, target-matchers, equal}]   # default: open circuit inhibits dead letters
 * </pre>
 */
public record NotifierPolicy(RoutingTree routing, List<InhibitionRule> inhibitions) {

  private static final Set<String> FIELDS = Set.of("receivers", "route", "timeIntervals", "inhibitRules");

  public NotifierPolicy {
    inhibitions = List.copyOf(inhibitions);
  }

  /**
   * @param path the key the section was read from ({@code notifier})
   * @param files reads {@code *-file} secrets and templates
   */
  public static NotifierPolicy fromMap(String path, Map<String, ?> section, ConfigFiles files) {
    ConfigMap r = ConfigMap.of(path, section, FIELDS, Nulls.ABSENT);
    Map<String, Receiver> receivers = Receiver.fromList(r.key("receivers"), r.list("receivers"), files);
    if (receivers.isEmpty()) {
      throw new PolicyException(r.key("receivers"), "must define at least one receiver");
    }
    Map<String, TimeInterval.Named> intervals = TimeInterval.Named.fromList(r.key("time-intervals"),
        r.list("timeIntervals"));
    if (!r.has("route")) {
      throw new PolicyException(r.key("route"), "is required");
    }
    RoutingTree tree = RoutingTree.fromMap(r.key("route"), r.raw("route"), receivers, intervals);
    List<InhibitionRule> rules = new ArrayList<>();
    if (r.has("inhibitRules")) {
      List<?> raw = r.list("inhibitRules");
      for (int i = 0; i < raw.size(); i++) {
        rules.add(InhibitionRule.fromMap(r.key("inhibit-rules") + "[" + i + "]", raw.get(i)));
      }
    } else {
      rules.add(InhibitionRule.openCircuitInhibitsDeadLetters());
    }
    return new NotifierPolicy(tree, rules);
  }
}
