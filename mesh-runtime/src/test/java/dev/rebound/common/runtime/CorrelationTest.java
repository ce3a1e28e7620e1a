package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CorrelationTest {

  private static Vertx vertx;
  private static WebClient client;
  private static int port;
  /** What the event-bus consumers saw, by the marker the test sent. */
  private static final Map<String, String> seen = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    vertx = Await.result(ReboundVertx.createLocal());
    Correlation.install(vertx);
    Correlation.install(vertx); // idempotent

    // downstream: records the id it received and what a log line written here would carry
    vertx.eventBus().<JsonObject>consumer("test.downstream", msg -> {
      String marker = msg.body().getString("marker");
      seen.put(marker + ".downstream", String.valueOf(Correlation.of(msg)));
      msg.reply(new JsonObject().put("log", encodeLogLineHere()));
    });
    // midstream: forwards without setting any header; propagation must carry the id
    vertx.eventBus().<JsonObject>consumer("test.midstream", msg -> {
      String marker = msg.body().getString("marker");
      seen.put(marker + ".midstream", String.valueOf(Correlation.of(msg)));
      vertx.eventBus().<JsonObject>request("test.downstream", msg.body())
          .onSuccess(reply -> msg.reply(reply.body()))
          .onFailure(e -> msg.fail(500, e.getMessage()));
    });

    Router router = Router.router(vertx);
    router.route().handler(Correlation.httpHandler());
    router.get("/echo").handler(ctx -> ctx.response().end(Correlation.of(ctx)));
    router.get("/relay").handler(ctx -> vertx.eventBus()
        .<JsonObject>request("test.midstream", new JsonObject().put("marker", ctx.queryParams().get("marker")))
        .onSuccess(reply -> ctx.response().end(reply.body().encode()))
        .onFailure(ctx::fail));
    HttpServer server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    port = server.actualPort();
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  private static HttpResponse<Buffer> get(String path, String correlationId) {
    var request = client.get(port, "127.0.0.1", path);
    if (correlationId != null) {
      request.putHeader(Correlation.HTTP_HEADER, correlationId);
    }
    return Await.result(request.send());
  }

  @Test
  void aValidIncomingIdIsKeptAndEchoed() {
    HttpResponse<Buffer> response = get("/echo", "order-42:attempt.3_x");
    assertThat(response.getHeader(Correlation.HTTP_HEADER)).isEqualTo("order-42:attempt.3_x");
    assertThat(response.bodyAsString()).isEqualTo("order-42:attempt.3_x");
  }

  @Test
  void aRequestWithoutAnIdGetsAFreshOneEchoedOnTheResponse() {
    HttpResponse<Buffer> response = get("/echo", null);
    String id = response.getHeader(Correlation.HTTP_HEADER);
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(response.bodyAsString()).isEqualTo(id);
    assertThat(get("/echo", null).getHeader(Correlation.HTTP_HEADER)).isNotEqualTo(id);
  }

  @Test
  void anInvalidIncomingIdIsReplacedRatherThanEchoed() {
    for (String bad : new String[] {"x".repeat(129), "has space", "quote\"s", "semi;colon", "ünïcode"}) {
      HttpResponse<Buffer> response = get("/echo", bad);
      assertThat(response.getHeader(Correlation.HTTP_HEADER)).isNotEqualTo(bad).matches("[0-9a-f-]{36}");
    }
    assertThat(get("/echo", "x".repeat(128)).getHeader(Correlation.HTTP_HEADER)).isEqualTo("x".repeat(128));
  }

  @Test
  void theHttpIdFollowsTheWorkAcrossTwoEventBusHopsAndIntoTheLogLines() {
    HttpResponse<Buffer> response = get("/relay?marker=hops", "trace-hops-1");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(seen).containsEntry("hops.midstream", "trace-hops-1").containsEntry("hops.downstream", "trace-hops-1");
    JsonObject logLine = new JsonObject(response.bodyAsJsonObject().getString("log"));
    assertThat(logLine.getString("correlationId")).isEqualTo("trace-hops-1");
  }

  @Test
  void anExplicitHeaderBeatsThePropagatedId() {
    vertx.eventBus().<JsonObject>consumer("test.explicit", msg -> vertx.eventBus()
        .<JsonObject>request("test.downstream", msg.body(), Correlation.options("explicit-id"))
        .onSuccess(reply -> msg.reply(reply.body())));
    Await.result(vertx.eventBus().request("test.explicit", new JsonObject().put("marker", "explicit"),
        Correlation.options("outer-id")));
    assertThat(seen).containsEntry("explicit.downstream", "explicit-id");
  }

  @Test
  void workStartedByATimerCarriesNoIdUntilItRunsWithinOne() {
    Future<String> result = Future.future(p -> vertx.runOnContext(v -> {
      Future<?> plain = vertx.eventBus().request("test.downstream", new JsonObject().put("marker", "timer-plain"));
      Future<?> within = Correlation.within("sweep-7", () ->
          vertx.eventBus().request("test.downstream", new JsonObject().put("marker", "timer-within")));
      Future.all(plain, within).onComplete(ar -> p.complete(Correlation.current().orElse("none")));
    }));
    assertThat(Await.result(result)).isEqualTo("none");
    assertThat(seen).containsEntry("timer-plain.downstream", "null").containsEntry("timer-within.downstream", "sweep-7");
  }

  @Test
  void optionsWithoutAValidIdAddNoHeader() {
    assertThat(Correlation.options(null).getHeaders()).isNull();
    assertThat(Correlation.options("bad id").getHeaders()).isNull();
    assertThat(Correlation.options("ok").getHeaders().get(Correlation.BUS_HEADER)).isEqualTo("ok");
  }

  /** Encodes a log event on the current thread, as the console appender does. */
  private static String encodeLogLineHere() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LoggingEvent event = new LoggingEvent("test", context.getLogger("test"), Level.INFO, "handled", null, null);
    JsonLogEncoder encoder = new JsonLogEncoder();
    encoder.setContext(context);
    return new String(encoder.encode(event), StandardCharsets.UTF_8).trim();
  }
}
