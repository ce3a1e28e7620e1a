package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.PostgresProvisioner.EmbeddedDatabase;
import dev.rebound.app.run.PostgresProvisioner.Provisioned;
import dev.rebound.app.run.PostgresProvisioner.Refused;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where {@code rebound run} gets its PostgreSQL, with the probe, the user and the embedded starter faked. */
class PostgresProvisionerTest {
  private final List<String> probed = new ArrayList<>();
  private final List<String> started = new ArrayList<>();

  private PostgresProvisioner provisioner(boolean answers, boolean root) {
    return new PostgresProvisioner((host, port) -> {
      probed.add(host + ":" + port);
      return answers;
    }, () -> root, this::fakeStart);
  }

  private EmbeddedDatabase fakeStart(Path dir, int port, Optional<String> systemUser) {
    started.add(dir + "@" + port + systemUser.map(u -> " as " + u).orElse(""));
    return new EmbeddedDatabase() {
      @Override
      public int port() {
        return 54999;
      }

      @Override
      public Path dataDir() {
        return dir.resolve("data");
      }

      @Override
      public void close() {
      }
    };
  }

  private static Settings settings(Map<String, String> env) {
    return Settings.load(env, Optional.empty());
  }

  @Test
  void aServerThatAnswersIsUsedAsConfiguredEvenAsRoot() {
    Provisioned p = provisioner(true, true).provision(settings(Map.of("PGHOST", "127.0.0.1", "PGPORT", "6543")));

    assertThat(probed).containsExactly("127.0.0.1:6543");
    assertThat(p.overrides()).isEmpty();
    assertThat(p.embedded()).isEmpty();
    assertThat(started).isEmpty();
  }

  @Test
  void theDefaultServerIsLocalhost5432() {
    provisioner(true, false).provision(settings(Map.of()));
    assertThat(probed).containsExactly("127.0.0.1:5432");
  }

  @Test
  void noServerAndRootStartsTheEmbeddedOneAsTheSystemUserUnderVarLib() {
    Provisioned p = provisioner(false, true).provision(settings(Map.of()));

    assertThat(started).containsExactly("/var/lib/rebound/pg@0 as rebound-pg");
    assertThat(p.overrides()).containsEntry("pg.host", "127.0.0.1").containsEntry("pg.user", "postgres");
  }

  @Test
  void asRootAChosenDirectoryIsKept() {
    provisioner(false, true).provision(settings(Map.of("REBOUND_PG_EMBEDDED_DIR", "/srv/pg")));
    assertThat(started).containsExactly("/srv/pg@0 as rebound-pg");
  }

  @Test
  void anUnreachableLocalServerWithEmbeddedNeverExplainsHowToPointAtAServer() {
    assertThatThrownBy(() -> provisioner(false, true).provision(settings(Map.of("REBOUND_PG_EMBEDDED", "never"))))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("No PostgreSQL answers at 127.0.0.1:5432")
        .hasMessageContaining("PGHOST").hasMessageContaining("PGPASSWORD")
        .hasMessageContaining("REBOUND_PG_HOST");
    assertThat(started).isEmpty();
  }

  @Test
  void noServerAndARegularUserStartsTheEmbeddedOneAndPointsTheServicesAtIt() {
    Provisioned p = provisioner(false, false).provision(settings(Map.of(
        "REBOUND_PG_EMBEDDED_DIR", "/tmp/rebound-test-pg", "PGUSER", "alice", "PGDATABASE", "work")));

    assertThat(started).containsExactly("/tmp/rebound-test-pg@0");
    assertThat(p.embedded()).isPresent();
    assertThat(p.overrides()).containsEntry("pg.host", "127.0.0.1").containsEntry("pg.port", "54999")
        .containsEntry("pg.user", "postgres").containsEntry("pg.database", "postgres");
  }

  @Test
  void theEmbeddedDataLivesUnderDotReboundByDefault() {
    provisioner(false, false).provision(settings(Map.of()));
    assertThat(started).containsExactly(
        Path.of(System.getProperty("user.home"), ".rebound", "pg") + "@0");
  }

  @Test
  void anUnreachableRemoteServerIsNeverReplacedByAnEmbeddedOne() {
    assertThatThrownBy(() -> provisioner(false, false).provision(settings(Map.of("PGHOST", "10.255.255.1"))))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("No PostgreSQL answers at 10.255.255.1:5432")
        .hasMessageContaining("only starts its embedded PostgreSQL in place of a local server");
    assertThat(started).isEmpty();
  }

  @Test
  void embeddedNeverRefusesAndAlwaysSkipsTheProbe() {
    assertThatThrownBy(() -> provisioner(false, false).provision(settings(Map.of("REBOUND_PG_EMBEDDED", "never"))))
        .isInstanceOf(Refused.class).hasMessageContaining("pg.embedded=never");

    Provisioned p = provisioner(true, false).provision(settings(Map.of("REBOUND_PG_EMBEDDED", "always",
        "REBOUND_PG_EMBEDDED_PORT", "15432")));
    assertThat(probed).containsExactly("127.0.0.1:5432");
    assertThat(started).hasSize(1).allMatch(s -> s.endsWith("@15432"));
    assertThat(p.embedded()).isPresent();
  }

  @Test
  void embeddedAlwaysAsRootRunsItAsTheSystemUser() {
    provisioner(true, true).provision(settings(Map.of("REBOUND_PG_EMBEDDED", "always")));
    assertThat(started).containsExactly("/var/lib/rebound/pg@0 as rebound-pg");
  }

  @Test
  void aBadModeNamesTheKey() {
    assertThatThrownBy(() -> provisioner(true, false).provision(settings(Map.of("REBOUND_PG_EMBEDDED", "maybe"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pg.embedded").hasMessageContaining("maybe");
  }

  @Test
  void anEmbeddedStartThatFailsIsReportedWithItsCause() {
    PostgresProvisioner failing = new PostgresProvisioner((h, p) -> false, () -> false, (dir, port, user) -> {
      throw new IOException("initdb failed: disk full");
    });
    assertThatThrownBy(() -> failing.provision(settings(Map.of())))
        .isInstanceOf(Refused.class).hasMessageContaining("did not start").hasMessageContaining("disk full");
  }
}
