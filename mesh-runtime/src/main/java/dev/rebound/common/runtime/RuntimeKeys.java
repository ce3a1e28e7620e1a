package dev.rebound.common.runtime;

import java.time.Duration;
import java.util.List;

/**
 * The settings every Rebound process shares: PostgreSQL ({@code pg.*}), the cluster
 * ({@code cluster.*}), metrics, the Vert.x instance, shutdown, and {@code rebound run}'s
 * ({@code run.*}, {@code pg.embedded*}), HTTP serving ({@code http.host}, {@code auth.*}). {@link Settings#requireKnown} always knows them, so one
 * YAML file can serve every process.
 */
public final class RuntimeKeys {

  public static final ConfigKey<String> PG_HOST = ConfigKey.string("pg.host", "127.0.0.1",
      "PostgreSQL host").alsoFrom("PGHOST");
  public static final ConfigKey<Integer> PG_PORT = ConfigKey.integer("pg.port", 5432, 1, 65535,
      "PostgreSQL port").alsoFrom("PGPORT");
  public static final ConfigKey<String> PG_DATABASE = ConfigKey.string("pg.database", "postgres",
      "PostgreSQL database").alsoFrom("PGDATABASE");
  public static final ConfigKey<String> PG_USER = ConfigKey.string("pg.user", "postgres",
      "PostgreSQL user").alsoFrom("PGUSER");
  public static final ConfigKey<String> PG_PASSWORD = ConfigKey.secret("pg.password",
      "PostgreSQL password (secret)").alsoFrom("PGPASSWORD");
  public static final ConfigKey<Integer> PG_POOL_SIZE = ConfigKey.integer("pg.pool-size", 8, 1, 1000,
      "connections per service");
  public static final ConfigKey<Integer> PG_PIPELINING_LIMIT = ConfigKey.integer("pg.pipelining-limit", 256,
      1, 65536, "statements in flight per connection");
  public static final ConfigKey<Integer> PG_RECONNECT_ATTEMPTS = ConfigKey.integer("pg.reconnect-attempts", 2,
      0, 1000, "reconnect attempts of a lost connection");
  public static final ConfigKey<Duration> PG_RECONNECT_INTERVAL = ConfigKey.duration("pg.reconnect-interval",
      Duration.ofMillis(500), "pause between reconnect attempts");
  public static final ConfigKey<Duration> PG_STATEMENT_TIMEOUT = ConfigKey.duration("pg.statement-timeout",
      Duration.ofSeconds(30), "PostgreSQL `statement_timeout` of every query (a longer one is cancelled and answered 503); `0` turns it off");
  public static final ConfigKey<Integer> PG_MAX_WAIT_QUEUE = ConfigKey.integer("pg.max-wait-queue", 1000, 1, 1_000_000,
      "requests a service's pool lets wait for a connection; one more is answered 429");
  public static final ConfigKey<Boolean> PG_CACHE_PREPARED_STATEMENTS = ConfigKey.bool(
      "pg.cache-prepared-statements", true, "keep prepared statements per connection");
  public static final ConfigKey<String> PG_PLAN_CACHE_MODE = ConfigKey.oneOf("pg.plan-cache-mode", "auto",
      List.of("auto", "force_custom_plan", "force_generic_plan"),
      "PostgreSQL `plan_cache_mode` of every connection. `auto` (PostgreSQL's default) may keep one generic plan per "
      + "statement; each service analyses its own tables as they double (every 5 s), so a plan made while a table was "
      + "small does not outlive its growth. `force_custom_plan` plans every execution for its arguments (about 0.2 ms "
      + "of PostgreSQL CPU per statement here)");
  public static final ConfigKey<String> PG_SSL_MODE = ConfigKey.oneOf("pg.ssl-mode", "disable",
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
      "TLS to PostgreSQL, libpq's `sslmode` (`require` and up refuse a server without TLS; `verify-ca` checks the "
          + "certificate against `pg.ssl-root-cert`, `verify-full` also the host name)").alsoFrom("PGSSLMODE");
  public static final ConfigKey<String> PG_SSL_ROOT_CERT = ConfigKey.string("pg.ssl-root-cert", null,
      "PEM file of the CA(s) that sign PostgreSQL's certificate; with it `allow`, `prefer` and `require` verify "
          + "it as `verify-ca` does").alsoFrom("PGSSLROOTCERT").derivedDefault("`~/.postgresql/root.crt` when it exists");
  public static final ConfigKey<String> PG_EMBEDDED = ConfigKey.oneOf("pg.embedded", "auto",
      List.of("auto", "always", "never"),
      "`rebound run` only: `auto` (embedded when no local server answers), `always`, `never`");
  public static final ConfigKey<String> PG_EMBEDDED_DIR = ConfigKey.string("pg.embedded.dir", "~/.rebound/pg",
      "embedded binaries (`binaries/`) and data (`data/`); as root the default is `/var/lib/rebound/pg`");
  public static final ConfigKey<Integer> PG_EMBEDDED_PORT = ConfigKey.integer("pg.embedded.port", 0, 0, 65535,
      "embedded server's port (`0`: any free port)");

  public static final ConfigKey<String> RUN_HOST = ConfigKey.string("run.host", "127.0.0.1",
      "`rebound run` (`--host`): listen address (`0.0.0.0` for all)");
  public static final ConfigKey<Integer> RUN_PORT = ConfigKey.integer("run.port", 8080, 0, 65535,
      "`rebound run` (`--port`): the one HTTP port");

  /** Each service declares its own default: {@code HTTP_PORT.withDefault(8081)}. */
  public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("http.port", null, 0, 65535,
      "HTTP port of a service run alone");
  public static final ConfigKey<String> HTTP_HOST = ConfigKey.string("http.host", "127.0.0.1",
      "listen address of a service run alone (`0.0.0.0` for all: then `auth.tokens` are required)");
  public static final ConfigKey<Boolean> HTTP_ENABLED = ConfigKey.bool("http.enabled", true,
      "serve the service's own HTTP port (`rebound run` turns it off)");
  public static final ConfigKey<String> HTTP_TLS_CERT_FILE = ConfigKey.string("http.tls.cert-file", null,
      "PEM certificate (chain) of the HTTP server; with `http.tls.key-file` every HTTP port (a service's, `rebound "
          + "run`'s) serves HTTPS only");
  public static final ConfigKey<String> HTTP_TLS_KEY_FILE = ConfigKey.string("http.tls.key-file", null,
      "PEM private key (PKCS#8 or PKCS#1) of `http.tls.cert-file`");
  public static final ConfigKey<Integer> HTTP_EVENT_LOOPS = ConfigKey.integer("http.event-loops", 1, 1, 64,
      "event loops serving each HTTP port (a service's, `rebound run`'s): that many servers share the port, each "
          + "connection served by one of them (parsing, TLS, tokens, JSON); the operations run on their service's "
          + "event loop. More than 1 is for machines with cores to spare: on 2 cores, 2 made the ledger 15–30 % slower");

  public static final ConfigKey<List<Object>> AUTH_TOKENS = ConfigKey.items("auth.tokens", "none (open: loopback only)",
      "bearer tokens, YAML only: `{name, scopes: [read|worker|operator|metrics], sha256: <hex>}` or `token-file` instead"
      + " of `sha256`; see Security");
  public static final ConfigKey<Boolean> AUTH_DISABLED = ConfigKey.bool("auth.disabled", false,
      "serve the HTTP API without tokens even beyond loopback (say so explicitly: anyone who reaches the port may"
      + " do anything)");

  public static final ConfigKey<Boolean> CLUSTER_ENABLED = ConfigKey.bool("cluster.enabled", false,
      "join a Hazelcast cluster (ignored by `rebound run`)");
  public static final ConfigKey<String> CLUSTER_NAME = ConfigKey.string("cluster.name", "rebound",
      "Hazelcast cluster name");
  public static final ConfigKey<List<String>> CLUSTER_MEMBERS = ConfigKey.list("cluster.members",
      List.of("127.0.0.1"), "TCP-IP members, comma-separated `host[:port]`");
  public static final ConfigKey<String> CLUSTER_HOST = ConfigKey.string("cluster.host", "127.0.0.1",
      "address this member advertises (IP or resolvable name)");
  public static final ConfigKey<Integer> CLUSTER_PORT = ConfigKey.integer("cluster.port", 5701, 1, 65535,
      "Hazelcast port (auto-increments when taken)");
  public static final ConfigKey<String> CLUSTER_BUS_HOST = ConfigKey.string("cluster.bus-host", null,
      "event-bus transport host").derivedDefault("`cluster.host`");
  public static final ConfigKey<Integer> CLUSTER_BUS_PORT = ConfigKey.integer("cluster.bus-port", 0, 0, 65535,
      "event-bus transport port (`0`: any free port)");
  public static final ConfigKey<Duration> CLUSTER_JOIN_WAIT = ConfigKey.duration("cluster.join-wait",
      Duration.ofSeconds(2), "how long a member looks for others before forming its own cluster");
  public static final ConfigKey<Boolean> CLUSTER_BIND_ANY = ConfigKey.bool("cluster.bind-any", null,
      "listen on every interface").derivedDefault("`false` on loopback, else `true`");
  public static final ConfigKey<String> CLUSTER_CONFIG_FILE = ConfigKey.string("cluster.config-file", null,
      "a Hazelcast XML/YAML file instead of the settings above");

  public static final ConfigKey<String> CLUSTER_TLS_CERT_FILE = ConfigKey.string("cluster.tls.cert-file", null,
      "PEM certificate of this member, signed by `cluster.tls.ca-file`: with the three `cluster.tls.*` files the "
          + "event bus runs over TLS and accepts only peers presenting a certificate of that CA");
  public static final ConfigKey<String> CLUSTER_TLS_KEY_FILE = ConfigKey.string("cluster.tls.key-file", null,
      "PEM private key of `cluster.tls.cert-file`");
  public static final ConfigKey<String> CLUSTER_TLS_CA_FILE = ConfigKey.string("cluster.tls.ca-file", null,
      "PEM certificate of the mesh's CA: the only issuer whose members may connect to the event bus");

  public static final ConfigKey<Boolean> METRICS_ENABLED = ConfigKey.bool("metrics.enabled", true,
      "Prometheus `/metrics`");
  public static final ConfigKey<Boolean> METRICS_JVM = ConfigKey.bool("metrics.jvm", true,
      "JVM metrics on `/metrics`");
  public static final ConfigKey<Integer> VERTX_EVENT_LOOPS = ConfigKey.integer("vertx.event-loops", 0, 0, 1024,
      "event-loop threads (`0`: Vert.x's default, 2 × cores)");
  public static final ConfigKey<Integer> VERTX_WORKER_POOL_SIZE = ConfigKey.integer("vertx.worker-pool-size",
      20, 1, 1000, "worker threads");
  public static final ConfigKey<Duration> SHUTDOWN_TIMEOUT = ConfigKey.duration("shutdown.timeout",
      Duration.ofSeconds(20), "graceful-stop bound");

  /** Every key above except {@link #HTTP_PORT}, which each service declares with its default. */
  public static final List<ConfigKey<?>> ALL = List.of(
      PG_HOST, PG_PORT, PG_DATABASE, PG_USER, PG_PASSWORD, PG_POOL_SIZE, PG_PIPELINING_LIMIT,
      PG_RECONNECT_ATTEMPTS, PG_RECONNECT_INTERVAL, PG_STATEMENT_TIMEOUT, PG_MAX_WAIT_QUEUE,
      PG_CACHE_PREPARED_STATEMENTS, PG_PLAN_CACHE_MODE, PG_SSL_MODE, PG_SSL_ROOT_CERT,
      PG_EMBEDDED, PG_EMBEDDED_DIR, PG_EMBEDDED_PORT,
      RUN_PORT, RUN_HOST,
      HTTP_HOST, HTTP_ENABLED, HTTP_TLS_CERT_FILE, HTTP_TLS_KEY_FILE, HTTP_EVENT_LOOPS,
      AUTH_TOKENS, AUTH_DISABLED,
      CLUSTER_ENABLED, CLUSTER_MEMBERS, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_BUS_HOST, CLUSTER_BUS_PORT,
      CLUSTER_NAME, CLUSTER_JOIN_WAIT, CLUSTER_BIND_ANY, CLUSTER_CONFIG_FILE,
      CLUSTER_TLS_CERT_FILE, CLUSTER_TLS_KEY_FILE, CLUSTER_TLS_CA_FILE,
      METRICS_ENABLED, METRICS_JVM, VERTX_EVENT_LOOPS, VERTX_WORKER_POOL_SIZE,
      SHUTDOWN_TIMEOUT);

  private RuntimeKeys() {
  }
}
