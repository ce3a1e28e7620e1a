package dev.rebound.analyzer.store;

/** Every SQL statement of the analyzer, as text; {@code now} always comes from the injected clock. */
final class AnalyzerSql {
  private AnalyzerSql() {
  }

  static final String OCCURRENCE = "SELECT classified FROM analyzer.occurrences WHERE failure_id = $1";

  static final String OCCURRENCES_AMONG =
      "SELECT failure_id, classified FROM analyzer.occurrences WHERE failure_id = ANY($1)";

  /** A batch's occurrences; one recorded before inserts nothing and returns no row. */
  static final String INSERT_OCCURRENCES = """
      INSERT INTO analyzer.occurrences (failure_id, fingerprint, task_id, attempt, workflow_id, stage, source, classified,
                                        signature, seen_at)
      SELECT i.*, $10 FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[],
                                  $8::jsonb[], $9::text[]) AS i
      ON CONFLICT (failure_id) DO NOTHING
      RETURNING failure_id, fingerprint, signature, stage""";

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

  /** Counts a batch's recorded occurrences per fingerprint. */
  static final String COUNT_FINGERPRINTS = """
      UPDATE analyzer.fingerprints f SET occurrences = f.occurrences + c.n
      FROM unnest($1::text[], $2::bigint[]) AS c(fingerprint, n) WHERE f.fingerprint = c.fingerprint""";

  /** A batch's signatures, in signature order, created on first sight; later sights keep the newest verdict. */
  static final String SEE_SIGNATURES = """
      INSERT INTO analyzer.signatures (signature, rule_id, category, transient, occurrences, first_seen, last_seen)
      SELECT i.*, 0, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[]) AS i
      ON CONFLICT (signature) DO UPDATE SET
        last_seen = GREATEST(analyzer.signatures.last_seen, EXCLUDED.last_seen), rule_id = EXCLUDED.rule_id,
        category = EXCLUDED.category, transient = EXCLUDED.transient""";

  /** Counts a batch's recorded occurrences per signature. */
  static final String COUNT_SIGNATURES = """
      UPDATE analyzer.signatures s SET occurrences = s.occurrences + c.n
      FROM unnest($1::text[], $2::bigint[]) AS c(signature, n) WHERE s.signature = c.signature""";

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

  static final String COUNT_SIGNATURE_OUTCOME = """
      UPDATE analyzer.signatures SET healed_by_retry = healed_by_retry + CASE WHEN $2 = 'HEALED_BY_RETRY' THEN 1 ELSE 0 END,
             dead_lettered = dead_lettered + CASE WHEN $2 = 'DEAD_LETTERED' THEN 1 ELSE 0 END,
             resolved_by_person = resolved_by_person + CASE WHEN $2 = 'RESOLVED_BY_PERSON' THEN 1 ELSE 0 END
      WHERE signature = $1""";
  static final String UNCOUNT_SIGNATURE_DEAD_LETTERED = """
      UPDATE analyzer.signatures SET dead_lettered = GREATEST(dead_lettered - 1, 0)
      WHERE signature = $1 AND EXISTS (SELECT 1 FROM analyzer.outcomes
                                       WHERE task_id = $2 AND signature = $1 AND outcome = 'DEAD_LETTERED')""";

  /** Counts a batch's recorded occurrences per (fingerprint, stage). */
  static final String COUNT_STAGES = """
      INSERT INTO analyzer.fingerprint_stages (fingerprint, stage, occurrences)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
      ON CONFLICT (fingerprint, stage) DO UPDATE SET occurrences = analyzer.fingerprint_stages.occurrences + EXCLUDED.occurrences""";

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

  /** The fingerprint of a task's latest classified failure (at or before an attempt). */
  static final String LATEST_OF_TASK = """
      SELECT fingerprint, signature, attempt FROM analyzer.occurrences WHERE task_id = $1 AND attempt <= $2
      ORDER BY attempt DESC LIMIT 1""";

  static final String INSERT_OUTCOME = """
      INSERT INTO analyzer.outcomes (task_id, attempt, outcome, fingerprint, action, at, signature)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (task_id, attempt) DO NOTHING RETURNING task_id""";

  static final String COUNT_HEALED = """
      UPDATE analyzer.fingerprints SET healed_by_retry = healed_by_retry + 1, heal_attempts_total = heal_attempts_total + $2,
             last_working_action = $3 WHERE fingerprint = $1""";
  static final String COUNT_DEAD_LETTERED =
      "UPDATE analyzer.fingerprints SET dead_lettered = dead_lettered + 1 WHERE fingerprint = $1";
  static final String COUNT_RESOLVED_BY_PERSON = """
      UPDATE analyzer.fingerprints SET resolved_by_person = resolved_by_person + 1, last_working_action = $2
      WHERE fingerprint = $1""";

  /**
   * A task dead-lettered before and now DONE (redriven): its failure is no longer counted as dead-lettered
   * (it counts as healed or resolved now), so a fingerprint's outcomes never exceed its failures.
   */
  static final String UNCOUNT_DEAD_LETTERED = """
      UPDATE analyzer.fingerprints SET dead_lettered = GREATEST(dead_lettered - 1, 0)
      WHERE fingerprint = $1 AND EXISTS (SELECT 1 FROM analyzer.outcomes
                                         WHERE task_id = $2 AND fingerprint = $1 AND outcome = 'DEAD_LETTERED')""";

  static final String UPSERT_INTERVENTION = """
      INSERT INTO analyzer.interventions (task_id, action, at) VALUES ($1, $2, $3)
      ON CONFLICT (task_id) DO UPDATE SET action = EXCLUDED.action, at = EXCLUDED.at""";
  static final String TAKE_INTERVENTION = "DELETE FROM analyzer.interventions WHERE task_id = $1 RETURNING action";

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
