package dev.rebound.retry.store;

/** Every statement of the retry service, as text; run only as prepared statements by {@link RetryStore}. */
final class RetrySql {
  private RetrySql() {
  }

  static final String DECISION_COLUMNS = """
      task_id, attempt, stage, action, run_at, delay_ms, cause, degraded, free, blocked_by, reason, failure_id, decided_at""";

  /** The decisions already taken among a batch's (task, attempt) pairs. */
  static final String DECISIONS_AMONG = "SELECT " + DECISION_COLUMNS
      + " FROM retry.decisions WHERE (task_id, attempt) IN (SELECT * FROM unnest($1::uuid[], $2::int[]))";

  /** A batch of decisions; a (task, attempt) decided already inserts nothing and returns no row. */
  static final String INSERT_DECISIONS = "INSERT INTO retry.decisions (" + DECISION_COLUMNS + ")" + """
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[], $7::text[],
                            $8::bool[], $9::bool[], $10::text[], $11::text[], $12::uuid[], $13::timestamptz[])
      ON CONFLICT (task_id, attempt) DO NOTHING
      RETURNING task_id, attempt""";

  /** A newer snapshot of a circuit replaces an older one, never the reverse. */
  static final String UPSERT_CIRCUIT = """
      INSERT INTO retry.circuits (name, state, version, snapshot, updated_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version,
        snapshot = EXCLUDED.snapshot, updated_at = EXCLUDED.updated_at
      WHERE retry.circuits.version < EXCLUDED.version OR retry.circuits.state <> EXCLUDED.state""";

  static final String INSERT_TRANSITION = """
      INSERT INTO retry.circuit_transitions (name, from_state, to_state, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6)""";

  static final String INSERT_BUDGET_EVENT = """
      INSERT INTO retry.budget_events (budget, kind, retries, allowance, first_attempts, at) VALUES ($1, $2, $3, $4, $5, $6)""";

  static final String NOTE_INTERVENTION = """
      INSERT INTO retry.interventions (task_id, actor, at) VALUES ($1, $2, $3)
      ON CONFLICT (task_id) DO UPDATE SET actor = EXCLUDED.actor, at = EXCLUDED.at""";

  /** How a task that ended DONE got there: its first decision's time, and whether a person stepped in. */
  static final String HEALING = """
      SELECT (SELECT min(decided_at) FROM retry.decisions WHERE task_id = $1) AS first_decided,
             EXISTS (SELECT 1 FROM retry.interventions WHERE task_id = $1) AS intervened""";

  static final String CIRCUITS = "SELECT snapshot FROM retry.circuits ORDER BY name";

  static final String TRANSITIONS = """
      SELECT name, from_state, to_state, reason, actor, at FROM retry.circuit_transitions
      WHERE name = $1 ORDER BY id DESC LIMIT $2""";

  static final String PRUNE_DECISIONS = """
      DELETE FROM retry.decisions WHERE ctid IN (SELECT ctid FROM retry.decisions WHERE decided_at < $1 LIMIT $2)""";

  static final String PRUNE_TRANSITIONS = """
      DELETE FROM retry.circuit_transitions WHERE id IN (SELECT id FROM retry.circuit_transitions WHERE at < $1 LIMIT $2)""";

  static final String PRUNE_INTERVENTIONS = """
      DELETE FROM retry.interventions WHERE task_id IN (SELECT task_id FROM retry.interventions WHERE at < $1 LIMIT $2)""";

  static final String PRUNE_BUDGET_EVENTS = """
      DELETE FROM retry.budget_events WHERE id IN (SELECT id FROM retry.budget_events WHERE at < $1 LIMIT $2)""";
}
