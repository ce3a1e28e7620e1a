package dev.rebound.common.http;

import dev.rebound.common.auth.RouteRule;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Objects;

/**
 * A service's HTTP routes as the router assembly mounts them: its router, and the {@link RouteRule}s (scope,
 * body type) of its routes — those of its operations table, and of the routes it adds itself (NDJSON,
 * Alertmanager intake). A route without a rule needs {@code read} for GET and {@code operator} otherwise.
 */
public record ServiceRoutes(Router router, List<RouteRule> rules) {

  public ServiceRoutes {
    Objects.requireNonNull(router, "router");
    rules = List.copyOf(rules);
  }
}
