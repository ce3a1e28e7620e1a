package dev.rebound.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.auth.RouteRule;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A port served from {@code http.event-loops} event loops: connections are spread over that many event-loop threads,
 * every one of them passes the same router (guard included), and a shutdown closes every server (the port refuses
 * connections afterwards).
 */
class HttpServersTest {
  private static final int CONNECTIONS = 12;

  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void connectionsAreServedFromEveryEventLoopAndShutdownClosesThePort() throws Exception {
    vertx = await(ReboundVertx.create(Settings.empty().withOverrides(Map.of(RuntimeKeys.CLUSTER_ENABLED.name(), "false",
        RuntimeKeys.METRICS_ENABLED.name(), "false", RuntimeKeys.HTTP_EVENT_LOOPS.name(), "3",
        RuntimeKeys.VERTX_EVENT_LOOPS.name(), "4"))));
    assertThat(ReboundVertx.httpEventLoops(vertx)).isEqualTo(3);
    // the test's own route on the service router: which thread served the request
    Router service = Router.router(vertx);
    service.get("/v1/thread").handler(ctx -> ctx.response().end(Thread.currentThread().getName()));
    HttpServers servers = await(ServiceHttpServer.start(vertx,
        new ServiceRoutes(service, List.of(RouteRule.open(HttpMethod.GET, "/v1/thread"))),
        () -> Future.succeededFuture(new JsonObject()), HttpSecurity.open("127.0.0.1"), 0));
    assertThat(servers.size()).isEqualTo(3);
    int port = servers.actualPort();

    // many keep-alive connections open at once: the port hands them to its servers in turn
    List<Socket> sockets = new ArrayList<>();
    Set<String> threads = new HashSet<>();
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        sockets.add(s);
      }
      for (Socket s : sockets) {
        Reply thread = exchange(s, "GET /v1/thread HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(thread.status()).isEqualTo(200);
        threads.add(thread.body());
        // the guard runs on every loop: a body of the wrong type is refused before routing
        Reply refused = exchange(s, "POST /v1/thread HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 1\r\n\r\nx");
        assertThat(refused.status()).isEqualTo(415);
        assertThat(exchange(s, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    assertThat(threads).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("vert.x-eventloop-thread-"));

    await(servers.shutdown(Duration.ofSeconds(2)));
    assertPortClosed(port);
  }

  /** Vert.x unbinds a shared port once its last server closed; that may trail the close's future by a moment. */
  private static void assertPortClosed(int port) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (System.currentTimeMillis() < deadline && accepts(port)) {
      Thread.sleep(20);
    }
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void oneEventLoopIsOneServer() throws Exception {
    vertx = await(ReboundVertx.create(Settings.empty().withOverrides(Map.of(RuntimeKeys.CLUSTER_ENABLED.name(), "false",
        RuntimeKeys.METRICS_ENABLED.name(), "false", RuntimeKeys.HTTP_EVENT_LOOPS.name(), "1"))));
    Router router = Router.router(vertx);
    router.get("/t").handler(ctx -> ctx.response().end(Thread.currentThread().getName()));
    HttpServers servers = await(HttpServers.listen(vertx, ServiceHttpServer.serverOptions(vertx), router, "127.0.0.1",
        0, ReboundVertx.httpEventLoops(vertx)));
    assertThat(servers.size()).isEqualTo(1);
    Set<String> threads = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      try (Socket s = new Socket("127.0.0.1", servers.actualPort())) {
        s.setSoTimeout(10_000);
        threads.add(exchange(s, "GET /t HTTP/1.1\r\nHost: x\r\n\r\n").body());
      }
    }
    assertThat(threads).hasSize(1);
    await(servers.close());
    assertPortClosed(servers.actualPort());
  }

  @Test
  void theDefaultIsOneEventLoopPerPort() {
    assertThat(RuntimeKeys.HTTP_EVENT_LOOPS.defaultValue()).contains(1);
    vertx = Vertx.vertx();
    assertThat(ReboundVertx.httpEventLoops(vertx)).isOne();
  }

  private record Reply(int status, String body) {
  }

  /** One HTTP/1.1 request on a kept-alive socket; the reply's status and body (by Content-Length). */
  private static Reply exchange(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1),
        1);
    String status = in.readLine();
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      int n = in.read(body, read, length - read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    return new Reply(Integer.parseInt(status.split(" ")[1]), new String(body, 0, read));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
