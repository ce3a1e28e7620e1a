package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpsRoutesTest {

  private static Vertx vertx;
  private static WebClient client;
  private static int port;
  private static final AtomicReference<Supplier<Future<JsonObject>>> readiness = new AtomicReference<>();

  @BeforeAll
  static void start() {
    vertx = Await.result(ReboundVertx.createLocal());
    Router router = Router.router(vertx);
    // a short readiness timeout keeps the "never answers" case quick
    OpsRoutes.mount(router, vertx, () -> readiness.get().get(), Duration.ofMillis(300));
    port = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  private static HttpResponse<Buffer> get(String path) {
    return Await.result(client.get(port, "127.0.0.1", path).send());
  }

  @Test
  void livenessIsAlwaysUp() {
    HttpResponse<Buffer> response = get("/health/live");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP"));
  }

  @Test
  void readinessIsUpWithTheDetailsOfTheCheck() {
    readiness.set(() -> Future.succeededFuture(new JsonObject().put("database", "UP").put("migrations", 7)));
    HttpResponse<Buffer> response = get("/health/ready");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("application/json");
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("status", "UP").put("database", "UP").put("migrations", 7));
  }

  @Test
  void readinessIsDownWith503WhenTheCheckFailsThrowsOrReportsDown() {
    readiness.set(() -> Future.failedFuture("database unreachable"));
    HttpResponse<Buffer> failed = get("/health/ready");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
    assertThat(failed.bodyAsJsonObject().getString("reason")).isEqualTo("database unreachable");

    readiness.set(() -> {
      throw new IllegalStateException("pool closed");
    });
    assertThat(get("/health/ready").statusCode()).isEqualTo(503);

    readiness.set(() -> Future.succeededFuture(new JsonObject().put("status", "DOWN").put("migrations", "pending")));
    HttpResponse<Buffer> reported = get("/health/ready");
    assertThat(reported.statusCode()).isEqualTo(503);
    assertThat(reported.bodyAsJsonObject().getString("migrations")).isEqualTo("pending");
  }

  @Test
  void readinessIsDownRatherThanHangingWhenTheCheckNeverAnswers() {
    readiness.set(() -> Promise.<JsonObject>promise().future());
    HttpResponse<Buffer> response = get("/health/ready");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.bodyAsJsonObject().getString("reason")).contains("did not answer");
  }

  @Test
  void metricsAreServedInPrometheusTextFormatIncludingVertxAndCustomMeters() {
    ReboundVertx.registry(vertx).orElseThrow().counter("rebound_test_events").increment();
    get("/health/live");
    HttpResponse<Buffer> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("text/plain; version=0.0.4");
    assertThat(response.bodyAsString())
        .contains("# TYPE rebound_test_events_total counter")
        .contains("vertx_http_server_requests_total")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void twoInstancesInOneJvmKeepSeparateRegistries() {
    Vertx other = Await.result(ReboundVertx.createLocal());
    try {
      assertThat(ReboundVertx.registry(other)).isPresent();
      assertThat(ReboundVertx.registry(other).get()).isNotSameAs(ReboundVertx.registry(vertx).get());
    } finally {
      Await.result(other.close());
    }
  }
}
