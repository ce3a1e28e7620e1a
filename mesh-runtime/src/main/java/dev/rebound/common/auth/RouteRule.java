package dev.rebound.common.auth;

import dev.rebound.common.client.ApiOperation;
import dev.rebound.common.client.Scope;
import io.vertx.core.http.HttpMethod;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the {@link HttpGuard} requires of requests to one route: the scope a token needs (null: none, the route
 * is open) and the media type a request body must have ({@link #BATCH}: a JSON array or object, or NDJSON). A path is written as in vert.x-web: {@code :name}
 * matches one segment, a trailing {@code *} any rest.
 */
public record RouteRule(HttpMethod method, String path, Scope scope, String bodyType) {
  public static final String JSON = "application/json";
  public static final String NDJSON = "application/x-ndjson";
  public static final String FORM = "application/x-www-form-urlencoded";
  /** The body type of a batch route ({@code HttpRoute#itemsField}): JSON or NDJSON. */
  public static final String BATCH = "application/json or application/x-ndjson";

  public RouteRule {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(bodyType, "bodyType");
  }

  /** The rule of an operation of the contract: its route, its scope, JSON bodies (or NDJSON for a batch route). */
  public static RouteRule of(ApiOperation operation) {
    return new RouteRule(operation.route().method(), operation.route().path(), operation.scope(),
        operation.route().itemsField() != null ? BATCH : JSON);
  }

  /** Whether a body of {@code mediaType} (null: none given) is what the route takes. */
  public boolean accepts(String mediaType) {
    return bodyType.equals(BATCH) ? JSON.equals(mediaType) || NDJSON.equals(mediaType) : bodyType.equals(mediaType);
  }

  /** A route taking JSON bodies that needs {@code scope}; {@code method} null: any method. */
  public static RouteRule of(HttpMethod method, String path, Scope scope) {
    return new RouteRule(method, path, scope, JSON);
  }

  /** A route anyone may call (liveness, readiness). */
  public static RouteRule open(HttpMethod method, String path) {
    return new RouteRule(method, path, null, JSON);
  }

  /** The same rule with bodies of another media type (NDJSON, forms). */
  public RouteRule accepting(String mediaType) {
    return new RouteRule(method, path, scope, mediaType);
  }

  /** Whether the rule is about requests with this method (HEAD counts as GET). */
  boolean matchesMethod(HttpMethod requestMethod) {
    HttpMethod m = requestMethod == HttpMethod.HEAD ? HttpMethod.GET : requestMethod;
    return method == null || method.equals(m);
  }

  /** The paths the rule is about. */
  Pattern pattern() {
    boolean rest = path.endsWith("*");
    String[] segments = (rest ? path.substring(0, path.length() - 1) : path).split("/", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        regex.append('/');
      }
      if (segments[i].startsWith(":")) {
        regex.append("[^/]+");
      } else if (!segments[i].isEmpty()) {
        regex.append(Pattern.quote(segments[i]));
      }
    }
    return Pattern.compile(rest ? regex + ".*" : regex.toString());
  }

}
