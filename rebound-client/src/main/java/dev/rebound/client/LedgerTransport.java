package dev.rebound.client;

import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.client.RetryClient;
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
import javax.net.ssl.SSLContext;

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

  /**
   * Completes many leases in one request, answered after the commit: per completion, in order, its
   * answer or the error that refused it alone ({@code LEASE_LOST}…). The whole future fails only
   * when the request as a whole did (unreachable, refused).
   */
  Future<List<Outcome<JsonObject>>> completeAll(List<CompleteRequest> requests);

  /** Answers after the ledger committed the failure. */
  Future<JsonObject> reportFailure(FailureEvent failure);

  /**
   * The cluster's circuits as the retry service shows them ({@code GET /v1/circuits}:
   * {@code {"circuits":[{name, state, reason, …}]}}), which a worker follows besides the transitions it is
   * told of; fails when the retry service cannot be reached.
   */
  Future<JsonObject> circuits();

  /** Over the (clustered) event bus of {@code vertx}, through the contract's {@link LedgerClient}. */
  static LedgerTransport eventBus(Vertx vertx) {
    return new EventBusTransport(new LedgerClient(vertx), new RetryClient(vertx, 10_000));
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
    return new HttpTransport(vertx, baseUrl, baseUrl, bearerToken, HttpTransport.DEFAULT_TIMEOUT);
  }

  /**
   * Over HTTP with the given bearer token and the time to wait for each answer (on top of a claim's wait);
   * circuits are read from the same {@code baseUrl} (as {@code rebound run} serves every service on one port).
   */
  static LedgerTransport http(Vertx vertx, URI baseUrl, String bearerToken, Duration timeout) {
    return new HttpTransport(vertx, baseUrl, baseUrl, bearerToken, timeout);
  }

  /**
   * Over HTTP to a ledger at {@code ledgerUrl} and a retry service at {@code retryUrl} (its circuits), as
   * separate services are deployed (e.g. {@code http://ledger:8081} and {@code http://retry:8083}).
   */
  static LedgerTransport http(Vertx vertx, URI ledgerUrl, URI retryUrl, String bearerToken, Duration timeout) {
    return new HttpTransport(vertx, ledgerUrl, retryUrl, bearerToken, timeout);
  }

  /**
   * The same over HTTPS with a private CA: {@code tls} decides whom to trust (e.g.
   * {@code TrustedCa.sslContext(Path.of("ca.pem"))}). The other {@code http} variants trust the CA file named by
   * {@code REBOUND_CA_FILE} when it is set, else the JDK's default trust store.
   */
  static LedgerTransport http(Vertx vertx, URI ledgerUrl, URI retryUrl, String bearerToken, Duration timeout,
      SSLContext tls) {
    return new HttpTransport(vertx, ledgerUrl, retryUrl, bearerToken, timeout, tls);
  }
}
