package dev.rebound.common.client;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Where an operation is served over HTTP. Path parameters ({@code :id}) are merged into the request
 * body; for a GET, so are the query parameters. {@code status} gives the success status from the
 * reply (201 for a created task, 202 for an accepted failure, otherwise 200).
 */
public record HttpRoute(HttpMethod method, String path, ToIntFunction<JsonObject> status) {

  public HttpRoute {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(status, "status");
  }

  /** A GET answered 200. */
  public static HttpRoute get(String path) {
    return new HttpRoute(HttpMethod.GET, path, reply -> 200);
  }

  /** A POST answered 200. */
  public static HttpRoute post(String path) {
    return post(path, reply -> 200);
  }

  /** A DELETE answered 200. */
  public static HttpRoute delete(String path) {
    return new HttpRoute(HttpMethod.DELETE, path, reply -> 200);
  }

  /** A POST whose success status depends on the reply. */
  public static HttpRoute post(String path, ToIntFunction<JsonObject> status) {
    return new HttpRoute(HttpMethod.POST, path, status);
  }
}
