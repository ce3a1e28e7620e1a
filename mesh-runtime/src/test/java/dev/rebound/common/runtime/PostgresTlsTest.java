package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.testing.TestCertificates;
import dev.rebound.common.testing.TestDatabase;
import dev.rebound.common.testing.TlsPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pg.ssl-mode} and {@code pg.ssl-root-cert}, set the libpq way ({@code PGSSLMODE}, {@code PGSSLROOTCERT}),
 * against a PostgreSQL of the test's own that serves TLS with a certificate of a test CA and rejects plain
 * connections, and against the plain local server.
 */
class PostgresTlsTest {
  @TempDir
  static Path certs;

  private static TestCertificates meshCa;
  private static TestCertificates otherCa;
  private static TlsPostgres server;
  private static Vertx vertx;

  @BeforeAll
  static void startTlsServer() throws Exception {
    meshCa = TestCertificates.authority(certs, "pg-ca");
    otherCa = TestCertificates.authority(certs, "other-ca");
    server = TlsPostgres.start(meshCa.issue("pg-server"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void verifyFullFromPgsslmodeConnectsOverTlsAfterCheckingTheCertificateAgainstPgsslrootcert() {
    Settings settings = tlsServer("verify-full", meshCa.certificate());

    assertThat(Await.result(usesTls(settings.pgConnectOptions()), 30)).isTrue();
  }

  @Test
  void requireEncryptsWithoutARootCertificateAsLibpqDoes() {
    assertThat(Await.result(usesTls(tlsServer("require", null).pgConnectOptions()), 30)).isTrue();
  }

  @Test
  void preferUsesTlsWhereItIsOfferedAndPlainConnectionsWhereItIsNot() {
    assertThat(Await.result(usesTls(tlsServer("prefer", null).pgConnectOptions()), 30)).isTrue();
    assertThat(Await.result(usesTls(localServer("prefer").pgConnectOptions()), 30)).isFalse();
  }

  @Test
  void verifyCaRefusesAServerWhoseCertificateAnotherCaSignedAndSaysWhichSettingToCheck() {
    PgConnectOptions options = tlsServer("verify-ca", otherCa.certificate()).pgConnectOptions();

    Throwable refusal = PostgresTls.explain(failureOf(usesTls(options)), options);

    assertThat(refusal).isInstanceOf(ConfigException.class)
        .hasMessageContaining("TLS with PostgreSQL at 127.0.0.1:" + server.port() + " failed")
        .hasMessageContaining("'verify-ca'").hasMessageContaining("pg.ssl-root-cert");
  }

  @Test
  void aServerThatAcceptsOnlyTlsRefusesDisableWithAHintToRequireIt() {
    PgConnectOptions options = tlsServer("disable", null).pgConnectOptions();

    Throwable refusal = PostgresTls.explain(failureOf(usesTls(options)), options);

    assertThat(refusal).isInstanceOf(ConfigException.class)
        .hasMessageContaining("refuses unencrypted connections").hasMessageContaining("set it to require");
  }

  @Test
  void requireAgainstThePlainLocalServerIsRefusedWithOneSentenceNamingTheSetting() {
    PgConnectOptions options = localServer("require").pgConnectOptions();

    Throwable refusal = PostgresTls.explain(failureOf(usesTls(options)), options);

    assertThat(refusal).isInstanceOf(ConfigException.class).hasMessageContaining("does not accept TLS connections")
        .hasMessageContaining("pg.ssl-mode (env REBOUND_PG_SSL_MODE or PGSSLMODE) is 'require'");
  }

  @Test
  void verifyModesWithoutARootCertificateStopTheStartNamingPgSslRootCert() {
    assertThatThrownBy(() -> tlsServer("verify-full", null).pgConnectOptions())
        .isInstanceOf(ConfigException.class).hasMessageContaining("pg.ssl-root-cert").hasMessageContaining("PGSSLROOTCERT");
    assertThatThrownBy(() -> Settings.load(Map.of("PGSSLMODE", "sometimes"), Optional.empty()).pgConnectOptions())
        .isInstanceOf(ConfigException.class).hasMessageContaining("one of disable, allow, prefer, require");
  }

  @Test
  void reboundsOwnVariableBeatsPgsslmode() {
    Settings settings = Settings.load(Map.of("PGSSLMODE", "require", "REBOUND_PG_SSL_MODE", "disable"),
        Optional.empty());

    assertThat(settings.pgConnectOptions().getSslMode().value).isEqualTo("disable");
  }

  private static Settings tlsServer(String mode, Path rootCert) {
    Map<String, String> env = new HashMap<>(Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(server.port()),
        "PGUSER", "postgres", "PGDATABASE", "postgres", "PGSSLMODE", mode));
    if (rootCert != null) {
      env.put("PGSSLROOTCERT", rootCert.toString());
    }
    return Settings.load(env, Optional.empty());
  }

  private static Settings localServer(String mode) {
    PgConnectOptions local = TestDatabase.serverOptions();
    return Settings.load(Map.of("PGSSLMODE", mode), Optional.empty()).withOverrides(Map.of("pg.host", local.getHost(),
        "pg.port", String.valueOf(local.getPort()), "pg.user", local.getUser(), "pg.password", local.getPassword(),
        "pg.database", "postgres"));
  }

  /** Whether the session PostgreSQL gives these options runs over TLS, as the server sees it. */
  private static Future<Boolean> usesTls(PgConnectOptions options) {
    SqlClient client = PgBuilder.client().connectingTo(options).using(vertx).build();
    return client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").execute()
        .map(rows -> rows.iterator().next().getBoolean(0))
        .eventually(client::close);
  }

  private static Throwable failureOf(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no answer in time", e);
    }
    throw new AssertionError("expected the connection to be refused");
  }
}
