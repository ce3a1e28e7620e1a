package dev.rebound.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Past {@code max} open connections a request is answered 429 with Retry-After at once and its connection closed. */
class ConnectionCapTest {
  private Vertx vertx;
  private HttpServer server;
  private HttpClientAgent client;
  private final AtomicInteger handled = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(ConnectionCap.apply(vertx.createHttpServer(), 2, req -> {
      handled.incrementAndGet();
      req.response().end("ok " + req.path());
    }).listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aRequestOnAConnectionPastTheCapIsRefusedWith429AndTheConnectionClosedUntilOneIsFree() throws Exception {
    HttpClientConnection first = connect();
    HttpClientConnection second = connect();
    assertThat(status(first, "/v1/tasks")).isEqualTo(200);
    assertThat(status(second, "/v1/tasks")).isEqualTo(200);

    HttpClientConnection third = connect();
    Promise<Void> thirdClosed = Promise.promise();
    third.closeHandler(v -> thirdClosed.tryComplete());
    // health probes pass on any connection
    assertThat(status(third, "/health/live")).isEqualTo(200);
    HttpClientResponse refused = await(third.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/tasks"))
        .compose(req -> req.send("{\"stage\":\"s\"}")));
    String body = await(refused.body()).toString();
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(new JsonObject(body).getJsonObject("error").getString("code")).isEqualTo("OVERLOADED");
    await(thirdClosed.future());
    assertThat(handled.get()).as("the refused request never reached the handler").isEqualTo(3);

    // the connections under the cap keep working, and once one closes a new one is served
    assertThat(status(first, "/v1/tasks")).isEqualTo(200);
    Promise<Void> secondClosed = Promise.promise();
    second.closeHandler(v -> secondClosed.tryComplete());
    await(second.close());
    await(secondClosed.future());
    assertThat(untilServed()).isEqualTo(200);
  }

  /** The server counts a connection closed when it sees it closed: try new connections for a while. */
  private int untilServed() throws Exception {
    int s = 0;
    for (int i = 0; i < 50 && s != 200; i++) {
      HttpClientConnection c = connect();
      s = status(c, "/v1/tasks");
      if (s != 200) {
        Thread.sleep(100);
      }
    }
    return s;
  }

  private HttpClientConnection connect() throws Exception {
    return await(client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(server.actualPort())));
  }

  private static int status(HttpClientConnection c, String path) throws Exception {
    return await(c.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path))
        .compose(req -> req.send().compose(r -> r.body().map(b -> r.statusCode()))));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
