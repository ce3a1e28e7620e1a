package dev.rebound.common.auth;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.Scope;
import dev.rebound.common.runtime.ErrorReplies;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks every HTTP request passes before any route sees it, installed once by the router assembly
 * ({@code ServiceHttpServer.router}) so that a service run alone and {@code rebound run} apply the same ones:
 * <ol>
 *   <li>a state-changing request carrying a foreign {@code Origin} is refused: 403 {@code FORBIDDEN};</li>
 *   <li>when tokens are configured, a route that needs a scope needs {@code Authorization: Bearer <token>}
 *       naming a configured token — 401 {@code UNAUTHORIZED} when it is missing or unknown — whose scopes
 *       cover the route's: 403 {@code FORBIDDEN} otherwise. The token's name becomes the request's
 *       {@link Caller}, the actor services record;</li>
 *   <li>a request with a body must send it as the route's media type ({@code application/json} unless the
 *       route says otherwise): 415 {@code UNSUPPORTED_MEDIA_TYPE}.</li>
 * </ol>
 * A route's scope comes from its {@link RouteRule}: the contract's operations declare theirs, the ops routes
 * and the dashboard theirs; any other route needs {@link Scope#READ} for GET and {@link Scope#OPERATOR} for
 * anything else, so a route nobody declared is never open by mistake.
 */
public final class HttpGuard implements Handler<RoutingContext> {
  /** The actor of requests to a server without tokens (as before tokens existed). */
  public static final String OPEN_ACTOR = "http";

  private final HttpSecurity security;
  private final List<Entry> rules;

  private record Entry(RouteRule rule, Pattern pattern) {
  }

  public HttpGuard(HttpSecurity security, List<RouteRule> rules) {
    this.security = security;
    this.rules = rules.stream().map(r -> new Entry(r, r.pattern())).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    RouteRule rule = rule(request.method(), request.path());
    if (Origins.changesState(request.method())) {
      String foreign = Origins.foreign(ctx);
      if (foreign != null) {
        refuse(ctx, new ReboundException(ErrorCode.FORBIDDEN, foreign));
        return;
      }
    }
    if (rule.scope() != null) {
      if (security.enforced()) {
        Optional<Caller> caller = security.authenticate(bearer(request));
        if (caller.isEmpty()) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"rebound\"");
          refuse(ctx, new ReboundException(ErrorCode.UNAUTHORIZED, request.getHeader(HttpHeaders.AUTHORIZATION) == null
              ? "a bearer token is required (Authorization: Bearer <token>)" : "the bearer token is not a configured token"));
          return;
        }
        if (!caller.get().allows(rule.scope())) {
          refuse(ctx, new ReboundException(ErrorCode.FORBIDDEN, "token '" + caller.get().name() + "' lacks the scope '"
              + rule.scope().configName() + "' that " + request.method() + " " + rule.path() + " needs",
              new JsonObject().put("scope", rule.scope().configName())));
          return;
        }
        caller.get().attach(ctx);
      } else {
        Caller.open(OPEN_ACTOR).attach(ctx);
      }
    }
    if (hasBody(request) && !rule.accepts(mediaType(request))) {
      refuse(ctx, new ReboundException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, request.method() + " " + request.path()
          + " takes a body of type " + rule.bodyType() + ", not " + Optional.ofNullable(mediaType(request)).orElse("(none)"),
          new JsonObject().put("expected", rule.bodyType())));
      return;
    }
    ctx.next();
  }

  /** The first rule about the request, else the default: READ for GET and HEAD, OPERATOR for the rest. */
  RouteRule rule(HttpMethod method, String path) {
    for (Entry e : rules) {
      if (e.rule().matchesMethod(method) && e.pattern().matcher(path).matches()) {
        return e.rule();
      }
    }
    boolean read = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
    return RouteRule.of(method, path, read ? Scope.READ : Scope.OPERATOR);
  }

  /** The token of an {@code Authorization: Bearer …} header; null without one. */
  public static String bearer(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !length.trim().equals("0");
    }
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  private static String mediaType(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null) {
      return null;
    }
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static void refuse(RoutingContext ctx, ReboundException e) {
    ErrorReplies.respond(ctx, e);
  }
}
