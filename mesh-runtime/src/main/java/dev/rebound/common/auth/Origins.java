package dev.rebound.common.auth;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Whether a request comes from a page of another site: a browser names the page's origin in {@code Origin}
 * (and {@code Sec-Fetch-Site}), so a form or script on any web page that makes a user's browser post to
 * Rebound is recognisable. Scripts and the CLI send no {@code Origin} and are not affected.
 */
public final class Origins {
  private Origins() {
  }

  /** Whether the method may change something (everything but GET, HEAD and OPTIONS). */
  public static boolean changesState(HttpMethod method) {
    return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
  }

  /**
   * Why the request names a foreign origin ({@code Origin} for another host or {@code null}, or
   * {@code Sec-Fetch-Site} other than same-origin or none); null when it names none or this server.
   */
  public static String foreign(RoutingContext ctx) {
    String fetchSite = ctx.request().getHeader("Sec-Fetch-Site");
    if (fetchSite != null && !fetchSite.equalsIgnoreCase("same-origin") && !fetchSite.equalsIgnoreCase("none")) {
      return "a state-changing request from another site is refused (Sec-Fetch-Site: " + fetchSite + ")";
    }
    String origin = ctx.request().getHeader("Origin");
    if (origin == null) {
      return null;
    }
    String host = target(ctx);
    String source = authority(origin);
    if (host == null || source == null || !source.equals(host)) {
      return "a state-changing request from another origin is refused (Origin: " + abbreviated(origin) + ")";
    }
    return null;
  }

  /** The authority the request was sent to, lower case, the port only when not 80 or 443. */
  public static String target(RoutingContext ctx) {
    // Host in HTTP/1.1, :authority in HTTP/2
    HostAndPort target = ctx.request().authority();
    if (target == null) {
      return null;
    }
    String host = target.host().toLowerCase(Locale.ROOT);
    return target.port() <= 0 || target.port() == 80 || target.port() == 443 ? host : host + ":" + target.port();
  }

  /** {@code host[:port]} of a URL as a browser sends it in Origin and Referer, lower case; null when unreadable. */
  public static String authority(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        return null;
      }
      String host = uri.getHost().toLowerCase(Locale.ROOT);
      boolean defaultPort = uri.getPort() == -1 || uri.getPort() == 80 || uri.getPort() == 443;
      return defaultPort ? host : host + ":" + uri.getPort();
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String abbreviated(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }
}
