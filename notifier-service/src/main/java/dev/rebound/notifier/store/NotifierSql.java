package dev.rebound.notifier.store;

/** Every statement of the notifier, as text; all prepared, all with positional parameters. */
final class NotifierSql {
  private NotifierSql() {
  }

  static final String ALERT_COLUMNS = """
      id, dedup_key, state, source, labels, severity, summary, details, starts_at, ends_at, generator_url, opened_at,
      last_seen_at, occurrences, acknowledged_by, acknowledged_at, resolved_at, escalation_route, next_escalation_at,
      version""";

  // ---------------------------------------------------------------- alerts

  static final String OPEN_ALERT_BY_DEDUP_FOR_UPDATE = "SELECT " + ALERT_COLUMNS
      + " FROM notifier.alerts WHERE dedup_key = $1 AND state <> 'RESOLVED' FOR UPDATE";

  /** The open alerts of many dedup keys, locked in key order (so two batches cannot deadlock on them). */
  static final String OPEN_ALERTS_BY_DEDUP_FOR_UPDATE = "SELECT " + ALERT_COLUMNS
      + " FROM notifier.alerts WHERE dedup_key = ANY($1) AND state <> 'RESOLVED' ORDER BY dedup_key FOR UPDATE";

  static final String ALERT_BY_ID = "SELECT " + ALERT_COLUMNS + " FROM notifier.alerts WHERE id = $1";

  static final String ALERT_BY_ID_FOR_UPDATE = ALERT_BY_ID + " FOR UPDATE";

  /** The newest alert of each dedup key (a group member may have been resolved and opened again). */
  static final String LATEST_ALERTS_BY_DEDUP = "SELECT DISTINCT ON (dedup_key) " + ALERT_COLUMNS
      + " FROM notifier.alerts WHERE dedup_key = ANY($1) ORDER BY dedup_key, opened_at DESC";

  static final String ALERTS_BY_IDS = "SELECT " + ALERT_COLUMNS + " FROM notifier.alerts WHERE id = ANY($1)";

  /** New alerts, one statement however many, in the order given; $5 and $8 (labels, details) as JSON texts. */
  static final String INSERT_ALERTS = """
      INSERT INTO notifier.alerts (id, dedup_key, state, source, labels, severity, summary, details, starts_at, ends_at,
        generator_url, opened_at, last_seen_at, occurrences, acknowledged_by, acknowledged_at, resolved_at,
        escalation_route, next_escalation_at, version)
      SELECT id, k, st, src, l::jsonb, sev, sm, d::jsonb, sa, ea, gu, oa, ls, occ, ab, aa, ra, er, ne, v
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
        $9::timestamptz[], $10::timestamptz[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::int[],
        $15::text[], $16::timestamptz[], $17::timestamptz[], $18::text[], $19::timestamptz[], $20::bigint[])
        WITH ORDINALITY AS a(id, k, st, src, l, sev, sm, d, sa, ea, gu, oa, ls, occ, ab, aa, ra, er, ne, v, n)
      ORDER BY n""";

  /** Guarded by the version read: a concurrent change makes this update nothing. */
  static final String UPDATE_ALERT = """
      UPDATE notifier.alerts SET state = $3, labels = $4, severity = $5, summary = $6, details = $7, ends_at = $8,
        generator_url = $9, last_seen_at = $10, occurrences = $11, acknowledged_by = $12, acknowledged_at = $13,
        resolved_at = $14, next_escalation_at = $15, version = $16
      WHERE id = $1 AND version = $2""";

  /** The history entries of many alerts in one statement, in the order given. */
  static final String INSERT_HISTORIES = """
      INSERT INTO notifier.alert_history (alert_id, from_state, to_state, by, reason, at)
      SELECT i, f, t, b, r, a FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
        WITH ORDINALITY AS h(i, f, t, b, r, a, n) ORDER BY n""";

  static final String HISTORY = """
      SELECT from_state, to_state, by, reason, at FROM notifier.alert_history WHERE alert_id = $1 ORDER BY id""";

  /** $1 state filter (null, a state, or OPEN), $2 labels the alert must carry (jsonb containment), $3 limit. */
  static final String LIST_ALERTS = "SELECT " + ALERT_COLUMNS + """
       FROM notifier.alerts
      WHERE ($1::text IS NULL OR state = $1 OR ($1 = 'OPEN' AND state <> 'RESOLVED'))
        AND labels @> $2::jsonb
      ORDER BY opened_at DESC, id LIMIT $3""";

  static final String OPEN_ALERTS_OF_TASK = "SELECT " + ALERT_COLUMNS
      + " FROM notifier.alerts WHERE labels ->> 'task' = $1 AND state <> 'RESOLVED' FOR UPDATE";

  static final String OPEN_ALERTS_OF_CIRCUIT = "SELECT " + ALERT_COLUMNS
      + " FROM notifier.alerts WHERE labels ->> 'circuit' = $1 AND state <> 'RESOLVED' FOR UPDATE";

  static final String ENDED_ALERTS = "SELECT " + ALERT_COLUMNS + """
       FROM notifier.alerts WHERE state <> 'RESOLVED' AND ends_at <= $1
      ORDER BY ends_at LIMIT $2 FOR UPDATE SKIP LOCKED""";

  static final String NEXT_ESCALATING_ALERT = "SELECT " + ALERT_COLUMNS + """
       FROM notifier.alerts WHERE next_escalation_at <= $1
      ORDER BY next_escalation_at LIMIT 1 FOR UPDATE SKIP LOCKED""";

  static final String SET_NEXT_ESCALATION = "UPDATE notifier.alerts SET next_escalation_at = $2 WHERE id = $1";

  /**
   * Labels of firing alerts that may be an inhibition rule's source: $1 the rules' equality source matchers as jsonb
   * objects, one per rule (the other matchers are checked in Java), $2 a limit.
   */
  static final String FIRING_LABELS = """
      SELECT labels FROM notifier.alerts WHERE state = 'FIRING' AND labels @> ANY($1::text[]::jsonb[]) LIMIT $2""";

  static final String COUNT_BY_SEVERITY_AND_STATE = """
      SELECT severity, state, count(*) AS n FROM notifier.alerts
      WHERE state <> 'RESOLVED' OR resolved_at > now() - interval '1 day' GROUP BY severity, state""";

  // ---------------------------------------------------------------- escalation steps

  static final String FIRED_STEPS = "SELECT step, repeat FROM notifier.escalation_steps WHERE alert_id = $1";

  static final String INSERT_STEP = """
      INSERT INTO notifier.escalation_steps (alert_id, step, repeat, fired_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT DO NOTHING RETURNING step""";

  // ---------------------------------------------------------------- groups

  static final String GROUP_COLUMNS = """
      group_key, route_key, receiver, group_labels, created_at, next_flush_at, has_flushed, last_notified_at""";

  /**
   * Creates the groups that do not exist (in key order); takes no lock on those that do, and does not even try to
   * insert them: a unique-index check that meets a header a flush has just updated waits for that flush to commit.
   * $4 the group labels as JSON texts, $5 created at, $6 the first flush.
   */
  static final String INSERT_GROUPS = """
      INSERT INTO notifier.groups (group_key, route_key, receiver, group_labels, created_at, next_flush_at,
        has_flushed, last_notified_at)
      SELECT k, r, v, l::jsonb, c, f, false, NULL
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
        AS h(k, r, v, l, c, f)
      WHERE NOT EXISTS (SELECT 1 FROM notifier.groups g WHERE g.group_key = h.k)
      ORDER BY k
      ON CONFLICT (group_key) DO NOTHING""";

  /**
   * The headers of groups an intake adds to, held FOR KEY SHARE: no flush waits for it (a flush takes FOR NO KEY
   * UPDATE), but a flush cannot remove the group until the intake commits.
   */
  static final String GROUPS_KEY_SHARE = "SELECT " + GROUP_COLUMNS
      + " FROM notifier.groups WHERE group_key = ANY($1) FOR KEY SHARE";

  /**
   * An old alert pulls an unflushed group's first flush forward ({@code GroupTimers.add}): only if the header still
   * has not flushed and flushes later, whatever a concurrent flush did meanwhile.
   */
  static final String PULL_FIRST_FLUSH = """
      UPDATE notifier.groups SET next_flush_at = $2 WHERE group_key = $1 AND NOT has_flushed AND next_flush_at > $2""";

  /** Due groups, locked against other flushes (not against intakes, which hold them FOR KEY SHARE at most). */
  static final String NEXT_DUE_GROUPS = "SELECT " + GROUP_COLUMNS + """
       FROM notifier.groups WHERE next_flush_at <= $1 ORDER BY next_flush_at LIMIT $2
      FOR NO KEY UPDATE SKIP LOCKED""";

  /** Many flushed headers in one statement: $1 keys, $2 next flush, $3 has flushed, $4 last notified. */
  static final String UPDATE_GROUPS = """
      UPDATE notifier.groups g SET next_flush_at = u.f, has_flushed = u.h, last_notified_at = u.l
      FROM unnest($1::text[], $2::timestamptz[], $3::boolean[], $4::timestamptz[]) AS u(k, f, h, l)
      WHERE g.group_key = u.k""";

  /** Emptied groups a flush may remove: those no intake holds now. */
  static final String LOCK_EMPTIED_GROUPS = """
      SELECT group_key FROM notifier.groups WHERE group_key = ANY($1) FOR UPDATE SKIP LOCKED""";

  /** Removes the locked groups that still have no member (an intake may have added one before the lock). */
  static final String DELETE_EMPTY_GROUPS = """
      DELETE FROM notifier.groups g WHERE g.group_key = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM notifier.group_members m WHERE m.group_key = g.group_key)""";

  static final String MEMBERS_OF_GROUPS = """
      SELECT group_key, dedup_key, firing_since, resolved, notified_firing, notified_resolved
      FROM notifier.group_members WHERE group_key = ANY($1)""";

  /**
   * What a flush told, per member: $3 told firing, $4 told resolved, $5 the flush told its resolution (it is no
   * longer "resolved since the last flush"). Whether it fires is left as it is now.
   */
  static final String MEMBERS_TOLD = """
      UPDATE notifier.group_members m SET notified_firing = u.nf, notified_resolved = u.nr,
        resolved = m.resolved AND NOT u.told_resolved
      FROM unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[], $5::boolean[]) AS u(g, k, nf, nr, told_resolved)
      WHERE m.group_key = u.g AND m.dedup_key = u.k""";

  /** Members a flush has nothing left to remember about, if an intake has not made them fire or resolve since. */
  static final String DELETE_FORGOTTEN_MEMBERS = """
      DELETE FROM notifier.group_members m USING unnest($1::text[], $2::text[]) AS d(g, k)
      WHERE m.group_key = d.g AND m.dedup_key = d.k
        AND m.firing_since IS NULL AND NOT m.resolved AND NOT m.notified_firing""";

  /** Members resolved before fire again ($3: since when); a member firing already is left alone (not even locked). */
  static final String REFIRE_MEMBERS = """
      UPDATE notifier.group_members m SET firing_since = $3, resolved = false
      FROM unnest($1::text[], $2::text[]) AS u(g, k)
      WHERE m.group_key = u.g AND m.dedup_key = u.k AND m.firing_since IS NULL""";

  /**
   * New members, firing since $3, in key order; a member that exists is left to {@link #REFIRE_MEMBERS}, and not
   * inserted at all (its unique-index check would wait for a flush that is writing it).
   */
  static final String INSERT_FIRING_MEMBERS = """
      INSERT INTO notifier.group_members (group_key, dedup_key, firing_since, resolved, notified_firing, notified_resolved)
      SELECT g, k, $3, false, false, false FROM unnest($1::text[], $2::text[]) AS u(g, k)
      WHERE NOT EXISTS (SELECT 1 FROM notifier.group_members m WHERE m.group_key = u.g AND m.dedup_key = u.k)
      ORDER BY g, k
      ON CONFLICT (group_key, dedup_key) DO NOTHING""";

  /** Members that leave the firing set (resolved since the last flush). */
  static final String RESOLVE_MEMBERS = """
      UPDATE notifier.group_members m SET firing_since = NULL, resolved = true
      FROM unnest($1::text[], $2::text[]) AS u(g, k)
      WHERE m.group_key = u.g AND m.dedup_key = u.k AND m.firing_since IS NOT NULL""";

  // ---------------------------------------------------------------- silences

  static final String INSERT_SILENCE = """
      INSERT INTO notifier.silences (id, matchers, starts_at, ends_at, created_by, comment, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

  static final String SILENCE_FOR_UPDATE = """
      SELECT id, matchers, starts_at, ends_at, created_by, comment FROM notifier.silences WHERE id = $1 FOR UPDATE""";

  static final String UPDATE_SILENCE_RANGE = "UPDATE notifier.silences SET starts_at = $2, ends_at = $3 WHERE id = $1";

  /** Not expired at $1 (pending or active). */
  static final String CURRENT_SILENCES = """
      SELECT id, matchers, starts_at, ends_at, created_by, comment FROM notifier.silences WHERE ends_at > $1""";

  /** $1 state (null, pending, active, expired), $2 now, $3 limit. */
  static final String LIST_SILENCES = """
      SELECT id, matchers, starts_at, ends_at, created_by, comment FROM notifier.silences
      WHERE $1::text IS NULL OR ($1 = 'pending' AND starts_at > $2)
         OR ($1 = 'active' AND starts_at <= $2 AND ends_at > $2) OR ($1 = 'expired' AND ends_at <= $2)
      ORDER BY created_at DESC, id LIMIT $3""";

  // ---------------------------------------------------------------- deliveries

  static final String DELIVERY_COLUMNS = """
      id, channel, endpoint_key, receiver, group_key, kind, message, payload, dedup_key, status, attempts,
      next_attempt_at, last_error, created_at, sent_at""";

  static final String INSERT_DELIVERY = """
      INSERT INTO notifier.deliveries (channel, endpoint_key, receiver, group_key, kind, message, payload, dedup_key,
        status, attempts, next_attempt_at, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING', 0, $9, $9) RETURNING id""";

  /**
   * Many deliveries in one statement, in the order given; $6, $7 (message, payload) as JSON texts. $9 the status:
   * PENDING, due at $10; or SENDING, claimed until $10 by the instance that inserts them and sends them right after
   * its commit (a claim that lapses is claimed again, as any). Answers the rows.
   */
  static final String INSERT_DELIVERIES = """
      INSERT INTO notifier.deliveries (channel, endpoint_key, receiver, group_key, kind, message, payload, dedup_key,
        status, attempts, next_attempt_at, created_at)
      SELECT ch, ek, rc, gk, kd, m::jsonb, p::jsonb, dk, $9, 0, $10, $11
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
        WITH ORDINALITY AS d(ch, ek, rc, gk, kd, m, p, dk, n)
      ORDER BY n
      RETURNING""" + " " + DELIVERY_COLUMNS;

  /** River-style claim: due PENDING rows, and SENDING rows whose claim lapsed (an instance died mid-send). */
  static final String CLAIM_DELIVERIES = "UPDATE notifier.deliveries d SET status = 'SENDING', next_attempt_at = $2"
      + " FROM (SELECT id FROM notifier.deliveries WHERE status IN ('PENDING', 'SENDING') AND next_attempt_at <= $1"
      + " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due WHERE d.id = due.id RETURNING "
      + DELIVERY_COLUMNS.replace("id,", "d.id,");

  static final String DELIVERY_SENT = """
      UPDATE notifier.deliveries SET status = 'SENT', attempts = attempts + 1, sent_at = $2, last_error = NULL
      WHERE id = $1 AND status = 'SENDING'""";

  static final String DELIVERIES_SENT = """
      UPDATE notifier.deliveries SET status = 'SENT', attempts = attempts + 1, sent_at = $2, last_error = NULL
      WHERE id = ANY($1) AND status = 'SENDING'""";

  /** Back to PENDING at $2, not counted as an attempt; $3 the error, if any. */
  static final String DELIVERIES_LATER = """
      UPDATE notifier.deliveries SET status = 'PENDING', next_attempt_at = $2, last_error = coalesce($3, last_error)
      WHERE id = ANY($1) AND status = 'SENDING'""";

  /** Back to PENDING at $2; $3 counts an attempt or not; $4 the error. */
  static final String DELIVERY_LATER = """
      UPDATE notifier.deliveries SET status = 'PENDING', next_attempt_at = $2, attempts = attempts + $3,
        last_error = coalesce($4, last_error)
      WHERE id = $1 AND status = 'SENDING'""";

  static final String DELIVERY_FAILED = """
      UPDATE notifier.deliveries SET status = 'FAILED', attempts = attempts + $2, last_error = $3
      WHERE id = $1 AND status = 'SENDING'""";

  static final String DELIVERY_REPLACED = """
      UPDATE notifier.deliveries SET payload = $2, message = $3 WHERE id = $1 AND status = 'SENDING'""";

  static final String DELIVERIES_DIGESTED = """
      UPDATE notifier.deliveries SET status = 'DIGESTED', last_error = 'merged into delivery ' || $2
      WHERE id = ANY($1) AND status = 'SENDING'""";

  /** $1 status (upper case) or null, $2 limit. */
  static final String LIST_DELIVERIES = "SELECT " + DELIVERY_COLUMNS
      + " FROM notifier.deliveries WHERE $1::text IS NULL OR status = $1 ORDER BY id DESC LIMIT $2";

  static final String RETRY_DELIVERY = """
      UPDATE notifier.deliveries SET status = 'PENDING', next_attempt_at = $2, last_error = NULL
      WHERE id = $1 AND status IN ('FAILED', 'PENDING') RETURNING status""";

  static final String DELIVERY_STATUS = "SELECT status FROM notifier.deliveries WHERE id = $1";

  static final String COUNT_DELIVERIES = "SELECT status, count(*) AS n FROM notifier.deliveries GROUP BY status";

  // ---------------------------------------------------------------- endpoints

  static final String ENDPOINT_FOR_UPDATE = """
      INSERT INTO notifier.endpoints AS e (endpoint_key, tokens, tokens_at) VALUES ($1, $2, $3)
      ON CONFLICT (endpoint_key) DO UPDATE SET endpoint_key = e.endpoint_key
      RETURNING tokens, tokens_at, consecutive_failures, paused_until""";

  static final String SET_TOKENS = "UPDATE notifier.endpoints SET tokens = $2, tokens_at = $3 WHERE endpoint_key = $1";

  static final String ENDPOINT_SUCCEEDED = """
      UPDATE notifier.endpoints SET consecutive_failures = 0, paused_until = NULL WHERE endpoint_key = $1""";

  /** One more failure; pauses the endpoint until $3 when it reaches $2 in a row. */
  static final String ENDPOINT_FAILED = """
      UPDATE notifier.endpoints SET consecutive_failures = consecutive_failures + 1,
        paused_until = CASE WHEN consecutive_failures + 1 >= $2 THEN $3 ELSE paused_until END
      WHERE endpoint_key = $1 RETURNING consecutive_failures, paused_until""";

  static final String ENDPOINT_STATE = """
      SELECT consecutive_failures, paused_until FROM notifier.endpoints WHERE endpoint_key = $1""";
}
