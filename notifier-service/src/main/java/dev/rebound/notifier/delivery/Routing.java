package dev.rebound.notifier.delivery;

import dev.rebound.notifier.domain.EscalationPlan;
import dev.rebound.notifier.domain.InhibitionRule;
import dev.rebound.notifier.domain.LabelMatcher;
import dev.rebound.notifier.domain.NotifierPolicy;
import dev.rebound.notifier.domain.Receiver;
import dev.rebound.notifier.domain.Route;
import dev.rebound.notifier.domain.RouteMatch;
import dev.rebound.notifier.domain.RoutingTree;
import dev.rebound.notifier.domain.Silence;
import dev.rebound.notifier.domain.ChannelTarget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The configured policy as the service looks it up: routes by key, endpoints by key (where a delivery finds its
 * secret when it is sent), the first matching route's escalation, whether an alert is silenced or inhibited, and the
 * effective tree as JSON without secrets.
 */
public final class Routing {
  private final NotifierPolicy policy;
  private final Map<String, Route> routes = new HashMap<>();
  private final Map<String, ChannelTarget> endpoints = new HashMap<>();

  public Routing(NotifierPolicy policy) {
    this.policy = policy;
    index(policy.routing().root());
    for (Receiver r : policy.routing().receivers().values()) {
      r.targets().forEach(t -> endpoints.put(t.endpointKey(), t));
    }
  }

  private void index(Route route) {
    routes.put(route.key(), route);
    route.routes().forEach(this::index);
  }

  public RoutingTree tree() {
    return policy.routing();
  }

  public List<RouteMatch> match(Map<String, String> labels) {
    return policy.routing().match(labels);
  }

  /** The route of {@code key}; the root when the configuration no longer has it. */
  public Route route(String key) {
    return routes.getOrDefault(key, policy.routing().root());
  }

  public Optional<Receiver> receiver(String name) {
    return Optional.ofNullable(policy.routing().receivers().get(name));
  }

  public Optional<ChannelTarget> endpoint(String endpointKey) {
    return Optional.ofNullable(endpoints.get(endpointKey));
  }

  public Collection<ChannelTarget> endpoints() {
    return endpoints.values();
  }

  /** The first matching route that escalates, if any (one plan per alert: its steps are keyed by alert). */
  public Optional<Route> escalationRoute(List<RouteMatch> matches) {
    return matches.stream().map(RouteMatch::route).filter(r -> r.escalation() != null).findFirst();
  }

  public Optional<EscalationPlan> plan(String routeKey) {
    return routeKey == null ? Optional.empty() : Optional.ofNullable(routes.get(routeKey)).map(Route::escalation);
  }

  /** Whether a silence mutes these labels now, or an inhibition rule suppresses them given the firing alerts. */
  public boolean hidden(Map<String, String> labels, List<Silence> silences, Collection<Map<String, String>> firing,
      Instant now) {
    return Silence.anyMutes(silences, labels, now) || InhibitionRule.anyInhibits(policy.inhibitions(), labels, firing);
  }

  /** Whether some inhibition rule could suppress these labels (they match its target): only then are sources read. */
  public boolean inhibitable(Map<String, String> labels) {
    return policy.inhibitions().stream().anyMatch(r -> LabelMatcher.all(r.targetMatchers(), labels));
  }

  /**
   * Per inhibition rule, the labels its source must carry (its equality matchers): a prefilter for the firing alerts
   * read as sources; the rule itself still decides.
   */
  public List<Map<String, String>> inhibitionSourceFilters() {
    List<Map<String, String>> out = new ArrayList<>();
    for (InhibitionRule r : policy.inhibitions()) {
      Map<String, String> must = new TreeMap<>();
      r.sourceMatchers().stream().filter(m -> m.op() == LabelMatcher.Op.EQUAL && !m.value().isEmpty())
          .forEach(m -> must.put(m.name(), m.value()));
      out.add(must);
    }
    return out;
  }

  // ------------------------------------------------------------------ the effective tree, no secrets

  public JsonObject toJson() {
    JsonArray receivers = new JsonArray();
    policy.routing().receivers().values().forEach(r -> {
      JsonArray targets = new JsonArray();
      r.targets().forEach(t -> targets.add(new JsonObject().put("channel", t.channel().label())
          .put("endpoint", t.endpointKey()).put("sendResolved", t.sendResolved())
          .put("template", t.template() != null)));
      receivers.add(new JsonObject().put("name", r.name()).put("endpoints", targets));
    });
    JsonArray inhibitions = new JsonArray();
    policy.inhibitions().forEach(i -> inhibitions.add(new JsonObject()
        .put("sourceMatchers", texts(i.sourceMatchers())).put("targetMatchers", texts(i.targetMatchers()))
        .put("equal", new JsonArray(List.copyOf(i.equal())))));
    return new JsonObject().put("route", route(policy.routing().root())).put("receivers", receivers)
        .put("inhibitRules", inhibitions);
  }

  private static JsonObject route(Route r) {
    JsonObject o = new JsonObject().put("key", r.key()).put("receiver", r.receiver())
        .put("matchers", texts(r.matchers()))
        .put("groupBy", r.groupByAll() ? new JsonArray().add(Route.ALL_LABELS) : new JsonArray(List.copyOf(r.groupBy())))
        .put("groupWait", r.groupWait().toString()).put("groupInterval", r.groupInterval().toString())
        .put("repeatInterval", r.repeatInterval().toString()).put("continue", r.continueMatching())
        .put("muteTimeIntervals", new JsonArray(List.copyOf(r.muteTimeIntervals())))
        .put("activeTimeIntervals", new JsonArray(List.copyOf(r.activeTimeIntervals())));
    if (r.escalation() != null) {
      JsonArray steps = new JsonArray();
      r.escalation().steps().forEach(s -> steps.add(new JsonObject().put("after", s.delay().toString())
          .put("receivers", new JsonArray(List.copyOf(s.receivers())))));
      o.put("escalation", new JsonObject().put("steps", steps)
          .put("repeatInterval", r.escalation().repeatInterval().toString())
          .put("maxRepeats", r.escalation().maxRepeats()).put("decay", r.escalation().decay()));
    }
    JsonArray children = new JsonArray();
    r.routes().forEach(c -> children.add(route(c)));
    return o.put("routes", children);
  }

  private static JsonArray texts(List<?> matchers) {
    JsonArray out = new JsonArray();
    matchers.forEach(m -> out.add(m.toString()));
    return out;
  }
}
