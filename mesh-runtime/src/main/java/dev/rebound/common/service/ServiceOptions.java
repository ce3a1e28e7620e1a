package dev.rebound.common.service;

import dev.rebound.common.auth.HttpSecurity;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Objects;

/**
 * What the {@link ServiceVerticle} base needs to know about a service, taken from its config
 * record: its name (logs, pool name, the readiness report of {@code rebound run}), the PostgreSQL
 * schema it owns (migrations under {@code resources/db/<schema>}), the database, the pool size and how
 * many requests may wait for one of its connections ({@code pg.max-wait-queue}; one more is refused
 * with {@code OVERLOADED}), and
 * whether it serves HTTP itself and on which port ({@code rebound run} turns that off and mounts
 * its routes on the shared port), and who may use that port ({@link HttpSecurity}: its address and tokens).
 */
public record ServiceOptions(String name, String schema, PgConnectOptions pgOptions, int poolSize,
                             int maxWaitQueue, boolean httpEnabled, int httpPort, HttpSecurity security) {

  public ServiceOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(pgOptions, "pgOptions");
    Objects.requireNonNull(security, "security");
  }
}
