package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.security.auth.module.UnixSystem;
import dev.rebound.app.run.PostgresPlan;
import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.PostgresProvisioner.EmbeddedDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real embedded PostgreSQL, as {@code rebound run} starts it for this user: starts, answers SQL, stops, and
 * keeps its data for the next start. As root (PostgreSQL refuses to run as root) it runs as the system user
 * {@code rebound-pg}, created when missing, which then owns the data directory.
 */
class EmbeddedPostgresTest {

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void startsAnswersStopsAndKeepsItsDataAcrossRuns(@TempDir Path base) throws Exception {
    Optional<String> systemUser = isRoot() ? Optional.of(PostgresPlan.SYSTEM_USER) : Optional.empty();
    Vertx vertx = Vertx.vertx();
    try {
      try (EmbeddedDatabase first = PostgresProvisioner.system().starter().start(base, 0, systemUser)) {
        sql(vertx, first.port(), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
        if (isRoot()) {
          assertThat(Files.getOwner(first.dataDir()).getName()).isEqualTo(PostgresPlan.SYSTEM_USER);
          String postmaster = Files.readAllLines(first.dataDir().resolve("postmaster.pid")).get(0).trim();
          assertThat(Files.getOwner(Path.of("/proc", postmaster)).getName()).as("the server process's user")
              .isEqualTo(PostgresPlan.SYSTEM_USER);
        }
      }
      try (EmbeddedDatabase second = PostgresProvisioner.system().starter().start(base, 0, systemUser)) {
        assertThat(sql(vertx, second.port(), "SELECT n FROM kept")).isEqualTo(42);
        assertThat(second.dataDir()).isEqualTo(base.resolve("data"));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Integer sql(Vertx vertx, int port, String sql) throws Exception {
    SqlClient client = PgBuilder.client().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
        .setUser("postgres").setDatabase("postgres")).using(vertx).build();
    try {
      var rows = client.query(sql).execute().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return rows.iterator().hasNext() ? rows.iterator().next().getInteger(0) : null;
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static boolean isRoot() {
    return new UnixSystem().getUid() == 0;
  }
}
