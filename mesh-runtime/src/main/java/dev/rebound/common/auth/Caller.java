package dev.rebound.common.auth;

import dev.rebound.common.client.Scope;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who sent an HTTP request, as the {@link HttpGuard} established it: a configured token's name and scopes, or
 * nobody in particular when the server runs open ({@code authenticated} false). Services record {@link #name()} as the actor of what the
 * request does.
 */
public record Caller(String name, Set<Scope> scopes, boolean authenticated) {
  private static final String KEY = "rebound.caller";

  public Caller {
    Objects.requireNonNull(name, "name");
    scopes = Set.copyOf(scopes);
  }

  /** The caller of a server without tokens: every scope, no name of its own ({@code http}, as before tokens). */
  public static Caller open(String name) {
    return new Caller(name, EnumSet.allOf(Scope.class), false);
  }

  /** Whether one of the caller's scopes covers {@code needed}. */
  public boolean allows(Scope needed) {
    return scopes.stream().anyMatch(s -> s.covers(needed));
  }

  /** The caller of a request the guard let through; null when the guard did not see it. */
  public static Caller of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }
}
