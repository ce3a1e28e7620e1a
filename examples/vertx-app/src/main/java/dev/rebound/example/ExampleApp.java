package dev.rebound.example;

import dev.rebound.client.LedgerTransport;
import dev.rebound.client.ReboundWorker;
import dev.rebound.client.TaskContext;
import dev.rebound.client.cluster.ReboundCluster;
import dev.rebound.common.Addresses;
import dev.rebound.common.message.FailureEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A user's own Vert.x 5 application beside Rebound: it joins the cluster with one call, works the
 * {@value #STAGE} stage with the worker client (a failed future is reported as the task's failure, classified and
 * retried by Rebound), and reports a failure of its own that no task stands for onto {@code rebound.failures}.
 *
 * <pre>
 * REBOUND_CLUSTER_MEMBERS=127.0.0.1:5701 REBOUND_CLUSTER_PORT=5710 java -jar example-vertx-app-…-all.jar
 * </pre>
 */
public final class ExampleApp {
  public static final String STAGE = "thumbnails";
  public static final String SOURCE = "example-app";

  private ExampleApp() {
  }

  public static void main(String[] args) {
    ReboundCluster.join()                                  // REBOUND_CLUSTER_* as for the services
        .compose(ExampleApp::start)
        .onSuccess(worker -> System.out.println("working stage " + STAGE + " as " + worker.name()))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  /** Starts the worker on a joined Vert.x and reports that the application came up with its cache cold. */
  public static Future<ReboundWorker> start(Vertx vertx) {
    ReboundWorker worker = ReboundWorker.builder(vertx, LedgerTransport.eventBus(vertx))
        .name(SOURCE + "-" + UUID.randomUUID().toString().substring(0, 8)).stage(STAGE).concurrency(4).build();
    return worker.work(ExampleApp::thumbnail)
        .compose(v -> reportFailure(vertx, new IllegalStateException(
            "image cache unavailable: connect ECONNREFUSED 127.0.0.1:6379, serving without it")))
        .map(worker);
  }

  /** The work of one task: a payload without an image URL can never succeed (HTTP 400 tells Rebound so). */
  static Future<JsonObject> thumbnail(TaskContext ctx) {
    String url = ctx.payload().getString("url");
    if (url == null || url.isBlank()) {
      return Future.failedFuture(new ReboundWorker.Failure("HTTP 400 Bad Request: the task has no image url")
          .httpStatus(400));
    }
    return Future.succeededFuture(new JsonObject().put("thumbnail", url + "?w=128"));
  }

  /**
   * A failure not tied to a task: the ledger records it (the reply comes after its commit), the analyzer classifies
   * it and the notifier alerts on it.
   */
  public static Future<JsonObject> reportFailure(Vertx vertx, Throwable error) {
    FailureEvent failure = FailureEvent.builder()
        .failureId(UUID.randomUUID())          // sent again with the same id, it is recorded once
        .source(SOURCE).stage(STAGE)
        .errorType(error.getClass().getName()).message(String.valueOf(error.getMessage()))
        .occurredAt(Instant.now()).build();
    return vertx.eventBus().<JsonObject>request(Addresses.FAILURES, failure.toJson()).map(Message::body);
  }
}
