package dev.rebound.common.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh PostgreSQL database for one test class, on the real server (PG* variables, default
 * 127.0.0.1:5432 user postgres). Dropped by {@link #drop()}.
 */
public final class TestDatabase {
  private final PgConnectOptions admin;
  private final String name;

  private TestDatabase(PgConnectOptions admin, String name) {
    this.admin = admin;
    this.name = name;
  }

  public static PgConnectOptions serverOptions() {
    Map<String, String> env = System.getenv();
    return new PgConnectOptions()
        .setHost(env.getOrDefault("PGHOST", "127.0.0.1"))
        .setPort(Integer.parseInt(env.getOrDefault("PGPORT", "5432")))
        .setUser(env.getOrDefault("PGUSER", "postgres"))
        .setPassword(env.getOrDefault("PGPASSWORD", ""))
        .setDatabase("postgres");
  }

  /** Creates {@code rebound_t_<prefix>_<random>}. */
  public static Future<TestDatabase> create(Vertx vertx, String prefix) {
    String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String name = "rebound_t_" + clean.substring(0, Math.min(20, clean.length())) + "_"
        + UUID.randomUUID().toString().substring(0, 8);
    PgConnectOptions admin = serverOptions();
    SqlClient client = PgBuilder.client().connectingTo(admin).using(vertx).build();
    return client.query("CREATE DATABASE " + name).execute()
        .eventually(client::close)
        .map(v -> new TestDatabase(admin, name));
  }

  public String name() {
    return name;
  }

  public PgConnectOptions options() {
    return new PgConnectOptions(admin).setDatabase(name);
  }

  /** Settings overrides pointing a service at this database. */
  public Map<String, String> settingsOverrides() {
    PgConnectOptions o = options();
    return Map.of("pg.host", o.getHost(), "pg.port", String.valueOf(o.getPort()), "pg.user", o.getUser(),
        "pg.database", name);
  }

  public Pool pool(Vertx vertx, int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(options()).using(vertx).build();
  }

  public Future<Void> drop(Vertx vertx) {
    SqlClient client = PgBuilder.client().connectingTo(admin).using(vertx).build();
    return client.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").execute()
        .eventually(client::close)
        .mapEmpty();
  }
}
