package dev.rebound.ledger.store;

import dev.rebound.ledger.domain.TaskOperation;

/**
 * Every SQL statement of the ledger, as text. Prepared statements only; no statement reads the
 * database's clock ({@code now()}): the current time is a parameter taken from the injected clock,
 * so tests can pin time. Statements are package-private except the
 * outbox's, which its own package runs.
 */
public final class LedgerSql {
  private LedgerSql() {
  }

  static final String TASK_COLUMNS = """
      id, idempotency_key, workflow_id, stage, agent, type, payload, priority, state, attempt, attempt_base,
      max_attempts, run_after, lease_owner, lease_expires_at, version, created_at, updated_at, finished_at,
      last_error, blocked_reason, result""";

  /** Multi-row enqueue. A known idempotency key inserts nothing; the caller then reads the existing task. */
  static final String ENQUEUE_BATCH = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::int[], $10::int[], $11::timestamptz[], $12::text[], $13::text[])
          AS i(id, idempotency_key, workflow_id, stage, agent, type, payload, priority, max_attempts, run_after,
               actor, correlation_id)
      ), ins AS (
        INSERT INTO ledger.tasks (id, idempotency_key, workflow_id, stage, agent, type, payload, priority, state,
                                  attempt, attempt_base, max_attempts, run_after, version, created_at, updated_at)
        SELECT id, idempotency_key, workflow_id, stage, agent, type, payload::jsonb, priority, 'QUEUED',
               0, 0, max_attempts, run_after, 1, $1, $1
        FROM input
        ON CONFLICT DO NOTHING
        RETURNING %1$s
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, actor, correlation_id, at)
        SELECT ins.id, NULL, 'QUEUED', 0, 'enqueued', i.actor, i.correlation_id, $1
        FROM ins JOIN input i ON i.id = ins.id
      )
      SELECT * FROM ins""".formatted(TASK_COLUMNS);

  static final String TASKS_BY_IDEMPOTENCY_KEYS =
      "SELECT " + TASK_COLUMNS + " FROM ledger.tasks WHERE idempotency_key = ANY($1::text[])";

  static final String TASK_BY_ID = "SELECT " + TASK_COLUMNS + " FROM ledger.tasks WHERE id = $1";

  static final String TASK_BY_ID_FOR_UPDATE =
      "SELECT " + TASK_COLUMNS + ", lease_token FROM ledger.tasks WHERE id = $1 FOR UPDATE";

  static final String STATES_BY_IDS = "SELECT id, state, lease_token FROM ledger.tasks WHERE id = ANY($1::uuid[])";

  /**
   * Claim: one statement locks the next claimable rows (SKIP LOCKED, so concurrent claimers never wait
   * for each other or take the same row), leases them, records history and returns each with its
   * recent checkpoints (validated in Java).
   */
  private static final String CLAIM_TEMPLATE = """
      WITH picked AS (
        SELECT id, state AS from_state FROM ledger.tasks
        WHERE %s AND run_after <= $1 AND ($3::text IS NULL OR type = $3)
        ORDER BY priority DESC, run_after, id
        LIMIT $4
        FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE ledger.tasks t
        SET state = 'RUNNING', attempt = t.attempt + 1, lease_owner = $5, lease_token = gen_random_uuid(),
            lease_expires_at = $1 + make_interval(secs => $6::double precision / 1000.0), lease_ms = $6,
            version = t.version + 1, updated_at = $1, blocked_reason = NULL
        FROM picked WHERE t.id = picked.id
        RETURNING t.*, picked.from_state
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, actor, correlation_id, at)
        SELECT id, from_state, 'RUNNING', attempt, 'claimed', $5, $7, $1 FROM claimed
      )
      SELECT c.*, cp.checkpoints FROM claimed c
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('seq', k.seq, 'state', k.state, 'checksum', k.checksum,
                                          'attempt', k.attempt, 'createdAt', k.created_at) ORDER BY k.seq DESC) AS checkpoints
        FROM ledger.checkpoints k WHERE k.task_id = c.id
      ) cp ON true
      ORDER BY c.priority DESC, c.run_after, c.id""";

  static final String CLAIM_STAGE = CLAIM_TEMPLATE.formatted(TaskOperation.CLAIM.sqlGuard() + " AND stage = $2");
  static final String CLAIM_ANY_STAGE = CLAIM_TEMPLATE.formatted(TaskOperation.CLAIM.sqlGuard() + " AND ($2::text IS NULL)");

  /** Completion of many leases in one statement; a row whose lease token is stale is simply not returned. */
  static final String COMPLETE_BATCH = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[])
          AS i(id, token, result, actor, correlation_id)
      ), done AS (
        UPDATE ledger.tasks t
        SET state = 'DONE', result = i.result::jsonb, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
            version = t.version + 1, updated_at = $1, finished_at = $1
        FROM input i
        WHERE t.id = i.id AND t.%s AND t.lease_token = i.token
        RETURNING t.id, t.workflow_id, t.stage, t.attempt, t.version, i.actor, i.correlation_id
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, actor, correlation_id, at)
        SELECT id, 'RUNNING', 'DONE', attempt, 'completed', actor, correlation_id, $1 FROM done
      )
      SELECT * FROM done""".formatted(TaskOperation.COMPLETE.sqlGuard());

  /**
   * The earliest run-after of a claimable task (already past when work is waiting, in the future for
   * a retry in backoff or a delayed task), of one stage or of all; two statements for two plans.
   */
  static final String NEXT_DUE_OF_STAGE = "SELECT min(run_after) FROM ledger.tasks WHERE "
      + TaskOperation.CLAIM.sqlGuard() + " AND stage = $1";
  static final String NEXT_DUE_ANY_STAGE = "SELECT min(run_after) FROM ledger.tasks WHERE " + TaskOperation.CLAIM.sqlGuard();

  static final String HEARTBEAT = """
      UPDATE ledger.tasks
      SET lease_expires_at = $1 + make_interval(secs => COALESCE($4::bigint, lease_ms)::double precision / 1000.0)
      WHERE id = $2 AND state = 'RUNNING' AND lease_token = $3
      RETURNING id, attempt, lease_expires_at""";

  /**
   * A guarded transition: {@code guard} selects and locks the rows allowed to move, {@code set} names
   * the extra columns to change, {@code toState} the target (a literal or a parameter). Parameters:
   * $1 now, $2 reason, $3 actor, $4 correlation id, $5 error; operation parameters start at $6.
   */
  static String transition(String guard, String toState, String set) {
    return """
        WITH cur AS (
          SELECT id, state AS from_state FROM ledger.tasks WHERE %s FOR UPDATE
        ), upd AS (
          UPDATE ledger.tasks t SET state = %s, version = t.version + 1, updated_at = $1%s
          FROM cur WHERE t.id = cur.id
          RETURNING t.*, cur.from_state
        ), hist AS (
          INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, error, actor, correlation_id, at)
          SELECT id, from_state, state, attempt, $2, $5::text, $3, $4, $1 FROM upd
        )
        SELECT * FROM upd ORDER BY id""".formatted(guard, toState, set.isEmpty() ? "" : ", " + set);
  }

  private static final String CLEAR_LEASE = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";
  /** Optional optimistic check for operations people trigger: $7 the version they saw, or null. */
  private static final String VERSION_GUARD = " AND ($7::bigint IS NULL OR version = $7)";

  static final String CANCEL = transition("id = $6 AND " + TaskOperation.CANCEL.sqlGuard() + VERSION_GUARD,
      "'CANCELLED'", CLEAR_LEASE + ", finished_at = $1");

  static final String BLOCK = transition("id = $6 AND " + TaskOperation.BLOCK.sqlGuard() + VERSION_GUARD,
      "'BLOCKED'", CLEAR_LEASE + ", blocked_reason = $2");

  static final String UNBLOCK = transition("id = $6 AND " + TaskOperation.UNBLOCK.sqlGuard() + VERSION_GUARD,
      "'QUEUED'", "blocked_reason = NULL, run_after = $1");

  /** Provisional failure of the current attempt: $6 id, $7 attempt, $8 target state, $9 run after. */
  static final String FAIL_ATTEMPT = transition("id = $6 AND " + TaskOperation.FAIL.sqlGuard() + " AND attempt = $7",
      "$8::text", CLEAR_LEASE + ", last_error = $5::text, run_after = $9,"
          + " finished_at = CASE WHEN $8::text = 'FAILED' THEN $1::timestamptz ELSE NULL END");

  /** Decisions, guarded by the attempt they were made for: $6 id, $7 attempt. */
  static final String DECIDE_RETRY = transition("id = $6 AND attempt = $7 AND " + TaskOperation.RETRY_AT.sqlGuard(),
      "'RETRY'", "run_after = $8, blocked_reason = NULL");
  static final String DECIDE_PARK = transition("id = $6 AND attempt = $7 AND " + TaskOperation.PARK.sqlGuard(),
      "'BLOCKED'", "blocked_reason = $2");
  static final String DECIDE_DEAD_LETTER = transition("id = $6 AND attempt = $7 AND " + TaskOperation.DEAD_LETTER.sqlGuard(),
      "'FAILED'", "finished_at = $1");
  /** Abort: $6 workflow id. */
  static final String ABORT_WORKFLOW = transition(
      "workflow_id = $6 AND " + TaskOperation.CANCEL.sqlGuard(),
      "'CANCELLED'", CLEAR_LEASE + ", finished_at = $1");

  /** Redrive with a fresh attempt budget: $6 ids. */
  static final String REDRIVE_IDS = transition("id = ANY($6::uuid[]) AND " + TaskOperation.REDRIVE.sqlGuard(),
      "'QUEUED'", "attempt_base = t.attempt, run_after = $1, finished_at = NULL");
  /** Redrive by filter: $6 stage, $7 workflow id, $8 limit. */
  static final String REDRIVE_FILTER = transition("""
      id IN (SELECT id FROM ledger.tasks WHERE %s AND ($6::text IS NULL OR stage = $6)
             AND ($7::text IS NULL OR workflow_id = $7) ORDER BY id LIMIT $8) AND %s""".formatted(
          TaskOperation.REDRIVE.sqlGuard(), TaskOperation.REDRIVE.sqlGuard()),
      "'QUEUED'", "attempt_base = t.attempt, run_after = $1, finished_at = NULL");

  static final String PURGE_IDS = "DELETE FROM ledger.tasks WHERE state = 'FAILED' AND id = ANY($1::uuid[]) RETURNING id";
  static final String PURGE_FILTER = """
      DELETE FROM ledger.tasks WHERE id IN (
        SELECT id FROM ledger.tasks WHERE state = 'FAILED' AND ($1::text IS NULL OR stage = $1)
        AND ($2::text IS NULL OR workflow_id = $2) ORDER BY id LIMIT $3)
      RETURNING id""";

  static final String FAILURE_EXISTS = """
      SELECT id FROM ledger.failures WHERE id = $1 OR (task_id = $2 AND attempt = $3) LIMIT 1""";

  static final String INSERT_FAILURE = """
      INSERT INTO ledger.failures (id, task_id, attempt, source, stage, workflow_id, message, error_type, stack_trace,
                                   http_status, exit_code, sql_state, details, occurred_at, recorded_at, provisional,
                                   next_send_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
      ON CONFLICT DO NOTHING
      RETURNING id""";

  /** Outbox: failures still without a decision whose resend time has come, locked for this sweeper. */
  public static final String FAILURES_DUE_FOR_RESEND = """
      SELECT f.id, f.task_id, f.attempt, f.source, f.stage, f.workflow_id, f.message, f.error_type, f.stack_trace,
             f.http_status, f.exit_code, f.sql_state, f.details, f.occurred_at, f.sends
      FROM ledger.failures f
      WHERE f.decided_at IS NULL AND f.next_send_at <= $1
      ORDER BY f.next_send_at
      LIMIT $2
      FOR UPDATE SKIP LOCKED""";

  /** $2 null: the last send; the failure is then given up on ('EXHAUSTED') rather than left pending forever. */
  public static final String MARK_FAILURE_SENT = """
      UPDATE ledger.failures SET sends = sends + 1, next_send_at = $2,
             decided_at = CASE WHEN $2::timestamptz IS NULL THEN $3 ELSE decided_at END,
             decision = CASE WHEN $2::timestamptz IS NULL THEN 'EXHAUSTED' ELSE decision END
      WHERE id = $1""";

  /** A decision for an attempt that moved on, or the end of resending: no further sends. */
  static final String MARK_FAILURE_DECIDED = """
      UPDATE ledger.failures SET decided_at = $1, decision = $4, next_send_at = NULL
      WHERE task_id = $2 AND attempt = $3 AND (decided_at IS NULL OR decision = 'EXHAUSTED')""";

  public static final String MARK_FREE_FAILURE_DELIVERED = """
      UPDATE ledger.failures SET decided_at = $1, decision = 'DELIVERED', next_send_at = NULL
      WHERE id = $2 AND task_id IS NULL AND decided_at IS NULL""";

  /** Failures whose attempt is no longer current need no decision any more. */
  public static final String RETIRE_STALE_FAILURES = """
      UPDATE ledger.failures SET decided_at = $1, decision = 'SUPERSEDED', next_send_at = NULL
      WHERE id IN (
        SELECT f.id FROM ledger.failures f JOIN ledger.tasks t ON t.id = f.task_id
        WHERE f.decided_at IS NULL AND f.next_send_at <= $1 AND (t.attempt > f.attempt OR t.state IN ('DONE','CANCELLED'))
        LIMIT 1000)""";

  static final String INSERT_DECISION = """
      INSERT INTO ledger.decisions (task_id, attempt, action, run_at, reason, decided_by, applied, outcome, at)
      VALUES ($1, $2, $3, $4, $5, $6, false, 'pending', $7)
      ON CONFLICT DO NOTHING
      RETURNING task_id""";

  static final String DECISION_OUTCOME = "SELECT action, applied, outcome FROM ledger.decisions WHERE task_id = $1 AND attempt = $2";

  static final String UPDATE_DECISION_OUTCOME =
      "UPDATE ledger.decisions SET applied = $3, outcome = $4 WHERE task_id = $1 AND attempt = $2";

  static final String EXPIRED_LEASES = """
      SELECT id, attempt, lease_token, lease_owner, lease_expires_at, stage, workflow_id FROM ledger.tasks
      WHERE state = 'RUNNING' AND lease_expires_at < $1
      ORDER BY lease_expires_at LIMIT $2""";

  static final String HISTORY = """
      SELECT from_state, to_state, attempt, reason, error, actor, correlation_id, at
      FROM ledger.history WHERE task_id = $1 ORDER BY id""";

  static final String INSERT_CHECKPOINT = """
      INSERT INTO ledger.checkpoints (task_id, seq, state, checksum, attempt, created_at)
      SELECT $1, $2, $3, $4, t.attempt, $5 FROM ledger.tasks t
      WHERE t.id = $1 AND t.state = 'RUNNING' AND t.lease_token = $6
      ON CONFLICT (task_id, seq) DO NOTHING
      RETURNING seq""";

  /** Keeps the newest {@code $2} checkpoints of a task. */
  static final String TRIM_CHECKPOINTS = """
      DELETE FROM ledger.checkpoints WHERE task_id = $1 AND seq NOT IN (
        SELECT seq FROM ledger.checkpoints WHERE task_id = $1 ORDER BY seq DESC LIMIT $2)""";

  static final String CHECKPOINTS_OF_TASK = """
      SELECT seq, state, checksum, attempt, created_at FROM ledger.checkpoints WHERE task_id = $1 ORDER BY seq DESC""";

  /** Keyset listing; the filters that are null do not apply. */
  static final String LIST_TASKS = """
      SELECT %s FROM ledger.tasks
      WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR stage = $2)
        AND ($3::text IS NULL OR workflow_id = $3) AND ($4::text IS NULL OR agent = $4)
        AND ($5::uuid IS NULL OR id > $5)
      ORDER BY id LIMIT $6""".formatted(TASK_COLUMNS);

  static final String STATS = """
      SELECT stage, state, count(*) AS n FROM ledger.tasks GROUP BY stage, state ORDER BY stage, state""";

  static final String PRUNE_FINISHED = """
      DELETE FROM ledger.tasks WHERE id IN (
        SELECT id FROM ledger.tasks
        WHERE (state IN ('DONE','CANCELLED') AND finished_at < $1) OR (state = 'FAILED' AND finished_at < $2)
        LIMIT $3)""";

  static final String PRUNE_FREE_FAILURES = """
      DELETE FROM ledger.failures WHERE id IN (
        SELECT id FROM ledger.failures WHERE task_id IS NULL AND recorded_at < $1 LIMIT $2)""";

  static final String NOTIFY = "SELECT pg_notify($1, $2)";
}
