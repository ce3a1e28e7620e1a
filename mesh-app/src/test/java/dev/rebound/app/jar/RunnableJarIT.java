package dev.rebound.app.jar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded {@code target/rebound.jar} as a user runs it ({@code java -jar rebound.jar run}): every
 * service starts and answers. Runs after {@code package} (failsafe), because the in-process tests see
 * the test class path, not what the jar carries — a dependency missing from the jar only shows here.
 */
class RunnableJarIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static Vertx vertx;
  private static TestDatabase db;
  private static Process rebound;
  private static Path log;
  private static int port;

  @BeforeAll
  static void startTheJarAsAUserWould() throws Exception {
    vertx = Vertx.vertx();
    db = TestDatabase.create(vertx, "runnablejar").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Path jar = Path.of("target", "rebound.jar");
    assertThat(jar).as("the shaded jar (built in the package phase)").exists();
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    log = Files.createTempFile("rebound-jar", ".log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar.toString(), "run", "--port", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    // the jar reads its database from the environment, as a user's shell gives it
    db.settingsOverrides().forEach((k, v) -> pb.environment().put("REBOUND_" + k.toUpperCase().replace('.', '_'), v));
    rebound = pb.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (rebound != null) {
      rebound.destroy();
      if (!rebound.waitFor(30, TimeUnit.SECONDS)) {
        rebound.destroyForcibly();
      }
    }
    if (db != null) {
      db.drop(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyServiceOfTheJarStartsAndAnswers() throws Exception {
    JsonObject ready = waitUntilReady();
    assertThat(ready.getString("status")).as(ready.encode()).isEqualTo("UP");
    assertThat(ready.getJsonObject("services").fieldNames()).containsExactlyInAnyOrder("ledger", "retry", "analyzer",
        "notifier");
    assertThat(get("/v1/policies/tests/schedule?attempts=3").getJsonArray("delaysMs").getList())
        .containsExactly(30000, 60000);
    assertThat(get("/v1/alerts").getJsonArray("alerts")).isEmpty();
  }

  private static JsonObject waitUntilReady() throws Exception {
    Instant deadline = Instant.now().plusSeconds(90);
    while (Instant.now().isBefore(deadline)) {
      assertThat(rebound.isAlive()).as("rebound.jar exited early:\n" + Files.readString(log)).isTrue();
      try {
        JsonObject ready = get("/health/ready");
        if ("UP".equals(ready.getString("status"))) {
          return ready;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(200); // polling a separate process for readiness
    }
    throw new AssertionError("rebound.jar was not ready in 90 s:\n" + Files.readString(log));
  }

  private static JsonObject get(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body());
  }
}
