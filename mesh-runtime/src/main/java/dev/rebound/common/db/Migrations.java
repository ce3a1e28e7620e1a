package dev.rebound.common.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies numbered migrations of one schema from the classpath: {@code db/<schema>/migrations.txt}
 * lists the files in order ({@code V1__init.sql}, {@code V2__…}); the version in each name must be
 * its place in the list (no gaps, no duplicates). Each file runs in its own transaction, recorded in
 * {@code <schema>.schema_migrations} with the SHA-256 of its text. A transaction-scoped advisory
 * lock on the schema name makes two instances starting at once apply each migration exactly once.
 *
 * <p>Before applying anything, every migration already applied is checked against its file: one
 * whose file changed since is refused, naming the schema, version and file (a change belongs in a
 * new migration). Rows written before checksums were recorded get the checksum of the current file.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__[A-Za-z0-9_.-]+\\.sql");

  /** One migration file: its version, name and text. */
  record Script(int version, String file, String sql, String checksum) {
  }

  private final String schema;
  private final List<Script> scripts;

  private Migrations(String schema, List<Script> scripts) {
    this.schema = schema;
    this.scripts = scripts;
  }

  /** The migrations of {@code db/<schema>/}; a misnumbered file is refused here. */
  public static Migrations forSchema(String schema) {
    checkSchemaName(schema);
    String dir = "db/" + schema + "/";
    Map<String, String> files = new LinkedHashMap<>();
    for (String line : read(dir + "migrations.txt").split("\n")) {
      String f = line.strip();
      if (!f.isEmpty() && !f.startsWith("#")) {
        if (files.containsKey(f)) {
          throw misnumbered(schema, f, files.size() + 1, "it is listed twice");
        }
        files.put(f, null);
      }
    }
    files.replaceAll((f, ignored) -> read(dir + f));
    return of(schema, files);
  }

  /** Migrations of {@code schema} from file name to text, in order (tests). */
  static Migrations of(String schema, Map<String, String> files) {
    checkSchemaName(schema);
    List<Script> scripts = new ArrayList<>();
    for (Map.Entry<String, String> e : files.entrySet()) {
      int place = scripts.size() + 1;
      Matcher m = FILE_NAME.matcher(e.getKey());
      if (!m.matches()) {
        throw misnumbered(schema, e.getKey(), place, "its name is not V<version>__<name>.sql");
      }
      if (!m.group(1).equals(Integer.toString(place))) {
        throw misnumbered(schema, e.getKey(), place, "its version is " + m.group(1));
      }
      scripts.add(new Script(place, e.getKey(), e.getValue(), checksum(e.getValue())));
    }
    return new Migrations(schema, List.copyOf(scripts));
  }

  private static void checkSchemaName(String schema) {
    if (!schema.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("bad schema name " + schema);
    }
  }

  private static IllegalStateException misnumbered(String schema, String file, int place, String why) {
    return new IllegalStateException("migrations of schema '" + schema + "': '" + file + "' is number " + place
        + " in db/" + schema + "/migrations.txt, so its name must start with V" + place + "__, but " + why
        + " (versions run V1, V2, V3… with no gaps or duplicates)");
  }

  /** SHA-256 of the text, hex; line endings are normalised so a checkout's CRLF does not count as a change. */
  static String checksum(String sql) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(sql.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public int latestVersion() {
    return scripts.size();
  }

  /**
   * Checks the applied migrations against their files, then applies what is missing; the future
   * carries the number of migrations applied now, or fails naming a changed migration.
   */
  public Future<Integer> apply(Pool pool) {
    return pool.withConnection(conn -> inLockedTransaction(conn, () -> verifyApplied(conn))
        .compose(v -> applyFrom(conn, 0, 0)));
  }

  private <T> Future<T> inLockedTransaction(SqlConnection conn, Supplier<Future<T>> work) {
    return conn.begin().compose(tx -> conn
        // migrations may build indexes on large tables: pg.statement-timeout is for requests, not for them
        .query("SET LOCAL statement_timeout = 0").execute()
        .compose(v -> conn.query("SELECT pg_advisory_xact_lock(hashtext('rebound-migrations:" + schema + "'))").execute())
        .compose(v -> conn.query("CREATE SCHEMA IF NOT EXISTS " + schema).execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS " + schema + ".schema_migrations ("
            + "version int PRIMARY KEY, file text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
            + "checksum text)").execute())
        // tables created before checksums were recorded
        .compose(v -> conn.query("ALTER TABLE " + schema + ".schema_migrations ADD COLUMN IF NOT EXISTS checksum text")
            .execute())
        .compose(v -> work.get())
        .compose(result -> tx.commit().map(result))
        .recover(err -> tx.rollback().transform(ignored -> Future.failedFuture(err))));
  }

  /** Refuses an applied migration whose file changed; records the checksum where none was recorded. */
  private Future<Void> verifyApplied(SqlConnection conn) {
    return conn.query("SELECT version, file, checksum FROM " + schema + ".schema_migrations ORDER BY version")
        .execute()
        .compose(rows -> {
          List<Tuple> missing = new ArrayList<>();
          for (Row row : rows) {
            int version = row.getInteger("version");
            if (version < 1 || version > scripts.size()) {
              continue; // applied by a newer build; nothing here to compare it with
            }
            Script script = scripts.get(version - 1);
            String recorded = row.getString("checksum");
            if (recorded == null) {
              missing.add(Tuple.of(script.checksum(), version));
            } else if (!recorded.equals(script.checksum())) {
              return Future.failedFuture(new IllegalStateException("migration " + schema + " V" + version
                  + " was applied from '" + row.getString("file") + "' but the file '" + script.file()
                  + "' has changed since (SHA-256 " + abbreviate(recorded) + " then, "
                  + abbreviate(script.checksum()) + " now): an applied migration must not change; restore it "
                  + "and put the change in a new migration V" + (scripts.size() + 1)));
            }
          }
          if (missing.isEmpty()) {
            return Future.succeededFuture();
          }
          LOG.info("recording checksums of {} migrations of {} applied before checksums were kept",
              missing.size(), schema);
          return conn.preparedQuery("UPDATE " + schema + ".schema_migrations SET checksum = $1 "
              + "WHERE version = $2 AND checksum IS NULL").executeBatch(missing).mapEmpty();
        });
  }

  private static String abbreviate(String checksum) {
    return checksum.substring(0, 12) + "…";
  }

  private Future<Integer> applyFrom(SqlConnection conn, int index, int applied) {
    if (index >= scripts.size()) {
      return Future.succeededFuture(applied);
    }
    Script script = scripts.get(index);
    return inLockedTransaction(conn, () -> conn
        .preparedQuery("SELECT 1 FROM " + schema + ".schema_migrations WHERE version = $1")
        .execute(Tuple.of(script.version()))
        .compose(rows -> {
          if (rows.size() > 0) {
            return Future.succeededFuture(false);
          }
          return conn.query(script.sql()).execute()
              .compose(v -> conn.preparedQuery("INSERT INTO " + schema
                      + ".schema_migrations(version, file, checksum) VALUES ($1, $2, $3)")
                  .execute(Tuple.of(script.version(), script.file(), script.checksum())))
              .map(v -> true);
        }))
        .recover(err -> Future.failedFuture(new IllegalStateException(
            "migration " + schema + "/" + script.file() + " failed: " + err.getMessage(), err)))
        .compose(didApply -> {
          if (didApply) {
            LOG.info("applied migration {}/{}", schema, script.file());
          }
          return applyFrom(conn, index + 1, applied + (didApply ? 1 : 0));
        });
  }

  /** Readiness: the database answers and every migration is applied; fails otherwise. */
  public Future<JsonObject> readiness(Pool pool) {
    return upToDate(pool).map(upToDate -> {
      if (!upToDate) {
        throw new IllegalStateException(schema + " migrations are not all applied");
      }
      return new JsonObject().put("database", "UP").put("migrations", latestVersion());
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
          for (int v = 1; v <= scripts.size(); v++) {
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
