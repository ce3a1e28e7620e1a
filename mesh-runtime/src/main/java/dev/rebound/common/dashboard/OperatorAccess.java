package dev.rebound.common.dashboard;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one place where a dashboard request's actor and permission are decided. Reading a page needs
 * {@link Permission#READ}; an operator action (redrive, purge, a circuit's open/close/reset, ack, resolve,
 * a silence) needs {@link Permission#OPERATE} and is then carried out through the service's own operation,
 * so the service's checks apply as they do to its HTTP API.
 *
 * <p>Today Rebound has no tokens (every HTTP API is open on the network it is bound to), so every request
 * may read and operate, and the actor is {@value #ACTOR}. What this class does enforce is that a
 * state-changing request comes from the dashboard's own pages: its {@code Origin} (or, without one, its
 * {@code Referer}) must name the host the request was sent to, and {@code Sec-Fetch-Site}, when the browser
 * sends it, must be {@code same-origin}. A form on another site therefore cannot make an operator's browser
 * redrive or purge (cross-site request forgery). Bearer tokens with scopes replace the open default here.
 */
final class OperatorAccess {
  /** The actor recorded for dashboard actions until tokens name a person. */
  static final String ACTOR = "dashboard";

  enum Permission { READ, OPERATE }

  /** The actor allowed to do what {@code permission} covers; FORBIDDEN (403) otherwise. */
  Future<String> authorize(RoutingContext ctx, Permission permission) {
    if (permission == Permission.OPERATE || ctx.request().method() != HttpMethod.GET) {
      String refused = crossSite(ctx);
      if (refused != null) {
        return Future.failedFuture(new ReboundException(ErrorCode.FORBIDDEN, refused));
      }
    }
    return Future.succeededFuture(ACTOR);
  }

  /** Why the request does not come from this dashboard's pages, or null when it does. */
  private static String crossSite(RoutingContext ctx) {
    String fetchSite = ctx.request().getHeader("Sec-Fetch-Site");
    if (fetchSite != null && !fetchSite.equalsIgnoreCase("same-origin")) {
      return "operator actions are only accepted from the dashboard's own pages (Sec-Fetch-Site: " + fetchSite + ")";
    }
    // the authority the request was sent to: Host in HTTP/1.1, :authority in HTTP/2
    HostAndPort target = ctx.request().authority();
    String host = target == null ? null : target.port() <= 0 || target.port() == 80 || target.port() == 443
        ? target.host().toLowerCase(Locale.ROOT) : target.host().toLowerCase(Locale.ROOT) + ":" + target.port();
    String origin = ctx.request().getHeader("Origin");
    String source = origin != null && !origin.equals("null") ? origin : ctx.request().getHeader("Referer");
    if (host == null || source == null) {
      return "operator actions need an Origin or Referer header naming this dashboard (use the HTTP API /v1 from scripts)";
    }
    String sourceHost = authority(source);
    if (sourceHost == null || !sourceHost.equals(host)) {
      return "operator actions are only accepted from the dashboard's own pages, not from " + source;
    }
    return null;
  }

  /** {@code host[:port]} of a URL as a browser sends it in Origin and Host, lower case; null when unreadable. */
  private static String authority(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        return null;
      }
      String host = uri.getHost().toLowerCase(Locale.ROOT);
      boolean defaultPort = uri.getPort() == -1
          || uri.getPort() == 80 || uri.getPort() == 443;
      return defaultPort ? host : host + ":" + uri.getPort();
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
