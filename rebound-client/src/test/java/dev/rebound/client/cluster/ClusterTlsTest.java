package dev.rebound.client.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clustered event bus over mutual TLS: a service member ({@code ReboundVertx}, {@code cluster.tls.*}) and a
 * worker joined with {@link ReboundCluster#join} and the same CA exchange messages; an outsider that joins the
 * same Hazelcast cluster without a certificate sees Rebound's subscriptions but can neither deliver to a Rebound
 * address nor receive from a member.
 */
class ClusterTlsTest {
  private static final String ECHO = "rebound.test.tls.echo";
  private static final String OUTSIDER_INBOX = "rebound.test.tls.outsider-inbox";
  private static final DeliveryOptions SHORT = new DeliveryOptions().setSendTimeout(3000);

  @TempDir
  static Path certs;

  private static Vertx service;
  private static Vertx worker;
  private static Vertx outsider;
  private static final AtomicInteger echoedForOutsider = new AtomicInteger();
  private static final AtomicInteger outsiderReceived = new AtomicInteger();

  @BeforeAll
  static void formCluster() throws Exception {
    TestCertificates ca = TestCertificates.authority(certs, "mesh-ca");
    TestCertificates.Issued serviceCert = ca.issue("service");
    TestCertificates.Issued workerCert = ca.issue("worker");
    int servicePort = freePort();
    int workerPort = freePort();
    int outsiderPort = freePort();
    Map<String, String> shared = new HashMap<>(Map.of(
        "cluster.name", "tls-" + UUID.randomUUID(),
        "cluster.members", "127.0.0.1:" + servicePort + ",127.0.0.1:" + workerPort + ",127.0.0.1:" + outsiderPort,
        "cluster.join-wait", "1s"));

    Map<String, String> serviceSettings = new HashMap<>(shared);
    serviceSettings.putAll(Map.of("cluster.enabled", "true", "cluster.port", String.valueOf(servicePort),
        "metrics.enabled", "false", "cluster.tls.cert-file", serviceCert.certificate().toString(),
        "cluster.tls.key-file", serviceCert.key().toString(), "cluster.tls.ca-file", ca.certificate().toString()));
    service = await(ReboundVertx.create(Settings.empty().withOverrides(serviceSettings)));
    await(service.eventBus().<String>consumer(ECHO, m -> {
      if (m.body().startsWith("outsider")) {
        echoedForOutsider.incrementAndGet();
      }
      m.reply("echo " + m.body());
    }).completion());

    Map<String, String> workerSettings = new HashMap<>(shared);
    workerSettings.putAll(Map.of("cluster.port", String.valueOf(workerPort),
        "cluster.tls.cert-file", workerCert.certificate().toString(), "cluster.tls.key-file", workerCert.key().toString(),
        "cluster.tls.ca-file", ca.certificate().toString()));
    worker = await(ReboundCluster.join(workerSettings, Map.of()));

    Map<String, String> outsiderSettings = new HashMap<>(shared);
    outsiderSettings.put("cluster.port", String.valueOf(outsiderPort));
    outsider = await(ReboundCluster.join(outsiderSettings, Map.of()));
    await(outsider.eventBus().<String>consumer(OUTSIDER_INBOX, m -> {
      outsiderReceived.incrementAndGet();
      m.reply("got it");
    }).completion());
  }

  @AfterAll
  static void leave() throws Exception {
    for (Vertx v : new Vertx[] {outsider, worker, service}) {
      if (v != null) {
        await(v.close());
      }
    }
  }

  @Test
  void aWorkerJoinedWithTheMeshCertificateTalksToAService() throws Exception {
    assertThat(await(requestOnceVisible(worker, ECHO, "worker says hi"))).isEqualTo("echo worker says hi");
  }

  @Test
  void anOutsiderWithoutTheCertificateSeesTheSubscriptionButCannotDeliverToIt() throws Exception {
    assertThat(subscribers(outsider, ECHO)).as("Hazelcast membership shows Rebound's subscriptions").isPositive();

    Throwable refused = failureOf(requestOnceVisible(outsider, ECHO, "outsider says hi"));

    assertThat(refused instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)
        .as("refused for want of a certificate, not for want of a handler: %s", refused).isFalse();
    assertThat(echoedForOutsider).hasValue(0);
  }

  @Test
  void aServiceNeverDeliversToAnOutsidersConsumer() throws Exception {
    Throwable refused = failureOf(requestOnceVisible(service, OUTSIDER_INBOX, "a task payload"));

    assertThat(refused instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)
        .as("refused for want of a certificate, not for want of a handler: %s", refused).isFalse();
    assertThat(outsiderReceived).hasValue(0);
  }

  @Test
  void aPartialTlsSetupIsRefusedRatherThanRunningInTheClear() throws Exception {
    Map<String, String> partial = Map.of("cluster.enabled", "true", "cluster.tls.cert-file", "/nonexistent/member.pem");
    assertThat(failureOf(ReboundVertx.create(Settings.empty().withOverrides(partial))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.tls.key-file")
        .hasMessageContaining("cluster.tls.ca-file");
    assertThat(failureOf(ReboundCluster.join(Map.of("cluster.tls.ca-file", "/nonexistent/ca.pem"), Map.of())))
        .hasMessageContaining("cluster.tls.cert-file").hasMessageContaining("REBOUND_CLUSTER_TLS_KEY_FILE");
  }

  /** Retries while the address has no handler in the sender's view (a registration travels), then answers. */
  private static Future<String> requestOnceVisible(Vertx from, String address, String body) {
    Promise<String> done = Promise.promise();
    attempt(from, address, body, 40, done);
    return done.future();
  }

  private static void attempt(Vertx from, String address, String body, int left, Promise<String> done) {
    from.eventBus().<String>request(address, body, SHORT).onSuccess(m -> done.complete(m.body())).onFailure(e -> {
      if (left > 0 && e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
        from.setTimer(250, t -> attempt(from, address, body, left - 1, done));
      } else {
        done.fail(e);
      }
    });
  }

  private static int subscribers(Vertx member, String address) {
    HazelcastInstance hz = ((HazelcastClusterManager) ((VertxInternal) member).clusterManager()).getHazelcastInstance();
    return hz.getMultiMap("__vertx.subs").get(address).size();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
