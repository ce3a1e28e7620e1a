package dev.rebound.common.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.http.ServiceHttpServer;
import dev.rebound.common.http.ServiceRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard on an HTTP server whose event bus has no service but a stub ledger: the pages of the missing
 * services say so, hostile values are escaped, and operator actions are refused unless they come from the
 * dashboard's own pages. The browser test (mesh-app's DashboardBrowserTest) drives it against every service.
 */
class DashboardTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Vertx vertx;
  private static HttpServer server;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // a stub ledger: its stats, and one page holding a task whose error is markup
    vertx.eventBus().<JsonObject>consumer(Addresses.LEDGER, msg -> {
      switch (msg.headers().get(Addresses.ACTION_HEADER)) {
        case "stats" -> msg.reply(new JsonObject().put("total", 1).put("byState", new JsonObject().put("FAILED", 1))
            .put("byStage", new JsonObject().put("<b>stage</b>", new JsonObject().put("FAILED", 1))));
        case "list", "dlq.list" -> msg.reply(new JsonObject().put("tasks", List.of(new JsonObject()
            .put("id", "01a25245-92d5-764e-93e2-c4bae3d86ec8").put("stage", "<b>stage</b>").put("state", "FAILED")
            .put("attempt", 1).put("attemptsThisRun", 1).put("maxAttempts", 1).put("version", 3)
            .put("lastError", "<script>alert('x')</script>"))));
        case "failures.list" -> msg.reply(new JsonObject().put("failures", List.of(failure())));
        case "failures.get" -> msg.reply(failure().put("stackTrace", "at <i>frame</i>")
            .put("details", new JsonObject().put("<k>", "<v>")));
        default -> msg.fail(400, "unexpected");
      }
    });
    Router routes = Router.router(vertx);
    server = await(vertx.createHttpServer().requestHandler(ServiceHttpServer.router(vertx,
        () -> Future.succeededFuture(new JsonObject()), HttpSecurity.open("127.0.0.1"),
        List.of(new ServiceRoutes(routes, List.of())))).listen(0, "127.0.0.1"));
    url = "http://127.0.0.1:" + server.actualPort();
  }

  /** A free-standing failure whose texts are markup. */
  private static JsonObject failure() {
    return new JsonObject().put("failureId", "7c9e6679-7425-40de-944b-e07fc1f90ae7").put("stage", "<b>stage</b>")
        .put("source", "<b>app</b>").put("message", "<script>alert('x')</script>")
        .put("occurredAt", "2026-12-07T10:00:00Z").put("recordedAt", "2026-12-07T10:00:01Z");
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aPageOfAServiceThatIsNotOnTheEventBusSaysSoInsteadOfFailing() throws Exception {
    HttpResponse<String> alerts = get("/ui/alerts");
    assertThat(alerts.statusCode()).isEqualTo(200);
    assertThat(alerts.body()).contains("The notifier is not running on this event bus.");
    assertThat(get("/ui/circuits").body()).contains("The retry service is not running on this event bus.");
    assertThat(get("/ui/fingerprints").body()).contains("The analyzer is not running on this event bus.");
  }

  @Test
  void valuesWrittenByWorkersAreEscapedOnEveryPageThatShowsThem() throws Exception {
    for (String page : List.of("/ui", "/ui/dlq", "/ui/failures", "/ui/failures/7c9e6679-7425-40de-944b-e07fc1f90ae7")) {
      HttpResponse<String> r = get(page);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).as(page).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
          .doesNotContain("<script>alert").doesNotContain("<b>stage</b>").contains("&lt;b&gt;stage&lt;/b&gt;");
      assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    }
  }

  @Test
  void anOperatorActionFromAnotherSiteOrWithoutAnOriginIsRefused() throws Exception {
    String form = "id=01a25245-92d5-764e-93e2-c4bae3d86ec8";
    HttpResponse<String> crossSite = post("/ui/dlq/redrive", form, "http://evil.example");
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).contains("FORBIDDEN").contains("another origin");
    assertThat(post("/ui/dlq/redrive", form, null).statusCode()).isEqualTo(403);
  }

  @Test
  void anOperatorActionFromTheDashboardsOwnPageReachesTheService() throws Exception {
    // the stub ledger refuses dlq.redrive: the action got past the same-origin check to the service
    HttpResponse<String> r = post("/ui/dlq/redrive", "id=01a25245-92d5-764e-93e2-c4bae3d86ec8", url);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("unexpected");
  }

  @Test
  void theEventStreamOpensWithTheTopicsItFollows() throws Exception {
    HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(HttpRequest.newBuilder(
        URI.create(url + "/ui/events?topics=tasks,nonsense")).build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    try (var lines = r.body()) {
      assertThat(lines.filter(l -> l.startsWith("data:")).findFirst().orElse("")).contains("[\"tasks\"]");
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String form, String origin) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
