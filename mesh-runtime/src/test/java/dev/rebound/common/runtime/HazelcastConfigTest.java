package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HazelcastConfigTest {

  @Test
  void theMemberJoinsOverTcpIpOnlyWithTheConfiguredNameMembersHostAndPort() {
    Settings s = Settings.load(Map.of(
        "REBOUND_CLUSTER_NAME", "staging",
        "REBOUND_CLUSTER_MEMBERS", "10.1.0.5,10.1.0.6:5801",
        "REBOUND_CLUSTER_HOST", "127.0.0.1",
        "REBOUND_CLUSTER_PORT", "5801"), Optional.empty());
    Config config = ReboundVertx.hazelcastConfig(s);

    assertThat(config.getClusterName()).isEqualTo("staging");
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.1.0.5", "10.1.0.6:5801");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isTrue();
    assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("127.0.0.1");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(config.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
  }

  @Test
  void everyMemberGetsItsOwnInstanceNameSoSeveralCanLiveInOneJvm() {
    Settings s = Settings.empty();
    assertThat(ReboundVertx.hazelcastConfig(s).getInstanceName())
        .isNotEqualTo(ReboundVertx.hazelcastConfig(s).getInstanceName());
  }
}
