package dev.rebound.notifier.domain;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where one alert goes: a route, its receiver, and the aggregation group it joins.
 *
 * @param groupKey Alertmanager's form, {@code <route key>:{name="value", …}}: alerts with the same group key
 *     become one notification
 */
public record RouteMatch(Route route, String receiver, String groupKey, Map<String, String> groupLabels) {

  static RouteMatch of(Route route, Map<String, String> labels) {
    Map<String, String> groupLabels = route.groupLabels(labels);
    String formatted = groupLabels.entrySet().stream()
        .map(e -> new LabelMatcher(e.getKey(), LabelMatcher.Op.EQUAL, e.getValue()).toString())
        .collect(Collectors.joining(", ", "{", "}"));
    return new RouteMatch(route, route.receiver(), route.key() + ":" + formatted, groupLabels);
  }
}
