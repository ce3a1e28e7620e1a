package dev.rebound.ledger.store;

import dev.rebound.ledger.domain.TaskOperation;

/**
 * Every SQL statement of the ledger, as text. Prepared statements only. The current time is a
 * parameter taken from the injected clock, so tests can pin time — except for leases: their expiry
 * is set and judged by the database's clock ({@code COALESCE(<lease now>, now())}, the parameter null
 * in production, see {@link Timestamps#leaseNow}), so ledger instances whose clocks disagree never
 * rescue each other's live leases. Statements are package-private except the
 * outbox's, which its own package runs.
 */
public final class LedgerSql {
  private LedgerSql() {
  }

  static final String TASK_COLUMNS = """
      id, idempotency_key, workflow_id, stage, agent, type, payload, priority, state, attempt, attempt_base,
      max_attempts, run_after, lease_owner, lease_expires_at, version, created_at, updated_at, finished_at,
      last_error, blocked_reason, result""";

  /**
   * Enqueue of many tasks in one statement with their history rows (a known idempotency key inserts
   * nothing; the caller then reads the existing task); $15 are the claim wake-up
   * notifications for other ledger instances (on channel $16), sent in the same transaction (delivered at its commit,
   * only when a task was inserted) rather than in one of their own: a NOTIFY commits with a WAL flush.
   */
  static final String ENQUEUE_BATCH = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::int[], $10::int[], $11::timestamptz[], $12::text[], $13::text[], $14::int[])
          AS i(id, idempotency_key, workflow_id, stage, agent, type, payload, priority, max_attempts, run_after,
               actor, correlation_id, own_max_attempts)
      ), ins AS (
        INSERT INTO ledger.tasks (id, idempotency_key, workflow_id, stage, agent, type, payload, priority, state,
                                  attempt, attempt_base, max_attempts, own_max_attempts, run_after, version, created_at,
                                  updated_at)
        SELECT id, idempotency_key, workflow_id, stage, agent, type, payload::jsonb, priority, 'QUEUED',
               0, 0, max_attempts, own_max_attempts, run_after, 1, $1, $1
        FROM input
        ON CONFLICT DO NOTHING
        RETURNING %1$s
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, actor, correlation_id, at)
        SELECT ins.id, NULL, 'QUEUED', 0, 'enqueued', i.actor, i.correlation_id, $1
        FROM ins JOIN input i ON i.id = ins.id
      ), notified AS (
        SELECT pg_notify($16, p) FROM unnest($15::text[]) p WHERE EXISTS (SELECT 1 FROM ins)
      )
      SELECT * FROM ins WHERE (SELECT count(*) FROM notified) >= 0""".formatted(TASK_COLUMNS);

  static final String TASKS_BY_IDEMPOTENCY_KEYS =
      "SELECT " + TASK_COLUMNS + " FROM ledger.tasks WHERE idempotency_key = ANY($1::text[])";

  static final String TASK_BY_ID = "SELECT " + TASK_COLUMNS + " FROM ledger.tasks WHERE id = $1";

  /** The tasks of a group of failures or decisions, locked in id order (so concurrent groups cannot deadlock). */
  static final String TASKS_BY_IDS_FOR_UPDATE =
      "SELECT " + TASK_COLUMNS + ", lease_token, own_max_attempts, provisional_dead_letter_version"
          + ", now() AS db_now FROM ledger.tasks WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE";

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
            lease_expires_at = COALESCE($8::timestamptz, now()) + make_interval(secs => $6::double precision / 1000.0),
            lease_ms = $6,
            version = t.version + 1, updated_at = $1, blocked_reason = NULL
        FROM picked WHERE t.id = picked.id
        RETURNING t.*, picked.from_state
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, actor, correlation_id, at)
        SELECT id, from_state, 'RUNNING', attempt, 'claimed', $5, $7, $1 FROM claimed
      ), probe_taken AS (
        UPDATE ledger.stage_pauses p SET probe_task = NULL, probe_allowance = p.probe_allowance - 1
        FROM claimed WHERE p.probe_task = claimed.id
      )
      SELECT c.*, cp.checkpoints FROM claimed c
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('seq', k.seq, 'state', k.state, 'checksum', k.checksum,
                                          'attempt', k.attempt, 'createdAt', k.created_at) ORDER BY k.seq DESC) AS checkpoints
        FROM ledger.checkpoints k WHERE k.task_id = c.id
      ) cp ON true
      ORDER BY c.priority DESC, c.run_after, c.id""";

  /**
   * A paused stage hands out nothing but its probe. An anti-join on the (small) pause table per
   * candidate row: the scan stays on {@code tasks_claimable}.
   */
  private static final String NOT_PAUSED = " " + """
      AND NOT EXISTS (SELECT 1 FROM ledger.stage_pauses p WHERE p.stage = tasks.stage
                      AND p.state <> 'RELEASING' AND p.probe_task IS DISTINCT FROM tasks.id)""";

  static final String CLAIM_STAGE = CLAIM_TEMPLATE.formatted(TaskOperation.CLAIM.sqlGuard() + " AND stage = $2"
      + NOT_PAUSED);
  static final String CLAIM_ANY_STAGE = CLAIM_TEMPLATE.formatted(TaskOperation.CLAIM.sqlGuard() + " AND ($2::text IS NULL)"
      + NOT_PAUSED);

  /**
   * Completion of many leases in one statement; a row whose lease token is stale is simply not returned. Each
   * task is locked by a look-up of its primary key per input row (a locking subquery is never flattened into a
   * join): a join of the input with the tasks, planned on statistics that lagged behind a burst of claims, read
   * every running task through the lease index to complete a few.
   */
  static final String COMPLETE_BATCH = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[])
          AS i(id, token, result, actor, correlation_id)
      ), cur AS (
        SELECT t.id, i.result, i.actor, i.correlation_id
        FROM input i CROSS JOIN LATERAL (
          SELECT id FROM ledger.tasks WHERE id = i.id AND %s AND lease_token = i.token FOR UPDATE) t
      ), done AS (
        UPDATE ledger.tasks t
        SET state = 'DONE', result = cur.result::jsonb, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
            version = t.version + 1, updated_at = $1, finished_at = $1
        FROM cur
        WHERE t.id = cur.id
        RETURNING t.id, t.workflow_id, t.stage, t.agent, t.attempt, t.version, cur.actor, cur.correlation_id
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
      + TaskOperation.CLAIM.sqlGuard() + " AND stage = $1" + NOT_PAUSED;
  static final String NEXT_DUE_ANY_STAGE = "SELECT min(run_after) FROM ledger.tasks WHERE " + TaskOperation.CLAIM.sqlGuard()
      + NOT_PAUSED;

  /**
   * A claim whose requester was gone before the reply (HTTP client disconnected, event-bus requester
   * timed out): each task whose lease token is still the one handed out goes back to QUEUED with
   * its attempt undone, as if never claimed. $1 now, $2 ids, $3 lease tokens, $4 reason, $5 actor,
   * $6 correlation id.
   */
  static final String RELEASE_ABANDONED = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::uuid[]) AS i(id, token)
      ), upd AS (
        UPDATE ledger.tasks t
        SET state = 'QUEUED', attempt = t.attempt - 1, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
            version = t.version + 1, updated_at = $1
        FROM input i
        WHERE t.id = i.id AND t.%s AND t.lease_token = i.token
        RETURNING t.*, 'RUNNING'::text AS from_state
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, actor, correlation_id, at)
        SELECT id, 'RUNNING', 'QUEUED', attempt, $4, $5, $6, $1 FROM upd
      )
      SELECT * FROM upd ORDER BY id""".formatted(TaskOperation.RELEASE_ABANDONED.sqlGuard());

  /** Extension of many leases in one statement; a row whose lease token is stale is simply not returned. */
  static final String HEARTBEAT_BATCH = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::bigint[]) AS i(id, token, lease_ms)
      ), cur AS (
        SELECT t.id, i.lease_ms FROM input i CROSS JOIN LATERAL (
          SELECT id FROM ledger.tasks WHERE id = i.id AND state = 'RUNNING' AND lease_token = i.token FOR UPDATE) t
      )
      UPDATE ledger.tasks t
      SET lease_expires_at = COALESCE($1::timestamptz, now()) + make_interval(secs => COALESCE(cur.lease_ms, t.lease_ms)::double precision / 1000.0)
      FROM cur
      WHERE t.id = cur.id
      RETURNING t.id, t.lease_token, t.attempt, t.lease_expires_at""";

  static final String HEARTBEAT = """
      UPDATE ledger.tasks
      SET lease_expires_at = COALESCE($1::timestamptz, now())
          + make_interval(secs => COALESCE($4::bigint, lease_ms)::double precision / 1000.0)
      WHERE id = $2 AND state = 'RUNNING' AND lease_token = $3
      RETURNING id, attempt, lease_expires_at""";

  /**
   * A guarded transition: {@code guard} selects and locks the rows allowed to move, {@code set} names
   * the extra columns to change, {@code toState} the target (a literal or a parameter). Parameters:
   * $1 now, $2 reason, $3 actor, $4 correlation id, $5 error; operation parameters start at $6.
   */
  static String transition(String guard, String toState, String set) {
    return transition("WITH", guard, toState, set);
  }

  /** A transition after CTEs of its own ({@code with} ends with the last one, without a comma). */
  static String transition(String with, String guard, String toState, String set) {
    return (with.equals("WITH") ? "WITH" : with + ",") + """
        \s cur AS (
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
      "'BLOCKED'", CLEAR_LEASE + ", blocked_reason = $2, parked_at = NULL");

  static final String UNBLOCK = transition("id = $6 AND " + TaskOperation.UNBLOCK.sqlGuard() + VERSION_GUARD,
      "'QUEUED'", "blocked_reason = NULL, parked_at = NULL, run_after = $1");

  /** People's interventions (issue 7), audited like the others: $6 id, $7 expected version or null. */
  static final String MANUAL_RETRY = transition("id = $6 AND " + TaskOperation.MANUAL_RETRY.sqlGuard() + VERSION_GUARD,
      "'QUEUED'", "blocked_reason = NULL, parked_at = NULL, run_after = $1");
  static final String MANUAL_PARK = transition("id = $6 AND " + TaskOperation.MANUAL_PARK.sqlGuard() + VERSION_GUARD,
      "'BLOCKED'", CLEAR_LEASE + ", blocked_reason = $2, parked_at = NULL");
  static final String MANUAL_RESUME = transition("id = $6 AND " + TaskOperation.MANUAL_RESUME.sqlGuard() + VERSION_GUARD,
      "'QUEUED'", "blocked_reason = NULL, parked_at = NULL, run_after = $1");
  /** A FAILED task retried by hand: the redrive of one id, with its expected version. */
  static final String MANUAL_REDRIVE = transition("id = $6 AND " + TaskOperation.REDRIVE.sqlGuard() + VERSION_GUARD,
      "'QUEUED'", "attempt_base = t.attempt, run_after = $1, finished_at = NULL");

  /**
   * Provisional failure of many current attempts (group commit), each with its own target state, run
   * after, history reason, error and origin: $1 now; $2.. one array per column of {@code input}. A row
   * whose attempt is no longer current or not running moves nothing.
   */
  static final String FAIL_ATTEMPTS = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[],
                             $9::text[])
          AS i(id, attempt, to_state, run_after, reason, error, actor, correlation_id)
      ), cur AS (
        SELECT t.id, t.state AS from_state, i.to_state, i.run_after AS next_run, i.reason AS hist_reason,
               i.error AS hist_error, i.actor AS hist_actor, i.correlation_id AS hist_correlation
        FROM input i CROSS JOIN LATERAL (
          SELECT id, state FROM ledger.tasks WHERE id = i.id AND attempt = i.attempt AND %s FOR UPDATE) t
      ), upd AS (
        UPDATE ledger.tasks t SET state = cur.to_state, version = t.version + 1, updated_at = $1::timestamptz, %s,
          last_error = cur.hist_error, run_after = cur.next_run,
          finished_at = CASE WHEN cur.to_state = 'FAILED' THEN $1::timestamptz ELSE NULL END,
          provisional_dead_letter_version = CASE WHEN cur.to_state = 'FAILED' THEN t.version + 1 ELSE NULL END
        FROM cur WHERE t.id = cur.id
        RETURNING t.*, cur.from_state, cur.hist_reason, cur.hist_error, cur.hist_actor, cur.hist_correlation
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, error, actor, correlation_id, at)
        SELECT id, from_state, state, attempt, hist_reason, hist_error, hist_actor, hist_correlation, $1::timestamptz FROM upd
      )
      SELECT * FROM upd ORDER BY id""".formatted(TaskOperation.FAIL.sqlGuard(), CLEAR_LEASE);

  /**
   * Decisions of many tasks (group commit), each guarded by the attempt it was made for and by the
   * source states of its operation ({@code op}: RETRY_AT, PARK, DEAD_LETTER or REPLACE_DEAD_LETTER, the
   * last only while the task is as the provisional rule left it), each with its own target state,
   * run-at, history reason and origin: $1 now; $2.. one array per column of {@code input}.
   */
  static final String DECIDE_MANY = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[],
                             $9::text[])
          AS i(id, attempt, op, to_state, run_at, reason, actor, correlation_id)
      ), cur AS (
        SELECT t.id, t.state AS from_state, i.to_state, i.run_at, i.reason AS hist_reason, i.actor AS hist_actor,
               i.correlation_id AS hist_correlation
        FROM input i CROSS JOIN LATERAL (
          SELECT id, state FROM ledger.tasks
          WHERE id = i.id AND attempt = i.attempt
            AND ((i.op = 'RETRY_AT' AND %s) OR (i.op = 'PARK' AND %s) OR (i.op = 'DEAD_LETTER' AND %s)
                 OR (i.op = 'REPLACE_DEAD_LETTER' AND %s AND version = provisional_dead_letter_version))
          FOR UPDATE) t
      ), upd AS (
        UPDATE ledger.tasks t SET state = cur.to_state, version = t.version + 1, updated_at = $1::timestamptz,
          run_after = CASE WHEN cur.to_state = 'RETRY' THEN cur.run_at ELSE t.run_after END,
          blocked_reason = CASE cur.to_state WHEN 'BLOCKED' THEN cur.hist_reason WHEN 'RETRY' THEN NULL
                                             ELSE t.blocked_reason END,
          parked_at = CASE WHEN cur.to_state = 'BLOCKED' THEN $1::timestamptz ELSE t.parked_at END,
          finished_at = CASE WHEN cur.to_state = 'FAILED' THEN $1::timestamptz ELSE NULL END,
          provisional_dead_letter_version = NULL
        FROM cur WHERE t.id = cur.id
        RETURNING t.*, cur.from_state, cur.hist_reason, cur.hist_actor, cur.hist_correlation
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, error, actor, correlation_id, at)
        SELECT id, from_state, state, attempt, hist_reason, NULL, hist_actor, hist_correlation, $1::timestamptz FROM upd
      )
      SELECT * FROM upd ORDER BY id""".formatted(TaskOperation.RETRY_AT.sqlGuard(), TaskOperation.PARK.sqlGuard(),
      TaskOperation.DEAD_LETTER.sqlGuard(), TaskOperation.REPLACE_DEAD_LETTER.sqlGuard());
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

  // ---------------------------------------------------------------- stage pauses

  private static final String PAUSE_COLUMNS =
      "stage, state, reason, paused_by, since, event_at, probe_allowance, probe_task, next_release_at";

  /**
   * Sets a stage's pause to {@code $2} (PAUSED, PROBING or RELEASING) if this change ($6, when it
   * happened) is newer than the last one the pause took: repeats and late events change nothing, so
   * every instance may apply every event. $1 now, $3 reason, $4 by, $5 probe allowance. {@code since}
   * stays when the stage was already held and is held still. Returns the row when it changed.
   */
  static final String SET_PAUSE = """
      INSERT INTO ledger.stage_pauses AS p (%1$s)
      VALUES ($7, $2, $3, $4, $6, $6, $5, NULL, $1)
      ON CONFLICT (stage) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason,
        paused_by = EXCLUDED.paused_by,
        since = CASE WHEN p.state <> 'RELEASING' AND EXCLUDED.state <> 'RELEASING' THEN p.since ELSE EXCLUDED.since END,
        event_at = EXCLUDED.event_at, probe_allowance = EXCLUDED.probe_allowance, probe_task = NULL,
        next_release_at = $1
      WHERE p.event_at < EXCLUDED.event_at
      RETURNING %1$s""".formatted(PAUSE_COLUMNS);

  static final String PAUSE_OF_STAGE = "SELECT " + PAUSE_COLUMNS + " FROM ledger.stage_pauses WHERE stage = $1";

  /** Held stages (PAUSED, PROBING) first, then those still releasing; $1 true: held ones only. */
  static final String PAUSES = """
      SELECT %s FROM ledger.stage_pauses WHERE NOT $1 OR state <> 'RELEASING'
      ORDER BY state = 'RELEASING', since, stage""".formatted(PAUSE_COLUMNS);

  /** Stages half-open whose probe is still to be chosen (none was parked or claimable when they half-opened). */
  static final String STAGES_AWAITING_PROBE =
      "SELECT stage FROM ledger.stage_pauses WHERE state = 'PROBING' AND probe_allowance > 0 AND probe_task IS NULL";

  /**
   * Chooses a half-open stage's probe ($6 stage), once: the oldest task the retry service parked is
   * released (BLOCKED → QUEUED) and named the probe; with none parked, the next claimable task is
   * named the probe as it is. The pause row is locked first, so instances choose one between them.
   */
  static final String RELEASE_PROBE = """
      WITH pause AS (
        SELECT stage FROM ledger.stage_pauses
        WHERE stage = $6 AND state = 'PROBING' AND probe_allowance > 0 AND probe_task IS NULL FOR UPDATE
      ), parked AS (
        SELECT id, state AS from_state FROM ledger.tasks
        WHERE stage IN (SELECT stage FROM pause) AND %1$s AND parked_at IS NOT NULL
        ORDER BY parked_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
      ), waiting AS (
        SELECT id FROM ledger.tasks
        WHERE stage IN (SELECT stage FROM pause) AND %2$s AND NOT EXISTS (SELECT 1 FROM parked)
        ORDER BY priority DESC, run_after, id LIMIT 1
      ), upd AS (
        UPDATE ledger.tasks t SET state = 'QUEUED', version = t.version + 1, updated_at = $1, run_after = $1,
          blocked_reason = NULL, parked_at = NULL
        FROM parked WHERE t.id = parked.id
        RETURNING t.*, parked.from_state
      ), hist AS (
        INSERT INTO ledger.history (task_id, from_state, to_state, attempt, reason, error, actor, correlation_id, at)
        SELECT id, from_state, state, attempt, $2, $5::text, $3, $4, $1 FROM upd
      ), named AS (
        UPDATE ledger.stage_pauses SET probe_task = c.id
        FROM (SELECT id FROM parked UNION ALL SELECT id FROM waiting) c
        WHERE stage IN (SELECT stage FROM pause)
        RETURNING probe_task
      )
      SELECT (SELECT probe_task FROM named) AS probe, upd.* FROM (SELECT 1) one LEFT JOIN upd ON true""".formatted(
      TaskOperation.RELEASE_PROBE.sqlGuard(), TaskOperation.CLAIM.sqlGuard());

  /**
   * One step of releasing the parked tasks of resumed stages: takes the stages whose next release is
   * due (moving it on by $7 ms, so instances share one pace) and releases at most $6 of their parked
   * tasks, oldest first.
   */
  static final String UNPARK_STEP = transition("""
      WITH due AS (
        UPDATE ledger.stage_pauses SET next_release_at = $1 + make_interval(secs => $7::double precision / 1000.0)
        WHERE state = 'RELEASING' AND next_release_at <= $1
        RETURNING stage
      ), pick AS (
        SELECT id FROM ledger.tasks WHERE stage IN (SELECT stage FROM due) AND %1$s AND parked_at IS NOT NULL
        ORDER BY parked_at, id LIMIT $6 FOR UPDATE SKIP LOCKED
      )""".formatted(TaskOperation.UNPARK.sqlGuard()),
      // the pick is a CTE, evaluated once: as an IN sub-select beside the data-modifying CTE it released every row
      "id IN (SELECT id FROM pick) AND " + TaskOperation.UNPARK.sqlGuard(),
      "'QUEUED'", "blocked_reason = NULL, parked_at = NULL, run_after = $1");

  /** Resumed stages with nothing parked left are done releasing. */
  static final String END_RELEASES = """
      DELETE FROM ledger.stage_pauses p WHERE p.state = 'RELEASING' AND NOT EXISTS (
        SELECT 1 FROM ledger.tasks t WHERE t.stage = p.stage AND t.state = 'BLOCKED' AND t.parked_at IS NOT NULL)
      RETURNING p.stage""";

  /**
   * Deletes the rows of the tasks a CTE {@code purged} (their ids) deleted: their history, failures, decisions and
   * checkpoints, in the same statement. There are no foreign keys to cascade (V6): every writer of these rows holds
   * the task's row, so the per-row check cost CPU and proved nothing.
   */
  private static final String DELETE_TASK_ROWS = """
      , purged_history AS (DELETE FROM ledger.history WHERE task_id IN (SELECT id FROM purged))
      , purged_failures AS (DELETE FROM ledger.failures WHERE task_id IS NOT NULL AND task_id IN (SELECT id FROM purged))
      , purged_decisions AS (DELETE FROM ledger.decisions WHERE task_id IN (SELECT id FROM purged))
      , purged_checkpoints AS (DELETE FROM ledger.checkpoints WHERE task_id IN (SELECT id FROM purged))
      """;

  /** Records a purge with what it deleted: $n at, $n+1 actor, $n+2 correlation id, $n+3 details (the request). */
  private static final String AUDIT_PURGE = """
      , audited AS (
        INSERT INTO ledger.audit (at, action, actor, correlation_id, details)
        SELECT $%1$d, 'dlq.purge', $%2$d, $%3$d, $%4$d::text::jsonb || jsonb_build_object('purged', count(*),
               'ids', coalesce(jsonb_agg(id::text ORDER BY id), '[]'::jsonb))
        FROM purged)
      SELECT id FROM purged""";

  /** Purges dead letters by id and records the purge, in one statement: $1 ids, then {@link #AUDIT_PURGE}'s from $2. */
  static final String PURGE_IDS = """
      WITH purged AS (DELETE FROM ledger.tasks WHERE state = 'FAILED' AND id = ANY($1::uuid[]) RETURNING id)
      """ + DELETE_TASK_ROWS + AUDIT_PURGE.formatted(2, 3, 4, 5);
  /** Purges dead letters by stage/workflow ($1, $2, at most $3) and records the purge, from $4. */
  static final String PURGE_FILTER = """
      WITH purged AS (DELETE FROM ledger.tasks WHERE id IN (
        SELECT id FROM ledger.tasks WHERE state = 'FAILED' AND ($1::text IS NULL OR stage = $1)
        AND ($2::text IS NULL OR workflow_id = $2) ORDER BY id LIMIT $3)
      RETURNING id)
      """ + DELETE_TASK_ROWS + AUDIT_PURGE.formatted(4, 5, 6, 7);

  /** The audit trail, newest first: at most $1 records, older than id $2 when given. */
  static final String AUDIT_LIST = """
      SELECT id, at, action, actor, correlation_id, details::text AS details FROM ledger.audit
      WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1""";

  /** The columns a reader of recorded failures sees (the message and stack trace as stored: decrypt them). */
  static final String FAILURE_COLUMNS = """
      f.id, f.task_id, f.attempt, f.source, f.stage, f.workflow_id, f.message, f.error_type, f.http_status, f.exit_code,
      f.sql_state, f.occurred_at, f.recorded_at, f.provisional, f.decision, f.decided_at""";

  /**
   * A page of recorded failures, newest first ($6 the id of the last failure of the previous page): $1 stage, $2
   * workflow, $3 task, $4 only those without a task, $5 at most that many.
   */
  static final String FAILURES_PAGE = "SELECT " + FAILURE_COLUMNS + """
       FROM ledger.failures f
      WHERE ($1::text IS NULL OR f.stage = $1) AND ($2::text IS NULL OR f.workflow_id = $2)
        AND ($3::uuid IS NULL OR f.task_id = $3) AND (NOT $4 OR f.task_id IS NULL)
        AND ($6::uuid IS NULL OR (f.recorded_at, f.id) < (SELECT recorded_at, id FROM ledger.failures WHERE id = $6))
      ORDER BY f.recorded_at DESC, f.id DESC LIMIT $5""";

  static final String FAILURE_BY_ID = "SELECT " + FAILURE_COLUMNS
      + ", f.stack_trace, f.details FROM ledger.failures f WHERE f.id = $1";

  /**
   * Failures already recorded with one of the ids $1, or for one of the (task, attempt) pairs of $2 and $3, where a
   * null attempt means the task's current one (so the look-up needs nothing from the task's row first).
   */
  static final String FAILURES_RECORDED = """
      SELECT f.id, f.task_id, f.attempt FROM ledger.failures f WHERE f.id = ANY($1::uuid[])
      UNION
      SELECT f.id, f.task_id, f.attempt FROM unnest($2::uuid[], $3::int[]) AS k(task_id, attempt)
      JOIN ledger.tasks t ON t.id = k.task_id
      JOIN ledger.failures f ON f.task_id = k.task_id AND f.attempt = COALESCE(k.attempt, t.attempt)""";

  /** Many failures in one statement: $1 recorded at, $2 first resend; $3.. one array per column. A known id inserts nothing. */
  static final String INSERT_FAILURES = """
      INSERT INTO ledger.failures (id, task_id, attempt, source, stage, workflow_id, message, error_type, stack_trace,
                                   http_status, exit_code, sql_state, details, occurred_at, recorded_at, provisional,
                                   next_send_at, attempt_base)
      SELECT id, task_id, attempt, source, stage, workflow_id, message, error_type, stack_trace, http_status, exit_code,
             sql_state, details::jsonb, occurred_at, $1::timestamptz, provisional, $2::timestamptz, attempt_base
      FROM unnest($3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                  $11::text[], $12::int[], $13::int[], $14::text[], $15::text[], $16::timestamptz[], $17::text[],
                  $18::int[])
        AS i(id, task_id, attempt, source, stage, workflow_id, message, error_type, stack_trace, http_status, exit_code,
             sql_state, details, occurred_at, provisional, attempt_base)
      ON CONFLICT DO NOTHING
      RETURNING id""";

  /**
   * Outbox: failures still without a decision whose resend time has come, locked for this sweeper, with
   * what the task's context needs ({@code task_*}; null for a free-standing failure). The attempt base
   * is the one recorded with the failure (a failure recorded before it was kept: the task's, at most
   * the attempts before the failed one).
   */
  public static final String FAILURES_DUE_FOR_RESEND = """
      SELECT f.id, f.task_id, f.attempt, f.source, f.stage, f.workflow_id, f.message, f.error_type, f.stack_trace,
             f.http_status, f.exit_code, f.sql_state, f.details, f.occurred_at, f.sends,
             t.agent AS task_agent, t.workflow_id AS task_workflow_id, t.created_at AS task_created_at,
             t.own_max_attempts AS task_own_max_attempts,
             COALESCE(f.attempt_base, LEAST(t.attempt_base, f.attempt - 1)) AS task_attempt_base
      FROM ledger.failures f LEFT JOIN ledger.tasks t ON t.id = f.task_id
      WHERE f.decided_at IS NULL AND f.next_send_at <= $1
      ORDER BY f.next_send_at
      LIMIT $2
      FOR UPDATE OF f SKIP LOCKED""";

  /** $2 null: the last send; the failure is then given up on ('EXHAUSTED') rather than left pending forever. */
  public static final String MARK_FAILURE_SENT = """
      UPDATE ledger.failures SET sends = sends + 1, next_send_at = $2,
             decided_at = CASE WHEN $2::timestamptz IS NULL THEN $3 ELSE decided_at END,
             decision = CASE WHEN $2::timestamptz IS NULL THEN 'EXHAUSTED' ELSE decision END
      WHERE id = $1""";


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

  /**
   * Decisions already recorded for the (task, attempt) pairs of $1 and $2. Run after the tasks are
   * locked: every decision locks its task first, so this statement's snapshot sees any decision of
   * these attempts that committed before.
   */
  static final String DECISIONS_RECORDED = """
      SELECT d.task_id, d.attempt, d.action, d.outcome FROM unnest($1::uuid[], $2::int[]) AS k(task_id, attempt)
      JOIN ledger.decisions d ON d.task_id = k.task_id AND d.attempt = k.attempt""";

  /**
   * Records decisions with what became of them, and stops re-sending their failures (a decision for
   * an attempt that moved on ends them too, as does one that arrives after resending gave up):
   * $1 now; $2.. one array per column of {@code input}.
   */
  static final String RECORD_DECISIONS = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::bool[],
                             $9::text[])
          AS i(task_id, attempt, action, run_at, reason, decided_by, applied, outcome)
      ), recorded AS (
        INSERT INTO ledger.decisions (task_id, attempt, action, run_at, reason, decided_by, applied, outcome, at)
        SELECT task_id, attempt, action, run_at, reason, decided_by, applied, outcome, $1::timestamptz FROM input
        ON CONFLICT DO NOTHING
        RETURNING task_id
      ), failures AS (
        UPDATE ledger.failures f SET decided_at = $1::timestamptz, decision = i.action, next_send_at = NULL
        FROM input i
        WHERE f.task_id = i.task_id AND f.attempt = i.attempt AND (f.decided_at IS NULL OR f.decision = 'EXHAUSTED')
      )
      SELECT count(*) FROM recorded""";

  static final String EXPIRED_LEASES = """
      SELECT id, attempt, lease_token, lease_owner, lease_expires_at, stage, workflow_id FROM ledger.tasks
      WHERE state = 'RUNNING' AND lease_expires_at < COALESCE($1::timestamptz, now())
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

  /** Deletes finished tasks past their retention with their rows; one result row per deleted task. */
  static final String PRUNE_FINISHED = """
      WITH purged AS (DELETE FROM ledger.tasks WHERE id IN (
        SELECT id FROM ledger.tasks
        WHERE (state IN ('DONE','CANCELLED') AND finished_at < $1) OR (state = 'FAILED' AND finished_at < $2)
        LIMIT $3)
      RETURNING id)
      """ + DELETE_TASK_ROWS + "SELECT id FROM purged";

  static final String PRUNE_FREE_FAILURES = """
      DELETE FROM ledger.failures WHERE id IN (
        SELECT id FROM ledger.failures WHERE task_id IS NULL AND recorded_at < $1 LIMIT $2)""";

  static final String NOTIFY = "SELECT pg_notify($1, $2)";
}
