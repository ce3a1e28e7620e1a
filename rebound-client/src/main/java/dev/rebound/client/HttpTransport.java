package dev.rebound.client;

import dev.rebound.common.Outcome;
import dev.rebound.common.request.BatchItems;
import dev.rebound.common.request.CompleteBatch;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.ApiOperation;
import dev.rebound.common.client.LedgerApi;
import dev.rebound.common.client.RetryApi;
import dev.rebound.common.client.TrustedCa;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The ledger over HTTP with the JDK's {@link HttpClient}: each operation goes to its {@link LedgerApi}
 * route, path parameters ({@code :id}) taken out of the request's JSON. Answers come back on the
 * caller's Vert.x context. Error bodies {@code {"error":{code,message,details}}} become
 * {@link ReboundException}s with the same code. The bearer token is sent, never printed. For {@code https} URLs
 * the server's certificate is checked against the given trust, else the CA file {@code REBOUND_CA_FILE}
 * names, else the JDK's default trust store.
 */
final class HttpTransport implements LedgerTransport {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final String baseUrl;
  private final String retryUrl;
  private final String authorization;
  private final Duration timeout;
  private final HttpClient http;

  HttpTransport(Vertx vertx, URI baseUrl, URI retryUrl, String bearerToken, Duration timeout) {
    this(vertx, baseUrl, retryUrl, bearerToken, timeout, TrustedCa.fromEnvironment(System.getenv()).orElse(null));
  }

  /** {@code tls}: whom to trust for {@code https} URLs (null: the JDK's default trust store). */
  HttpTransport(Vertx vertx, URI baseUrl, URI retryUrl, String bearerToken, Duration timeout, SSLContext tls) {
    this.vertx = vertx;
    this.baseUrl = trimmed(baseUrl);
    this.retryUrl = trimmed(retryUrl);
    this.authorization = bearerToken == null || bearerToken.isBlank() ? null : "Bearer " + bearerToken.trim();
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10));
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
  }

  private static String trimmed(URI url) {
    String s = url.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public Future<JsonObject> circuits() {
    return call(retryUrl, RetryApi.CIRCUITS, new JsonObject(), timeout);
  }

  @Override
  public Future<List<TaskView>> claim(ClaimRequest request) {
    return call(LedgerApi.CLAIM, request.toJson(), timeout.plusMillis(request.waitMs()))
        .map(r -> r.getJsonArray("tasks").stream().map(t -> TaskView.fromJson((JsonObject) t)).toList());
  }

  @Override
  public Future<JsonObject> heartbeat(HeartbeatRequest request) {
    return call(LedgerApi.HEARTBEAT, request.toJson(), timeout);
  }

  @Override
  public Future<JsonObject> saveCheckpoint(CheckpointRequest request) {
    return call(LedgerApi.SAVE_CHECKPOINT, request.toJson(), timeout);
  }

  @Override
  public Future<JsonObject> complete(CompleteRequest request) {
    return call(LedgerApi.COMPLETE, request.toJson(), timeout);
  }

  @Override
  public Future<List<Outcome<JsonObject>>> completeAll(List<CompleteRequest> requests) {
    return call(LedgerApi.COMPLETE_ALL, CompleteBatch.of(requests).toJson(), timeout).map(BatchItems::outcomes);
  }

  @Override
  public Future<JsonObject> reportFailure(FailureEvent failure) {
    return call(LedgerApi.REPORT_FAILURE, failure.toJson(), timeout);
  }

  Future<JsonObject> call(LedgerApi operation, JsonObject request, Duration wait) {
    return call(baseUrl, operation, request, wait);
  }

  private Future<JsonObject> call(String base, ApiOperation operation, JsonObject request, Duration wait) {
    JsonObject body = request.copy();
    String path = Arrays.stream(operation.route().path().split("/"))
        .map(segment -> segment.startsWith(":") ? encode(String.valueOf(body.remove(segment.substring(1)))) : segment)
        .reduce((a, b) -> a + "/" + b).orElse("");
    HttpRequest.Builder builder = HttpRequest.newBuilder().timeout(wait).header("Accept", "application/json");
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    if (operation.route().method() == HttpMethod.GET) {
      builder.uri(URI.create(base + path + query(body))).GET();
    } else {
      builder.uri(URI.create(base + path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    }
    Context context = vertx.getOrCreateContext();
    Promise<JsonObject> answer = Promise.promise();
    http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) ->
        context.runOnContext(v -> {
          if (error != null) {
            answer.fail(unreachable(base, path, error));
          } else {
            settle(answer, path, response);
          }
        }));
    return answer.future();
  }

  private static void settle(Promise<JsonObject> answer, String path, HttpResponse<String> response) {
    int status = response.statusCode();
    String text = response.body() == null ? "" : response.body();
    JsonObject json = null;
    try {
      json = text.isBlank() ? new JsonObject() : new JsonObject(text);
    } catch (DecodeException e) {
      // not JSON: described below by its status
    }
    if (status < 300 && json != null) {
      answer.complete(json);
      return;
    }
    JsonObject error = json == null ? null : json.getJsonObject("error");
    if (error != null) {
      answer.fail(new ReboundException(code(error.getString("code"), status),
          error.getString("message", "HTTP " + status), error.getJsonObject("details")));
    } else {
      answer.fail(new ReboundException(code(null, status), "HTTP " + status + " for " + path));
    }
  }

  private static ErrorCode code(String name, int status) {
    if (name != null) {
      try {
        return ErrorCode.valueOf(name);
      } catch (IllegalArgumentException unknown) {
        // fall back to the status
      }
    }
    for (ErrorCode c : ErrorCode.values()) {
      if (c.httpStatus() == status) {
        return c;
      }
    }
    return status >= 400 && status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.UNAVAILABLE;
  }

  private static ReboundException unreachable(String base, String path, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String why = cause instanceof HttpTimeoutException ? "no answer in time"
        : cause instanceof ConnectException ? "connection refused"
        : cause instanceof SSLException ? "TLS failed (" + cause.getMessage() + "; is the server's CA trusted? see "
            + TrustedCa.ENV + ")"
        : cause.getClass().getSimpleName();
    return new ReboundException(ErrorCode.UNAVAILABLE, base + " is unreachable for " + path
        + ": " + why);
  }

  private static String query(JsonObject params) {
    if (params.isEmpty()) {
      return "";
    }
    StringJoiner q = new StringJoiner("&", "?", "");
    for (Map.Entry<String, Object> e : params) {
      if (e.getValue() != null) {
        q.add(encode(e.getKey()) + "=" + encode(String.valueOf(e.getValue())));
      }
    }
    return q.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "HTTP " + baseUrl;
  }
}
