package dev.rebound.common.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies numbered migrations of one schema from the classpath: {@code db/<schema>/migrations.txt}
 * lists the files in order ({@code V1__init.sql}, …). Each file runs in its own transaction, recorded
 * in {@code <schema>.schema_migrations}. A transaction-scoped advisory lock on the schema name makes
 * two instances starting at once apply each migration exactly once.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private final String schema;
  private final List<String> files;

  private Migrations(String schema, List<String> files) {
    this.schema = schema;
    this.files = files;
  }

  public static Migrations forSchema(String schema) {
    if (!schema.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("bad schema name " + schema);
    }
    String index = read("db/" + schema + "/migrations.txt");
    List<String> files = new ArrayList<>();
    for (String line : index.split("\n")) {
      String f = line.strip();
      if (!f.isEmpty() && !f.startsWith("#")) {
        files.add(f);
      }
    }
    return new Migrations(schema, files);
  }

  public int latestVersion() {
    return files.size();
  }

  /** Applies what is missing; the future carries the number of migrations applied now. */
  public Future<Integer> apply(Pool pool) {
    return pool.withConnection(conn -> applyFrom(conn, 0, 0));
  }

  private Future<Integer> applyFrom(SqlConnection conn, int index, int applied) {
    if (index >= files.size()) {
      return Future.succeededFuture(applied);
    }
    int version = index + 1;
    String file = files.get(index);
    return conn.begin().compose(tx -> conn
        .query("SELECT pg_advisory_xact_lock(hashtext('rebound-migrations:" + schema + "'))").execute()
        .compose(v -> conn.query("CREATE SCHEMA IF NOT EXISTS " + schema).execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS " + schema + ".schema_migrations ("
            + "version int PRIMARY KEY, file text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(v -> conn.preparedQuery("SELECT 1 FROM " + schema + ".schema_migrations WHERE version = $1")
            .execute(Tuple.of(version)))
        .compose(rows -> {
          if (rows.size() > 0) {
            return Future.succeededFuture(false);
          }
          String sql = read("db/" + schema + "/" + file);
          return conn.query(sql).execute()
              .compose(v -> conn.preparedQuery("INSERT INTO " + schema + ".schema_migrations(version, file) VALUES ($1, $2)")
                  .execute(Tuple.of(version, file)))
              .map(v -> true);
        })
        .compose(didApply -> tx.commit().map(didApply))
        .recover(err -> tx.rollback().transform(ignored -> Future.failedFuture(
            new IllegalStateException("migration " + schema + "/" + file + " failed: " + err.getMessage(), err)))))
        .compose(didApply -> {
          if (didApply) {
            LOG.info("applied migration {}/{}", schema, file);
          }
          return applyFrom(conn, index + 1, applied + (didApply ? 1 : 0));
        });
  }

  /** Readiness: the database answers and every migration is applied; fails otherwise. */
  public Future<io.vertx.core.json.JsonObject> readiness(Pool pool) {
    return upToDate(pool).map(upToDate -> {
      if (!upToDate) {
        throw new IllegalStateException(schema + " migrations are not all applied");
      }
      return new io.vertx.core.json.JsonObject().put("database", "UP").put("migrations", latestVersion());
    });
  }

  /** True when every migration of this schema is recorded (readiness). */
  public Future<Boolean> upToDate(Pool pool) {
    return pool.query("SELECT version FROM " + schema + ".schema_migrations").execute()
        .map(rows -> {
          Set<Integer> have = new HashSet<>();
          for (Row r : rows) {
            have.add(r.getInteger(0));
          }
          for (int v = 1; v <= files.size(); v++) {
            if (!have.contains(v)) {
              return false;
            }
          }
          return true;
        });
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }
}
