package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL init script of docker-compose.yml ({@code deploy/postgres/init/}), run with psql as the postgres
 * image runs it, against a fresh database of the test server: it creates the role {@code rebound_app}, which is no
 * superuser, and every service then starts as that role, its migrations creating and owning their schemas.
 */
class ComposeDatabaseRoleTest {
  private static final Path INIT = Path.of("..", "deploy", "postgres", "init", "01-rebound-app.sql");
  private static final String PASSWORD = "compose-test-password";

  @Test
  void theInitScriptCreatesANonSuperuserRoleThatEveryServiceStartsAndMigratesAs() throws Exception {
    Optional<Path> psql = MeshComposeTest.onPath("psql");
    assumeTrue(psql.isPresent(), "skipped: no psql on PATH (Debian: postgresql-client) to run the init script with");
    Vertx vertx = Vertx.vertx();
    TestDatabase db = TestDatabase.create(vertx, "composerole").toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    ReboundRun run = null;
    try {
      assertThat(runInitScript(psql.get(), db.options(), Map.of())).as("without REBOUND_DB_PASSWORD")
          .contains("REBOUND_DB_PASSWORD is not set");
      String output = runInitScript(psql.get(), db.options(), Map.of("REBOUND_DB_PASSWORD", PASSWORD));
      assertThat(output).contains("GRANT");

      Map<String, String> overrides = new HashMap<>(db.settingsOverrides());
      overrides.put("pg.user", "rebound_app");
      overrides.put("pg.password", PASSWORD);
      overrides.put("run.port", "0");
      overrides.put("shutdown.timeout", "5s");
      run = ReboundRun.start(Settings.load(Map.of(), Optional.empty()).withOverrides(overrides), ReboundRun.SERVICES,
          PostgresProvisioner.system());
      HttpResponse<String> ready = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(run.url() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

      List<Row> roles = query(vertx, db.options(), "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
          + "WHERE rolname = 'rebound_app'");
      assertThat(roles).hasSize(1);
      assertThat(List.of(roles.get(0).getBoolean(0), roles.get(0).getBoolean(1), roles.get(0).getBoolean(2)))
          .containsOnly(false);
      List<Row> schemas = query(vertx, db.options(), "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace "
          + "WHERE nspname IN ('ledger', 'analyzer', 'retry', 'notifier')");
      assertThat(schemas).extracting(r -> r.getString(0) + " owned by " + r.getString(1)).containsExactlyInAnyOrder(
          "ledger owned by rebound_app", "analyzer owned by rebound_app", "retry owned by rebound_app",
          "notifier owned by rebound_app");
    } finally {
      if (run != null) {
        run.stop();
      }
      db.drop(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      // the role is the server's, not the database's: drop it unless another database still uses it
      try {
        query(vertx, TestDatabase.serverOptions(), "DROP ROLE IF EXISTS rebound_app");
      } catch (java.util.concurrent.ExecutionException stillUsed) {
        // another run's database owns objects of it: that run drops it
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** psql as the postgres image's entrypoint runs a {@code .sql} init file; answers what it printed. */
  private static String runInitScript(Path psql, PgConnectOptions admin, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-h", admin.getHost(), "-p", String.valueOf(admin.getPort()),
        "-U", admin.getUser(), "-d", admin.getDatabase(), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "--no-password",
        "-f", INIT.toString()).redirectErrorStream(true);
    pb.environment().remove("REBOUND_DB_PASSWORD");
    if (admin.getPassword() != null && !admin.getPassword().isEmpty()) {
      pb.environment().put("PGPASSWORD", admin.getPassword());
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("psql finished").isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static List<Row> query(Vertx vertx, PgConnectOptions options, String sql) throws Exception {
    SqlClient client = PgBuilder.client().connectingTo(options).using(vertx).build();
    try {
      List<Row> rows = new ArrayList<>();
      client.query(sql).execute().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).forEach(rows::add);
      return rows;
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
