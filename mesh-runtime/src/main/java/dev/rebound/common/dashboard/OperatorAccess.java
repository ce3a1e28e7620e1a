package dev.rebound.common.dashboard;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.auth.Caller;
import dev.rebound.common.auth.HttpGuard;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.auth.Origins;
import dev.rebound.common.client.Scope;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The one place where a dashboard request's actor and permission are decided. Reading a page needs
 * {@link Permission#READ} (the {@code read} scope); an operator action (redrive, purge, a circuit's
 * open/close/reset, ack, resolve, a silence) needs {@link Permission#OPERATE} (the {@code operator} scope) and is
 * then carried out through the service's own operation with the token's name as its actor, so the service's
 * checks and audit apply as they do to its HTTP API.
 *
 * <p>Who is asking: with {@code auth.tokens} configured, the caller of a bearer token (scripts), or of the
 * sign-in session whose id the {@value #COOKIE} cookie holds — a browser cannot send a bearer header with a
 * form, so {@code /ui/login} takes the token once, checks it with the same {@link HttpSecurity}, and keeps the
 * caller on the server ({@code HttpOnly; SameSite=Strict} cookie, {@code Secure} over TLS). Without tokens (open
 * on loopback) every request may read and operate, and the actor is {@value #ACTOR}.
 *
 * <p>Whatever the tokens, a state-changing request must come from the dashboard's own pages: its {@code Origin}
 * (or, without one, its {@code Referer}) must name the host the request was sent to, and {@code Sec-Fetch-Site},
 * when the browser sends it, must be {@code same-origin}. A form on another site therefore cannot make an
 * operator's browser redrive or purge (cross-site request forgery), and SameSite=Strict keeps the session cookie
 * off such requests as well.
 */
final class OperatorAccess {
  /** The actor recorded for dashboard actions when no tokens are configured. */
  static final String ACTOR = "dashboard";
  /** The sign-in session's cookie. */
  static final String COOKIE = "rebound_session";

  enum Permission { READ, OPERATE }

  private final HttpSecurity security;

  OperatorAccess(HttpSecurity security) {
    this.security = security;
  }

  /** The actor allowed to do what {@code permission} covers; UNAUTHORIZED (401) or FORBIDDEN (403) otherwise. */
  Future<String> authorize(RoutingContext ctx, Permission permission) {
    if (permission == Permission.OPERATE || ctx.request().method() != HttpMethod.GET) {
      String refused = crossSite(ctx);
      if (refused != null) {
        return Future.failedFuture(new ReboundException(ErrorCode.FORBIDDEN, refused));
      }
    }
    if (!security.enforced()) {
      return Future.succeededFuture(ACTOR);
    }
    Optional<Caller> caller = caller(ctx);
    if (caller.isEmpty()) {
      return Future.failedFuture(new ReboundException(ErrorCode.UNAUTHORIZED, "sign in with a token to use the dashboard"));
    }
    Scope needed = permission == Permission.READ ? Scope.READ : Scope.OPERATOR;
    if (!caller.get().allows(needed)) {
      return Future.failedFuture(new ReboundException(ErrorCode.FORBIDDEN, "token '" + caller.get().name()
          + "' lacks the scope '" + needed.configName() + "' this needs"));
    }
    return Future.succeededFuture(caller.get().name());
  }

  /** Whether the dashboard needs a sign-in (tokens are configured). */
  boolean signInRequired() {
    return security.enforced();
  }

  /** The caller of the request's bearer token, else of its sign-in session. */
  private Optional<Caller> caller(RoutingContext ctx) {
    String bearer = HttpGuard.bearer(ctx.request());
    if (bearer != null) {
      return security.authenticate(bearer);
    }
    Cookie session = ctx.request().getCookie(COOKIE);
    return session == null ? Optional.empty() : security.sessions().find(session.getValue());
  }

  /**
   * Signs in with the token of the sign-in form (from the dashboard's own page): a session and its cookie for the
   * token's caller; UNAUTHORIZED when no configured token matches.
   */
  Future<String> signIn(RoutingContext ctx, String token) {
    String refused = crossSite(ctx);
    if (refused != null) {
      return Future.failedFuture(new ReboundException(ErrorCode.FORBIDDEN, refused));
    }
    Optional<Caller> caller = token == null ? Optional.empty() : security.authenticate(token.trim());
    if (caller.isEmpty()) {
      return Future.failedFuture(new ReboundException(ErrorCode.UNAUTHORIZED, "that is not a configured token"));
    }
    String id = security.sessions().open(caller.get());
    ctx.response().addCookie(cookie(ctx, id).setMaxAge(dev.rebound.common.auth.DashboardSessions.LIFETIME.toSeconds()));
    return Future.succeededFuture(caller.get().name());
  }

  /** Forgets the request's session and clears its cookie. */
  void signOut(RoutingContext ctx) {
    Cookie session = ctx.request().getCookie(COOKIE);
    if (session != null) {
      security.sessions().close(session.getValue());
    }
    ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
  }

  private static Cookie cookie(RoutingContext ctx, String value) {
    return Cookie.cookie(COOKIE, value).setPath(Dashboard.ROOT).setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(ctx.request().isSSL());
  }

  /** Why the request does not come from this dashboard's pages, or null when it does. */
  private static String crossSite(RoutingContext ctx) {
    String fetchSite = ctx.request().getHeader("Sec-Fetch-Site");
    if (fetchSite != null && !fetchSite.equalsIgnoreCase("same-origin")) {
      return "operator actions are only accepted from the dashboard's own pages (Sec-Fetch-Site: " + fetchSite + ")";
    }
    String host = Origins.target(ctx);
    String origin = ctx.request().getHeader("Origin");
    String source = origin != null && !origin.equals("null") ? origin : ctx.request().getHeader("Referer");
    if (host == null || source == null) {
      return "operator actions need an Origin or Referer header naming this dashboard (use the HTTP API /v1 from scripts)";
    }
    String sourceHost = Origins.authority(source);
    if (sourceHost == null || !sourceHost.equals(host)) {
      return "operator actions are only accepted from the dashboard's own pages, not from " + source;
    }
    return null;
  }
}
