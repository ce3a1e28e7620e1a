package dev.rebound.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Migrations against the real PostgreSQL, one fresh schema per test. */
class MigrationsTest {
  private static final String V1 = "CREATE TABLE %s.items (id int PRIMARY KEY);";
  private static final String V2 = "ALTER TABLE %s.items ADD COLUMN name text;";

  private static Vertx vertx;
  private static TestDatabase db;
  private static Pool pool;
  private static int schemas;

  @BeforeAll
  static void database() throws Exception {
    vertx = Vertx.vertx();
    db = await(TestDatabase.create(vertx, "migrations"));
    pool = db.pool(vertx, 2);
  }

  @AfterAll
  static void drop() throws Exception {
    await(pool.close());
    await(db.drop(vertx));
    await(vertx.close());
  }

  private static String newSchema() {
    return "m" + (++schemas);
  }

  private static Migrations migrations(String schema, String... sqlByVersion) {
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = 0; i < sqlByVersion.length; i++) {
      files.put("V" + (i + 1) + "__step" + (i + 1) + ".sql", sqlByVersion[i].formatted(schema));
    }
    return Migrations.of(schema, files);
  }

  @Test
  void eachMigrationIsAppliedOnceAndRecordedWithTheSha256OfItsFile() throws Exception {
    String schema = newSchema();
    assertThat(await(migrations(schema, V1).apply(pool))).isEqualTo(1);
    assertThat(await(migrations(schema, V1, V2).apply(pool))).isEqualTo(1);
    assertThat(await(migrations(schema, V1, V2).apply(pool))).isZero();

    assertThat(recorded(schema)).containsExactly(
        "1 V1__step1.sql " + Migrations.checksum(V1.formatted(schema)),
        "2 V2__step2.sql " + Migrations.checksum(V2.formatted(schema)));
    assertThat(await(migrations(schema, V1, V2).upToDate(pool))).isTrue();
  }

  @Test
  void anAppliedMigrationWhoseFileChangedIsRefusedNamingTheSchemaVersionAndFile() throws Exception {
    String schema = newSchema();
    await(migrations(schema, V1, V2).apply(pool));

    String changedV2 = "ALTER TABLE %s.items ADD COLUMN name varchar(10);";
    Throwable refused = failure(migrations(schema, V1, changedV2, "SELECT 1").apply(pool));
    assertThat(refused).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("migration " + schema + " V2")
        .hasMessageContaining("'V2__step2.sql' has changed")
        .hasMessageContaining("new migration V4");
    assertThat(recorded(schema)).as("nothing applied after the refusal").hasSize(2);
  }

  @Test
  void aLineEndingChangeAloneIsNotAChangedMigration() throws Exception {
    String schema = newSchema();
    await(migrations(schema, "CREATE TABLE %s.t (a int);\nCREATE TABLE %s.u (a int);\n"
        .replace("%s", schema)).apply(pool));
    assertThat(await(migrations(schema, "CREATE TABLE %s.t (a int);\r\nCREATE TABLE %s.u (a int);\r\n"
        .replace("%s", schema)).apply(pool))).isZero();
  }

  @Test
  void aSchemaMigratedBeforeChecksumsWereKeptGetsThemRecordedAndThenGuarded() throws Exception {
    String schema = newSchema();
    await(pool.query("CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".schema_migrations ("
        + "version int PRIMARY KEY, file text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()); "
        + V1.formatted(schema) + " INSERT INTO " + schema + ".schema_migrations(version, file) "
        + "VALUES (1, 'V1__step1.sql')").execute());

    assertThat(await(migrations(schema, V1, V2).apply(pool))).as("only V2 is new").isEqualTo(1);
    assertThat(recorded(schema)).containsExactly(
        "1 V1__step1.sql " + Migrations.checksum(V1.formatted(schema)),
        "2 V2__step2.sql " + Migrations.checksum(V2.formatted(schema)));

    assertThat(failure(migrations(schema, "CREATE TABLE %s.items (id bigint PRIMARY KEY);", V2).apply(pool)))
        .hasMessageContaining("migration " + schema + " V1");
  }

  @Test
  void aFileWhoseVersionIsNotItsPlaceIsRefusedBeforeTheDatabaseIsTouched() throws Exception {
    String schema = newSchema();
    Map<String, String> gap = new LinkedHashMap<>();
    gap.put("V1__init.sql", "SELECT 1");
    gap.put("V3__later.sql", "SELECT 1");
    assertThatThrownBy(() -> Migrations.of(schema, gap))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema '" + schema + "'").hasMessageContaining("'V3__later.sql' is number 2")
        .hasMessageContaining("must start with V2__");

    Map<String, String> duplicate = new LinkedHashMap<>();
    duplicate.put("V1__init.sql", "SELECT 1");
    duplicate.put("V1__again.sql", "SELECT 1");
    assertThatThrownBy(() -> Migrations.of(schema, duplicate))
        .hasMessageContaining("'V1__again.sql' is number 2").hasMessageContaining("its version is 1");

    Map<String, String> unnumbered = new LinkedHashMap<>();
    unnumbered.put("init.sql", "SELECT 1");
    assertThatThrownBy(() -> Migrations.of(schema, unnumbered))
        .hasMessageContaining("'init.sql'").hasMessageContaining("V<version>__<name>.sql");

    long created = await(pool.preparedQuery("SELECT count(*) FROM pg_namespace WHERE nspname = $1")
        .execute(Tuple.of(schema))).iterator().next().getLong(0);
    assertThat(created).isZero();
  }

  private static List<String> recorded(String schema) throws Exception {
    List<String> out = new ArrayList<>();
    for (Row r : await(pool.query("SELECT version, file, checksum FROM " + schema
        + ".schema_migrations ORDER BY version").execute())) {
      out.add(r.getInteger(0) + " " + r.getString(1) + " " + r.getString(2));
    }
    return out;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the migrations to be refused");
  }
}
