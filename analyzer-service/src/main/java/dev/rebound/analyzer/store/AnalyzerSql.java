package dev.rebound.analyzer.store;

/** Every SQL statement of the analyzer, as text; {@code now} always comes from the injected clock. */
final class AnalyzerSql {
  private AnalyzerSql() {
  }

  static final String OCCURRENCE = "SELECT classified FROM analyzer.occurrences WHERE failure_id = $1";

  static final String OCCURRENCES_AMONG =
      "SELECT failure_id, classified FROM analyzer.occurrences WHERE failure_id = ANY($1)";

  /**
   * A batch's occurrences, counted on their fingerprints, signatures and (fingerprint, stage) rows in the same
   * statement; one recorded before inserts and counts nothing and returns no row. The fingerprint and signature
   * rows were locked (in key order) by this transaction's upserts before; the stage rows are counted in key order.
   */
  static final String INSERT_AND_COUNT_OCCURRENCES = """
      WITH ins AS (
        INSERT INTO analyzer.occurrences (failure_id, fingerprint, task_id, attempt, workflow_id, stage, source, classified,
                                          signature, seen_at)
        SELECT i.*, $10 FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[],
                                    $8::jsonb[], $9::text[]) AS i
        ON CONFLICT (failure_id) DO NOTHING
        RETURNING failure_id, fingerprint, signature, stage
      ), by_fingerprint AS (
        UPDATE analyzer.fingerprints f SET occurrences = f.occurrences + c.n
        FROM (SELECT fingerprint, count(*) AS n FROM ins GROUP BY fingerprint) c WHERE f.fingerprint = c.fingerprint
      ), by_signature AS (
        UPDATE analyzer.signatures s SET occurrences = s.occurrences + c.n
        FROM (SELECT signature, count(*) AS n FROM ins WHERE signature IS NOT NULL GROUP BY signature) c
        WHERE s.signature = c.signature
      ), by_stage AS (
        INSERT INTO analyzer.fingerprint_stages (fingerprint, stage, occurrences)
        SELECT fingerprint, stage, count(*) FROM ins WHERE stage IS NOT NULL GROUP BY fingerprint, stage
        ORDER BY fingerprint, stage
        ON CONFLICT (fingerprint, stage) DO UPDATE SET occurrences = analyzer.fingerprint_stages.occurrences + EXCLUDED.occurrences
      )
      SELECT failure_id FROM ins""";

  /**
   * A batch's fingerprints, in fingerprint order (so that two instances lock them in the same order): created
   * on first sight with no occurrence counted yet, later sights keep the newest verdict fields.
   */
  static final String SEE_FINGERPRINTS = """
      INSERT INTO analyzer.fingerprints (fingerprint, template, category, transient, severity, rule_id, root_cause,
                                         signature, occurrences, first_seen, last_seen)
      SELECT i.*, 0, $8, $8 FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::text[], $6::text[],
                                        $7::text[], $9::text[]) AS i
      ON CONFLICT (fingerprint) DO UPDATE SET
        last_seen = GREATEST(analyzer.fingerprints.last_seen, EXCLUDED.last_seen), signature = EXCLUDED.signature,
        template = EXCLUDED.template, category = EXCLUDED.category, transient = EXCLUDED.transient,
        severity = EXCLUDED.severity, rule_id = EXCLUDED.rule_id, root_cause = EXCLUDED.root_cause""";


  /** A batch's signatures, in signature order, created on first sight; later sights keep the newest verdict. */
  static final String SEE_SIGNATURES = """
      INSERT INTO analyzer.signatures (signature, rule_id, category, transient, occurrences, first_seen, last_seen)
      SELECT i.*, 0, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[]) AS i
      ON CONFLICT (signature) DO UPDATE SET
        last_seen = GREATEST(analyzer.signatures.last_seen, EXCLUDED.last_seen), rule_id = EXCLUDED.rule_id,
        category = EXCLUDED.category, transient = EXCLUDED.transient""";


  static final String SIGNATURE = """
      SELECT signature, rule_id, category, transient, occurrences, first_seen, last_seen, healed_by_retry, dead_lettered,
             resolved_by_person FROM analyzer.signatures WHERE signature = $1""";

  static final String SIGNATURES_AMONG = """
      SELECT signature, occurrences, healed_by_retry, dead_lettered, resolved_by_person
      FROM analyzer.signatures WHERE signature = ANY($1)""";

  /** The fingerprints (templates) seen for a signature, most frequent first. */
  static final String FINGERPRINTS_OF_SIGNATURE = """
      SELECT fingerprint, template, occurrences FROM analyzer.fingerprints WHERE signature = $1
      ORDER BY occurrences DESC, fingerprint LIMIT 20""";


  static final String FINGERPRINT = """
      SELECT fingerprint, template, category, transient, severity, rule_id, root_cause, occurrences, first_seen, last_seen,
             healed_by_retry, heal_attempts_total, dead_lettered, resolved_by_person, last_working_action, signature
      FROM analyzer.fingerprints WHERE fingerprint = $1""";

  static final String STAGES_OF = """
      SELECT stage, occurrences FROM analyzer.fingerprint_stages WHERE fingerprint = $1 ORDER BY occurrences DESC LIMIT 20""";

  static final String FINGERPRINTS_AMONG = """
      SELECT fingerprint, occurrences, healed_by_retry, dead_lettered, resolved_by_person
      FROM analyzer.fingerprints WHERE fingerprint = ANY($1)""";

  /** Impact of several fingerprints: distinct tasks and workflows hit since $2, per fingerprint. */
  static final String IMPACTS = """
      SELECT fingerprint, count(DISTINCT task_id) AS tasks, count(DISTINCT workflow_id) AS workflows, count(*) AS failures
      FROM analyzer.occurrences WHERE fingerprint = ANY($1) AND seen_at >= $2 GROUP BY fingerprint""";

  /** Impact: distinct tasks and workflows hit since $2. */
  static final String IMPACT = """
      SELECT count(DISTINCT task_id) AS tasks, count(DISTINCT workflow_id) AS workflows, count(*) AS failures
      FROM analyzer.occurrences WHERE fingerprint = $1 AND seen_at >= $2""";

  /** Candidates for "similar fingerprints": the same category, most recent first. */
  static final String SAME_CATEGORY = """
      SELECT fingerprint, template, occurrences, healed_by_retry, dead_lettered, resolved_by_person, last_working_action
      FROM analyzer.fingerprints WHERE category = $1 AND fingerprint <> $2 ORDER BY last_seen DESC LIMIT $3""";

  static final String TOP_BY_COUNT = """
      SELECT fingerprint, template, category, transient, severity, rule_id, occurrences, first_seen, last_seen,
             healed_by_retry, dead_lettered, resolved_by_person, signature
      FROM analyzer.fingerprints ORDER BY occurrences DESC, fingerprint LIMIT $1""";

  static final String TOP_BY_RECENT = """
      SELECT fingerprint, template, category, transient, severity, rule_id, occurrences, first_seen, last_seen,
             healed_by_retry, dead_lettered, resolved_by_person, signature
      FROM analyzer.fingerprints ORDER BY last_seen DESC, fingerprint LIMIT $1""";

  static final String TOP_BY_STAGE = """
      SELECT f.fingerprint, f.template, f.category, f.transient, f.severity, f.rule_id, s.occurrences, f.first_seen,
             f.last_seen, f.healed_by_retry, f.dead_lettered, f.resolved_by_person, f.signature
      FROM analyzer.fingerprint_stages s JOIN analyzer.fingerprints f ON f.fingerprint = s.fingerprint
      WHERE s.stage = $2 ORDER BY s.occurrences DESC, f.fingerprint LIMIT $1""";

  /** Per (task, attempt) of a batch, by its 1-based position: the fingerprint of the task's latest classified failure. */
  static final String LATEST_OF_TASKS = """
      SELECT r.i, o.fingerprint, o.signature
      FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS r(task_id, attempt, i)
      CROSS JOIN LATERAL (SELECT fingerprint, signature FROM analyzer.occurrences
                          WHERE task_id = r.task_id AND attempt <= r.attempt ORDER BY attempt DESC LIMIT 1) o""";

  /** A person's earlier action on these tasks, taken: their success counts as resolved by a person. */
  static final String TAKE_INTERVENTIONS = "DELETE FROM analyzer.interventions WHERE task_id = ANY($1) RETURNING task_id";

  /** The dead-letter outcomes of these (task, attempt) pairs, taken back: a decision replaced them. */
  static final String WITHDRAW_DEAD_LETTERS = """
      DELETE FROM analyzer.outcomes o USING unnest($1::uuid[], $2::int[]) AS w(task_id, attempt)
      WHERE o.task_id = w.task_id AND o.attempt = w.attempt AND o.outcome = 'DEAD_LETTERED'
      RETURNING o.task_id, o.attempt, o.fingerprint, o.signature""";

  /** The dead-letter outcomes recorded before for these tasks. */
  static final String DEAD_LETTERED_OF_TASKS = """
      SELECT task_id, fingerprint, signature FROM analyzer.outcomes WHERE task_id = ANY($1) AND outcome = 'DEAD_LETTERED'""";

  /** A batch's outcomes; one recorded before for its (task, attempt) inserts nothing and returns no row. */
  static final String INSERT_OUTCOMES = """
      INSERT INTO analyzer.outcomes (task_id, attempt, outcome, fingerprint, action, at, signature)
      SELECT u.task_id, u.attempt, u.outcome, u.fingerprint, u.action, $6, u.signature
      FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $7::text[])
        AS u(task_id, attempt, outcome, fingerprint, action, signature)
      ON CONFLICT (task_id, attempt) DO NOTHING RETURNING task_id, attempt""";

  /** Row locks in key order (as the analysis writer takes them), before the counters change. */
  static final String LOCK_FINGERPRINTS =
      "SELECT 1 FROM analyzer.fingerprints WHERE fingerprint = ANY($1) ORDER BY fingerprint FOR UPDATE";
  static final String LOCK_SIGNATURES =
      "SELECT 1 FROM analyzer.signatures WHERE signature = ANY($1) ORDER BY signature FOR UPDATE";

  /**
   * A batch's outcomes added to each fingerprint's counters; a dead-lettered task that was redriven and healed
   * no longer counts as dead-lettered (the counts never go below zero).
   */
  static final String COUNT_FINGERPRINT_OUTCOMES = """
      UPDATE analyzer.fingerprints f SET healed_by_retry = f.healed_by_retry + d.healed,
             heal_attempts_total = f.heal_attempts_total + d.heal_attempts,
             dead_lettered = GREATEST(f.dead_lettered + d.dead_lettered - d.uncounted, 0),
             resolved_by_person = f.resolved_by_person + d.resolved,
             last_working_action = CASE WHEN d.action_set THEN d.action ELSE f.last_working_action END
      FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bool[], $8::text[])
        AS d(fingerprint, healed, heal_attempts, dead_lettered, resolved, uncounted, action_set, action)
      WHERE f.fingerprint = d.fingerprint""";

  /** The same per signature ({@code $3}, the attempts, and the action are not kept there). */
  static final String COUNT_SIGNATURE_OUTCOMES = """
      UPDATE analyzer.signatures s SET healed_by_retry = s.healed_by_retry + d.healed,
             dead_lettered = GREATEST(s.dead_lettered + d.dead_lettered - d.uncounted, 0),
             resolved_by_person = s.resolved_by_person + d.resolved
      FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bool[], $8::text[])
        AS d(signature, healed, heal_attempts, dead_lettered, resolved, uncounted, action_set, action)
      WHERE s.signature = d.signature""";

  static final String UPSERT_INTERVENTION = """
      INSERT INTO analyzer.interventions (task_id, action, at) VALUES ($1, $2, $3)
      ON CONFLICT (task_id) DO UPDATE SET action = EXCLUDED.action, at = EXCLUDED.at""";

  static final String LEARNED = "SELECT cluster_id, discriminator, template, size FROM analyzer.learned_templates";
  static final String UPSERT_LEARNED = """
      INSERT INTO analyzer.learned_templates (cluster_id, discriminator, template, size, updated_at)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS l(c, d, t, s), (SELECT $5::timestamptz) AS n
      ON CONFLICT (cluster_id) DO UPDATE SET template = EXCLUDED.template, size = EXCLUDED.size, updated_at = EXCLUDED.updated_at
      WHERE analyzer.learned_templates.template <> EXCLUDED.template OR analyzer.learned_templates.size <> EXCLUDED.size""";

  /** Retention: occurrences, outcomes and interventions older than $1 go; fingerprints keep their counts. */
  static final String PRUNE_OCCURRENCES = "DELETE FROM analyzer.occurrences WHERE failure_id IN "
      + "(SELECT failure_id FROM analyzer.occurrences WHERE seen_at < $1 LIMIT $2)";
  static final String PRUNE_OUTCOMES = "DELETE FROM analyzer.outcomes WHERE (task_id, attempt) IN "
      + "(SELECT task_id, attempt FROM analyzer.outcomes WHERE at < $1 LIMIT $2)";
  static final String PRUNE_INTERVENTIONS = "DELETE FROM analyzer.interventions WHERE task_id IN "
      + "(SELECT task_id FROM analyzer.interventions WHERE at < $1 LIMIT $2)";
}
