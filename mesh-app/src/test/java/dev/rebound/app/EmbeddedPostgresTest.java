package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.sun.security.auth.module.UnixSystem;
import dev.rebound.app.run.EmbeddedPostgresServer;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real embedded PostgreSQL: starts, answers SQL, stops, and keeps its data for the next start.
 * PostgreSQL refuses to run as root, so this is skipped when the tests run as root.
 */
class EmbeddedPostgresTest {

  @Test
  void startsAnswersStopsAndKeepsItsDataAcrossRuns(@TempDir Path base) throws Exception {
    assumeFalse(isRoot(), "skipped: the tests run as root and PostgreSQL refuses to run as root; run them as "
        + "a regular user to exercise the embedded PostgreSQL (rebound run's fallback)");
    Vertx vertx = Vertx.vertx();
    try {
      try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(base, 0)) {
        sql(vertx, first.port(), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
      }
      try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start(base, 0)) {
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
