package dev.rebound.common.client;

import java.util.Locale;
import java.util.Optional;

/**
 * What a bearer token may do over HTTP. Each {@link ApiOperation} declares the one scope it needs; a token
 * holds a set of scopes. {@link #OPERATOR} covers every scope; {@link #WORKER} covers {@link #READ} too (a
 * worker that may claim any task's payload gains nothing by being unable to read it, and the worker client
 * reads circuits and checkpoints). {@code /health/live} and {@code /health/ready} need no token at all.
 */
public enum Scope {
  /** Every GET of the API and the dashboard's pages, except those exposing secrets (receivers, deliveries). */
  READ,
  /** A worker's and an emitter's work: enqueue, claim, heartbeat, checkpoint, complete, report failures, classify. */
  WORKER,
  /** Everything: redrive, purge, decisions, circuits, alerts, silences, stages, and every other scope. */
  OPERATOR,
  /** {@code GET /metrics}. */
  METRICS;

  /** Whether a token holding this scope may do what {@code needed} covers. */
  public boolean covers(Scope needed) {
    return this == needed || this == OPERATOR || this == WORKER && needed == READ;
  }

  /** The scope as written in the configuration ({@code read}, {@code worker}…). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope named {@code name} as written in the configuration, any case; empty when unknown. */
  public static Optional<Scope> fromConfigName(String name) {
    for (Scope s : values()) {
      if (s.configName().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
