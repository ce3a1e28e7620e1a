package dev.rebound.common.client;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Where an operation is served over HTTP. Path parameters ({@code :id}) are merged into the request
 * body; for a GET, so are the query parameters. {@code status} gives the success status from the
 * reply (201 for a created task, 202 for an accepted failure, otherwise 200). {@code itemsField},
 * when set, makes the route a batch: its body may also be a JSON array or NDJSON (one JSON object a
 * line), handed to the operation as {@code {itemsField: [...]}} — the shape the event bus carries.
 */
public record HttpRoute(HttpMethod method, String path, ToIntFunction<JsonObject> status, String itemsField) {

  public HttpRoute {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(status, "status");
  }

  public HttpRoute(HttpMethod method, String path, ToIntFunction<JsonObject> status) {
    this(method, path, status, null);
  }

  /**
   * A POST of many items answered 200 (each item carries its own status): a JSON array, NDJSON, or
   * {@code {itemsField: [...]}}.
   */
  public static HttpRoute postItems(String path, String itemsField) {
    return new HttpRoute(HttpMethod.POST, path, reply -> 200, Objects.requireNonNull(itemsField, "itemsField"));
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
