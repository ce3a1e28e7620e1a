package dev.rebound.app.cli;

import dev.rebound.common.client.TrustedCa;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import javax.net.ssl.SSLException;

/**
 * The CLI's view of a running Rebound: plain JDK HTTP (no Vert.x instance), JSON bodies, and the
 * server's {@code {"error":{code,message}}} turned into a {@link ServerError}. Only Vert.x's
 * {@link JsonObject} (a Jackson wrapper) is borrowed for parsing. A bearer token, when given, goes with every
 * request ({@code Authorization: Bearer …}) and is never printed.
 */
public final class ReboundHttpClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  /** The environment variable holding the token when {@code --token} is not given. */
  public static final String TOKEN_ENV = "REBOUND_TOKEN";

  private final URI base;
  private final String authorization;
  private final String caFile;
  private final HttpClient http;

  /** A client sending the token of {@value #TOKEN_ENV}, when set, and trusting the CA file {@code REBOUND_CA_FILE} names. */
  public ReboundHttpClient(String baseUrl) {
    this(baseUrl, System.getenv(TOKEN_ENV), System.getenv(TrustedCa.ENV));
  }

  /**
   * A client sending {@code token} (null or blank: none) and trusting {@code caFile}, a PEM file of the CA (or
   * self-signed certificate) for an {@code https} URL instead of the JDK's default trust store (null or blank: the
   * default).
   */
  public ReboundHttpClient(String baseUrl, String token, String caFile) {
    this.base = parseBase(baseUrl);
    this.authorization = token == null || token.isBlank() ? null : "Bearer " + token.trim();
    this.caFile = caFile == null || caFile.isBlank() ? null : caFile.trim();
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
    if (this.caFile != null) {
      try {
        builder.sslContext(TrustedCa.sslContext(Path.of(this.caFile)));
      } catch (IllegalArgumentException e) {
        throw new CliFailure(CliFailure.USAGE, "invalid --ca-file: " + e.getMessage());
      }
    }
    this.http = builder.build();
  }

  public String baseUrl() {
    return base.toString();
  }

  /** GET {@code path?query}; null or blank query values are left out. */
  public JsonObject get(String path, Map<String, String> query) {
    return send(HttpRequest.newBuilder(resolve(path, query)).GET());
  }

  public JsonObject post(String path, JsonObject body) {
    return send(HttpRequest.newBuilder(resolve(path, Map.of()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)));
  }

  public JsonObject delete(String path) {
    return send(HttpRequest.newBuilder(resolve(path, Map.of())).DELETE());
  }

  /** Encodes one path segment (an id typed by the user). */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonObject send(HttpRequest.Builder request) {
    request.timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpRequest req = request.build();
    HttpResponse<String> response;
    try {
      response = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw unreachable(e);
    } catch (HttpTimeoutException e) {
      throw new CliFailure(CliFailure.FAILED, "Rebound at " + base + " did not answer " + req.method() + " "
          + req.uri().getPath() + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
    } catch (SSLException e) {
      throw new CliFailure(CliFailure.FAILED, "TLS with Rebound at " + base + " failed: " + e.getMessage()
          + (caFile == null ? ". If its certificate comes from a private CA, pass that CA's PEM file with --ca-file "
              + "(or REBOUND_CA_FILE)." : " (trusting only " + caFile + ")."));
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException ce) {
        throw unreachable(ce);
      }
      throw new CliFailure(CliFailure.FAILED, "talking to Rebound at " + base + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(CliFailure.FAILED, "interrupted");
    }
    String text = response.body() == null ? "" : response.body();
    JsonObject json = null;
    try {
      json = text.isBlank() ? new JsonObject() : new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      // not JSON: reported below with the status
    }
    int status = response.statusCode();
    if (status >= 400) {
      JsonObject error = json == null ? null : json.getJsonObject("error");
      if (error != null) {
        String hint = status == 401 ? (authorization == null ? " (pass a token: --token or " + TOKEN_ENV + ")"
            : " (check the token given with --token or " + TOKEN_ENV + ")") : "";
        throw new ServerError(status, error.getString("code", "HTTP_" + status),
            error.getString("message", "") + hint);
      }
      throw new CliFailure(CliFailure.FAILED, "HTTP " + status + " from " + req.uri() + ": " + abbreviate(text));
    }
    if (json == null) {
      throw new CliFailure(CliFailure.FAILED, "unexpected non-JSON answer from " + req.uri() + ": "
          + abbreviate(text) + " (is --url pointing at Rebound?)");
    }
    return json;
  }

  private CliFailure unreachable(Exception e) {
    return new CliFailure(CliFailure.FAILED, "cannot reach Rebound at " + base + " (" + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "). Is `rebound run` running? "
        + "Point the CLI elsewhere with --url or REBOUND_URL.");
  }

  private URI resolve(String path, Map<String, String> query) {
    StringJoiner q = new StringJoiner("&");
    query.forEach((k, v) -> {
      if (v != null && !v.isBlank()) {
        q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    });
    String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    return URI.create(base.getScheme() + "://" + base.getRawAuthority() + basePath + path
        + (q.length() == 0 ? "" : "?" + q));
  }

  private static URI parseBase(String url) {
    String trimmed = url == null ? "" : url.trim();
    try {
      URI uri = new URI(trimmed);
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
          || uri.getRawAuthority() == null) {
        throw new URISyntaxException(trimmed, "expected http://host:port");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new CliFailure(CliFailure.USAGE, "invalid --url '" + trimmed
          + "': expected something like http://127.0.0.1:8080");
    }
  }

  private static String abbreviate(String s) {
    String oneLine = s.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
