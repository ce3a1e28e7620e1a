package dev.rebound.client.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ReboundCluster} builds the Hazelcast member a service builds from the same settings (mesh-runtime's
 * {@code ReboundVertx}, which rebound-client may not depend on), and an application joined with it reaches a
 * service-built member's consumers.
 */
class ReboundClusterTest {

  @Test
  void theClientBuildsTheSameHazelcastMemberAsTheServicesFromTheSameSettings() {
    List<Map<String, String>> cases = List.of(
        Map.of(),
        Map.of("cluster.name", "acme", "cluster.members", "127.0.0.1:5801, 127.0.0.1:5802", "cluster.host", "127.0.0.1",
            "cluster.port", "5801", "cluster.join-wait", "3s"),
        Map.of("cluster.host", "localhost", "cluster.bind-any", "true", "cluster.join-wait", "500ms"));
    for (Map<String, String> settings : cases) {
      Config client = ReboundCluster.hazelcastConfig(ReboundCluster.resolve(settings, Map.of()));
      Config service = ReboundVertx.hazelcastConfig(Settings.empty().withOverrides(settings));
      assertThat(essentials(client)).as("settings %s", settings).isEqualTo(essentials(service));
    }
  }

  @Test
  void theClientsDefaultsAreTheServicesDefaults() {
    Map<String, String> resolved = ReboundCluster.resolve(Map.of(), Map.of());
    assertThat(resolved.get(ReboundCluster.NAME)).isEqualTo(RuntimeKeys.CLUSTER_NAME.defaultValue().orElseThrow());
    assertThat(resolved.get(ReboundCluster.MEMBERS)).isEqualTo(String.join(",", RuntimeKeys.CLUSTER_MEMBERS.defaultValue().orElseThrow()));
    assertThat(resolved.get(ReboundCluster.HOST)).isEqualTo(RuntimeKeys.CLUSTER_HOST.defaultValue().orElseThrow());
    assertThat(resolved.get(ReboundCluster.PORT)).isEqualTo(String.valueOf(RuntimeKeys.CLUSTER_PORT.defaultValue().orElseThrow()));
    assertThat(resolved.get(ReboundCluster.BUS_PORT)).isEqualTo(String.valueOf(RuntimeKeys.CLUSTER_BUS_PORT.defaultValue().orElseThrow()));
    for (String key : List.of(ReboundCluster.NAME, ReboundCluster.MEMBERS, ReboundCluster.HOST, ReboundCluster.PORT,
        ReboundCluster.BUS_HOST, ReboundCluster.BUS_PORT, ReboundCluster.JOIN_WAIT, ReboundCluster.BIND_ANY,
        ReboundCluster.CONFIG_FILE, ReboundCluster.TLS_CERT_FILE, ReboundCluster.TLS_KEY_FILE, ReboundCluster.TLS_CA_FILE)) {
      assertThat(ReboundCluster.envVar(key)).isEqualTo(Settings.envVar(key));
      assertThat(RuntimeKeys.ALL).as("a key the services declare too").anyMatch(k -> k.name().equals(key));
    }
  }

  @Test
  void theEnvironmentOverridesTheApplicationsOwnSettings() {
    Map<String, String> resolved = ReboundCluster.resolve(Map.of("cluster.name", "from-code", "cluster.port", "5901"),
        Map.of("REBOUND_CLUSTER_NAME", "from-env", "REBOUND_JAVA_OPTS", "-Xmx1g"));
    assertThat(resolved).containsEntry("cluster.name", "from-env").containsEntry("cluster.port", "5901");
  }

  @Test
  void aMisspelledSettingIsRefusedByName() {
    assertThatThrownBy(() -> ReboundCluster.resolve(Map.of("cluster.member", "10.0.0.1"), Map.of()))
        .hasMessageContaining("cluster.member").hasMessageContaining("cluster.members");
    assertThatThrownBy(() -> ReboundCluster.hazelcastConfig(ReboundCluster.resolve(Map.of("cluster.port", "99999"),
        Map.of()))).hasMessageContaining("cluster.port").hasMessageContaining("REBOUND_CLUSTER_PORT");
  }

  @Test
  void anApplicationJoinedInOneCallReachesAServicesConsumer() throws Exception {
    int servicePort = freePort();
    int appPort = freePort();
    Map<String, String> shared = new HashMap<>();
    shared.put("cluster.name", "client-join-" + UUID.randomUUID());
    shared.put("cluster.members", "127.0.0.1:" + servicePort + ",127.0.0.1:" + appPort);
    shared.put("cluster.join-wait", "1s");
    Map<String, String> service = new HashMap<>(shared);
    service.put("cluster.enabled", "true");
    service.put("cluster.port", String.valueOf(servicePort));
    service.put("metrics.enabled", "false");
    Vertx serviceMember = await(ReboundVertx.create(Settings.empty().withOverrides(service)));
    Vertx app = null;
    try {
      await(serviceMember.eventBus().<String>consumer("client-join.echo", m -> m.reply("echo " + m.body())).completion());
      Map<String, String> mine = new HashMap<>(shared);
      mine.put("cluster.port", String.valueOf(appPort));
      app = await(ReboundCluster.join(mine, Map.of()));
      Vertx a = app;
      String answer = await(Future.<String>future(p -> retryRequest(a, 20, p)));
      assertThat(answer).isEqualTo("echo hello");
    } finally {
      if (app != null) {
        await(app.close());
      }
      await(serviceMember.close());
    }
  }

  /** The consumer's registration reaches the new member's view of the cluster shortly after it joins. */
  private static void retryRequest(Vertx app, int left, io.vertx.core.Promise<String> done) {
    app.eventBus().<String>request("client-join.echo", "hello").onSuccess(m -> done.complete(m.body())).onFailure(e -> {
      if (left <= 0) {
        done.fail(e);
      } else {
        app.setTimer(250, t -> retryRequest(app, left - 1, done));
      }
    });
  }

  /** What decides whom a member meets and how it is reached. */
  private static Map<String, Object> essentials(Config c) {
    Map<String, Object> m = new HashMap<>();
    m.put("name", c.getClusterName());
    m.put("port", c.getNetworkConfig().getPort());
    m.put("autoIncrement", c.getNetworkConfig().isPortAutoIncrement());
    m.put("publicAddress", c.getNetworkConfig().getPublicAddress());
    m.put("multicast", c.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    m.put("autoDetection", c.getNetworkConfig().getJoin().getAutoDetectionConfig().isEnabled());
    m.put("tcpIp", c.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    m.put("members", c.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    for (String p : List.of("hazelcast.local.localAddress", "hazelcast.socket.bind.any",
        "hazelcast.wait.seconds.before.join", "hazelcast.max.wait.seconds.before.join")) {
      m.put(p, c.getProperty(p));
    }
    m.put("subs", c.getMultiMapConfig("__vertx.subs").getValueCollectionType() + "/"
        + c.getMultiMapConfig("__vertx.subs").getBackupCount());
    return m;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
