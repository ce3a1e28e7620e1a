package dev.rebound.client;

import dev.rebound.common.ReboundException;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How a worker reaches the ledger: the operations a lease holder needs. Every failure is a
 * {@link ReboundException} carrying the ledger's error code ({@code LEASE_LOST} when the lease is no
 * longer the caller's).
 */
public interface LedgerTransport {

  Future<List<TaskView>> claim(ClaimRequest request);

  Future<JsonObject> heartbeat(HeartbeatRequest request);

  Future<JsonObject> saveCheckpoint(CheckpointRequest request);

  Future<JsonObject> complete(CompleteRequest request);

  /** Answers after the ledger committed the failure. */
  Future<JsonObject> reportFailure(FailureEvent failure);

  /** Over the (clustered) event bus of {@code vertx}, through the contract's {@link LedgerClient}. */
  static LedgerTransport eventBus(Vertx vertx) {
    return new EventBusTransport(new LedgerClient(vertx));
  }

  /**
   * Over HTTP, for a JVM outside the cluster: the ledger's {@code /v1} routes under {@code baseUrl}
   * (e.g. {@code http://ledger:8081}), with the bearer token of {@code REBOUND_TOKEN} if it is set.
   */
  static LedgerTransport http(Vertx vertx, URI baseUrl) {
    return http(vertx, baseUrl, System.getenv("REBOUND_TOKEN"));
  }

  /** Over HTTP with the given bearer token (null or blank: none). */
  static LedgerTransport http(Vertx vertx, URI baseUrl, String bearerToken) {
    return new HttpTransport(vertx, baseUrl, bearerToken, HttpTransport.DEFAULT_TIMEOUT);
  }

  /** Over HTTP with the given bearer token and the time to wait for each answer (on top of a claim's wait). */
  static LedgerTransport http(Vertx vertx, URI baseUrl, String bearerToken, Duration timeout) {
    return new HttpTransport(vertx, baseUrl, bearerToken, timeout);
  }
}
