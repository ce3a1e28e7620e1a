package dev.rebound.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A cached generic plan made while a table was small is replaced once the table has grown and is analysed. */
class PlannerStatisticsTest {
  private static Vertx vertx;
  private static TestDatabase db;
  private static Pool pool;

  @BeforeAll
  static void database() throws Exception {
    vertx = Vertx.vertx();
    db = await(TestDatabase.create(vertx, "plannerstats"));
    pool = db.pool(vertx, 2);
    for (String schema : new String[] {"grown", "other"}) {
      await(pool.query("CREATE SCHEMA " + schema).execute());
      // autovacuum off: only the pass under test may analyse these tables
      await(pool.query("CREATE TABLE " + schema + ".items (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)")
          .execute());
    }
  }

  @AfterAll
  static void drop() throws Exception {
    await(pool.close());
    await(db.drop(vertx));
    await(vertx.close());
  }

  @Test
  void aTableThatDoubledIsAnalysedAndTheGenericPlanCachedWhileItWasSmallMakesWayForAnIndexScan() throws Exception {
    insert("grown", 1, 200);
    await(pool.query("ANALYZE grown.items").execute());
    SqlConnection conn = await(pool.getConnection());
    try {
      await(conn.query("SET plan_cache_mode = force_generic_plan").execute());
      await(conn.query("PREPARE lookup(int[]) AS SELECT i.* FROM unnest($1) k(id) JOIN grown.items i ON i.id = k.id")
          .execute());
      assertThat(plan(conn)).as("200 rows: a scan of the whole table is cheapest").contains("Seq Scan on items");

      insert("grown", 201, 50_000);
      insert("other", 1, 50_000);
      awaitChangesCounted("grown", 49_800);
      awaitChangesCounted("other", 50_000);
      assertThat(plan(conn)).as("the cached plan outlives the growth").contains("Seq Scan on items");
      assertThat(await(PlannerStatistics.analyzeGrownTables(pool, "grown"))).isOne();
      assertThat(plan(conn)).as("analysed: planned again for 50,000 rows").contains("Index Scan")
          .doesNotContain("Seq Scan");
    } finally {
      await(conn.close());
    }
    assertThat(reltuples("grown")).isGreaterThan(40_000);
    assertThat(reltuples("other")).as("another schema's table is not touched").isLessThan(0);

    assertThat(await(PlannerStatistics.analyzeGrownTables(pool, "grown")))
        .as("nothing changed since").isZero();
    insert("grown", 50_001, 60_000);
    awaitChangesCounted("grown", 10_000);
    assertThat(await(PlannerStatistics.analyzeGrownTables(pool, "grown")))
        .as("10,000 changes in a table of 50,000 rows: not yet").isZero();
  }

  @Test
  void identifiersAreQuoted() {
    assertThat(PlannerStatistics.quoted("items")).isEqualTo("\"items\"");
    assertThat(PlannerStatistics.quoted("a\"b")).isEqualTo("\"a\"\"b\"");
  }

  private static void insert(String schema, int from, int to) throws Exception {
    await(pool.preparedQuery("INSERT INTO " + schema + ".items SELECT g, g FROM generate_series($1::int, $2::int) g")
        .execute(Tuple.of(from, to)));
  }

  private static String plan(SqlConnection conn) throws Exception {
    StringBuilder out = new StringBuilder();
    for (Row r : await(conn.query("EXPLAIN EXECUTE lookup('{1,2}')").execute())) {
      out.append(r.getString(0)).append('\n');
    }
    return out.toString();
  }

  /** PostgreSQL counts a backend's changes in its shared statistics within about a second of the commit. */
  private static void awaitChangesCounted(String schema, long atLeast) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (changes(schema) < atLeast && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(changes(schema)).isGreaterThanOrEqualTo(atLeast);
  }

  private static long changes(String schema) throws Exception {
    return await(pool.preparedQuery("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE schemaname = $1")
        .execute(Tuple.of(schema))).iterator().next().getLong(0);
  }

  private static double reltuples(String schema) throws Exception {
    return await(pool.preparedQuery("SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = $1 AND c.relname = 'items'").execute(Tuple.of(schema))).iterator().next().getDouble(0);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
