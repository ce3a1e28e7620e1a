package dev.rebound.common.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps PostgreSQL's statistics of a service's own tables in step with their growth, so that cached generic plans
 * follow it. PostgreSQL plans a prepared statement for its arguments five times and may then keep one generic plan,
 * costed with the table sizes of that moment; a plan made while a table was nearly empty (a sequential scan is
 * cheapest then) stays until the table's statistics change. Autovacuum changes them, but only after its naptime
 * (a minute) and a growth of a tenth: a fresh database under a storm ran for a minute on such plans (look-ups
 * scanning 50,000 rows). An {@code ANALYZE} of a table ends the cached plans that use it.
 *
 * <p>Each pass analyses the tables of one schema that changed more rows since their last analysis than they held
 * then (at least {@link #MIN_CHANGES}): a table is analysed as it doubles, about twenty times on its way to a million
 * rows, and then rarely — autovacuum's own, more frequent, analyses take over. Each {@code ANALYZE} reads a
 * bounded sample (30,000 rows at the default statistics target) and blocks no reader or writer.
 */
public final class PlannerStatistics {
  static final String GROWN_TABLES = """
      SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname = $1 AND s.n_mod_since_analyze >= greatest($2::bigint, c.reltuples::bigint)
      ORDER BY s.relname""";

  /** Rows a table must have changed, at least, before a pass analyses it. */
  static final long MIN_CHANGES = 1000;

  private PlannerStatistics() {
  }

  /** Analyses the tables of {@code schema} that grew as described above, one after the other; answers how many. */
  public static Future<Integer> analyzeGrownTables(Pool pool, String schema) {
    return pool.preparedQuery(GROWN_TABLES).execute(Tuple.of(schema, MIN_CHANGES)).compose(rows -> {
      List<String> tables = new ArrayList<>();
      for (Row r : rows) {
        tables.add(quoted(schema) + "." + quoted(r.getString(0)));
      }
      Future<Void> chain = Future.succeededFuture();
      for (String table : tables) {
        chain = chain.compose(v -> pool.query("ANALYZE " + table).execute().mapEmpty());
      }
      return chain.map(v -> tables.size());
    });
  }

  /** An identifier quoted for SQL (the names come from the catalog, but may hold any character). */
  static String quoted(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
