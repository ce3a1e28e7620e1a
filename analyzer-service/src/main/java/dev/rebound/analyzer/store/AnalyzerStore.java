package dev.rebound.analyzer.store;

import dev.rebound.analyzer.domain.FingerprintHistory;
import dev.rebound.analyzer.domain.LearnedTemplate;
import dev.rebound.analyzer.domain.Verdict;
import dev.rebound.common.request.FingerprintsQuery.Order;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** The analyzer's PostgreSQL store (schema {@code analyzer}). */
public final class AnalyzerStore {
  private final Pool pool;
  private final Clock clock;

  public AnalyzerStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  static String iso(Row r, String col) {
    OffsetDateTime t = r.getOffsetDateTime(col);
    return t == null ? null : t.toInstant().toString();
  }

  /** The FailureClassified sent for this failure before, or null. */
  public Future<JsonObject> previous(UUID failureId) {
    return pool.preparedQuery(AnalyzerSql.OCCURRENCE).execute(Tuple.of(failureId))
        .map(rows -> rows.size() == 0 ? null : (JsonObject) rows.iterator().next().getValue("classified"));
  }

  /** The FailureClassified sent before for each of {@code failureIds} that has one. */
  public Future<Map<UUID, JsonObject>> previous(Collection<UUID> failureIds) {
    return pool.preparedQuery(AnalyzerSql.OCCURRENCES_AMONG).execute(Tuple.of(failureIds.toArray(new UUID[0])))
        .map(rows -> {
          Map<UUID, JsonObject> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getUUID("failure_id"), (JsonObject) r.getValue("classified")));
          return out;
        });
  }

  /** The history of each of {@code fingerprints} that is known. */
  public Future<Map<String, FingerprintHistory>> histories(Collection<String> fingerprints) {
    return pool.preparedQuery(AnalyzerSql.FINGERPRINTS_AMONG).execute(Tuple.of(fingerprints.toArray(new String[0])))
        .map(rows -> {
          Map<String, FingerprintHistory> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getString("fingerprint"), new FingerprintHistory(r.getLong("occurrences"),
              r.getLong("healed_by_retry"), r.getLong("dead_lettered"), r.getLong("resolved_by_person"))));
          return out;
        });
  }

  /** {@link #impact} of each of {@code fingerprints} (one with no failure in the window is absent). */
  public Future<Map<String, JsonObject>> impacts(Collection<String> fingerprints, Duration window) {
    return pool.preparedQuery(AnalyzerSql.IMPACTS)
        .execute(Tuple.of(fingerprints.toArray(new String[0]), ts(clock.instant().minus(window))))
        .map(rows -> {
          Map<String, JsonObject> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getString("fingerprint"), new JsonObject().put("failures", r.getLong("failures"))
              .put("tasks", r.getLong("tasks")).put("workflows", r.getLong("workflows"))));
          return out;
        });
  }

  /**
   * Records a batch of occurrences and counts them on their fingerprints and stages, in one transaction;
   * returns the failure ids recorded (one recorded before, by this or another instance, is not, and counts
   * nothing twice).
   */
  public Future<Set<UUID>> recordAll(List<Occurrence> batch) {
    Instant now = clock.instant();
    Map<String, Verdict> byFingerprint = new TreeMap<>();
    batch.forEach(o -> byFingerprint.put(o.verdict().fingerprint(), o.verdict()));
    int f = byFingerprint.size();
    String[] fps = new String[f];
    String[] templates = new String[f];
    String[] categories = new String[f];
    Boolean[] transients = new Boolean[f];
    String[] severities = new String[f];
    String[] rules = new String[f];
    String[] causes = new String[f];
    String[] fsigs = new String[f];
    int i = 0;
    for (Verdict v : byFingerprint.values()) {
      fps[i] = v.fingerprint();
      templates[i] = v.template();
      categories[i] = v.category().name();
      transients[i] = v.transientFailure();
      severities[i] = v.severity().name();
      rules[i] = v.ruleId();
      causes[i] = v.rootCause();
      fsigs[i] = v.signature();
      i++;
    }
    Map<String, Verdict> bySignature = new TreeMap<>();
    batch.forEach(o -> {
      if (o.verdict().signature() != null) {
        bySignature.put(o.verdict().signature(), o.verdict());
      }
    });
    int g = bySignature.size();
    String[] sigs = new String[g];
    String[] sigRules = new String[g];
    String[] sigCategories = new String[g];
    Boolean[] sigTransients = new Boolean[g];
    int j = 0;
    for (Verdict v : bySignature.values()) {
      sigs[j] = v.signature();
      sigRules[j] = v.ruleId();
      sigCategories[j] = v.category().name();
      sigTransients[j] = v.transientFailure();
      j++;
    }
    int n = batch.size();
    UUID[] ids = new UUID[n];
    String[] ofps = new String[n];
    UUID[] tasks = new UUID[n];
    Integer[] attempts = new Integer[n];
    String[] workflows = new String[n];
    String[] stages = new String[n];
    String[] sources = new String[n];
    JsonObject[] classified = new JsonObject[n];
    String[] osigs = new String[n];
    for (int k = 0; k < n; k++) {
      Occurrence o = batch.get(k);
      ids[k] = o.failureId();
      ofps[k] = o.verdict().fingerprint();
      tasks[k] = o.taskId();
      attempts[k] = o.attempt();
      workflows[k] = o.workflowId();
      stages[k] = o.stage();
      sources[k] = o.source();
      classified[k] = o.classified();
      osigs[k] = o.verdict().signature();
    }
    // pipelined: sent together, run in this order (the occurrences need their fingerprints)
    return pool.withTransaction(conn -> {
      Future<?> seen = conn.preparedQuery(AnalyzerSql.SEE_FINGERPRINTS)
          .execute(Tuple.of(fps, templates, categories, transients, severities, rules, causes).addValue(ts(now)).addValue(fsigs));
      Future<?> signed = g == 0 ? Future.succeededFuture() : conn.preparedQuery(AnalyzerSql.SEE_SIGNATURES)
          .execute(Tuple.of(sigs, sigRules, sigCategories, sigTransients, ts(now)));
      Future<RowSet<Row>> counted = conn.preparedQuery(AnalyzerSql.INSERT_AND_COUNT_OCCURRENCES).execute(Tuple.of(ids, ofps,
          tasks, attempts, workflows, stages, sources).addValue(classified).addValue(osigs).addValue(ts(now)));
      return Future.all(seen, signed, counted).map(x -> {
        Set<UUID> recorded = new HashSet<>();
        counted.result().forEach(r -> recorded.add(r.getUUID("failure_id")));
        return recorded;
      });
    });
  }

  public record Occurrence(UUID failureId, UUID taskId, Integer attempt, String workflowId, String stage, String source,
                           Verdict verdict, JsonObject classified) {
  }

  /** What the classifier needs to know of a fingerprint's past. */
  public Future<FingerprintHistory> history(String fingerprint) {
    return pool.preparedQuery(AnalyzerSql.FINGERPRINT).execute(Tuple.of(fingerprint)).map(rows -> {
      if (rows.size() == 0) {
        return FingerprintHistory.NONE;
      }
      Row r = rows.iterator().next();
      return new FingerprintHistory(r.getLong("occurrences"), r.getLong("healed_by_retry"), r.getLong("dead_lettered"),
          r.getLong("resolved_by_person"));
    });
  }

  /** A fingerprint's full story: counts, outcomes, stages, impact in the last hour; null when unknown. */
  public Future<JsonObject> fingerprint(String fingerprint) {
    return pool.preparedQuery(AnalyzerSql.FINGERPRINT).execute(Tuple.of(fingerprint)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      Row r = rows.iterator().next();
      JsonObject fp = summary(r);
      long healed = r.getLong("healed_by_retry");
      fp.put("rootCause", r.getString("root_cause"));
      if (healed > 0) {
        fp.put("averageAttemptsToHeal", (double) r.getLong("heal_attempts_total") / healed);
      }
      if (r.getString("last_working_action") != null) {
        fp.put("lastWorkingAction", r.getString("last_working_action"));
      }
      return pool.preparedQuery(AnalyzerSql.STAGES_OF).execute(Tuple.of(fingerprint)).compose(stages -> {
        JsonArray byStage = new JsonArray();
        for (Row s : stages) {
          byStage.add(new JsonObject().put("stage", s.getString("stage")).put("occurrences", s.getLong("occurrences")));
        }
        fp.put("stages", byStage);
        String sig = r.getString("signature");
        Future<JsonObject> ofSignature = sig == null ? Future.succeededFuture() : signature(sig);
        return ofSignature.compose(story -> {
          if (story != null) {
            fp.put("signatureHistory", story); // the underlying error across all its templates
          }
          return impact(fingerprint, Duration.ofHours(1)).map(impact -> fp.put("impactLastHour", impact));
        });
      });
    });
  }

  /** The history of each of {@code signatures} that is known. */
  public Future<Map<String, FingerprintHistory>> signatureHistories(Collection<String> signatures) {
    return pool.preparedQuery(AnalyzerSql.SIGNATURES_AMONG).execute(Tuple.of(signatures.toArray(new String[0])))
        .map(rows -> {
          Map<String, FingerprintHistory> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getString("signature"), new FingerprintHistory(r.getLong("occurrences"),
              r.getLong("healed_by_retry"), r.getLong("dead_lettered"), r.getLong("resolved_by_person"))));
          return out;
        });
  }

  /** A signature's story: counts, outcomes and the fingerprints (templates) it was seen as; null when unknown. */
  public Future<JsonObject> signature(String signature) {
    return pool.preparedQuery(AnalyzerSql.SIGNATURE).execute(Tuple.of(signature)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      Row r = rows.iterator().next();
      JsonObject o = new JsonObject().put("signature", signature).put("ruleId", r.getString("rule_id"))
          .put("category", r.getString("category")).put("transient", r.getBoolean("transient"))
          .put("occurrences", r.getLong("occurrences")).put("firstSeen", iso(r, "first_seen"))
          .put("lastSeen", iso(r, "last_seen"))
          .put("outcomes", new JsonObject().put("healedByRetry", r.getLong("healed_by_retry"))
              .put("deadLettered", r.getLong("dead_lettered")).put("resolvedByPerson", r.getLong("resolved_by_person")));
      return pool.preparedQuery(AnalyzerSql.FINGERPRINTS_OF_SIGNATURE).execute(Tuple.of(signature)).map(fps -> {
        JsonArray list = new JsonArray();
        for (Row f : fps) {
          list.add(new JsonObject().put("fingerprint", f.getString("fingerprint")).put("template", f.getString("template"))
              .put("occurrences", f.getLong("occurrences")));
        }
        return o.put("fingerprints", list);
      });
    });
  }

  public Future<JsonObject> impact(String fingerprint, Duration window) {
    return pool.preparedQuery(AnalyzerSql.IMPACT).execute(Tuple.of(fingerprint, ts(clock.instant().minus(window))))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new JsonObject().put("failures", r.getLong("failures")).put("tasks", r.getLong("tasks"))
              .put("workflows", r.getLong("workflows"));
        });
  }

  public record Candidate(String fingerprint, String template, long occurrences, long healedByRetry, long deadLettered,
                          long resolvedByPerson, String lastWorkingAction) {
  }

  public Future<List<Candidate>> sameCategory(String category, String except, int limit) {
    return pool.preparedQuery(AnalyzerSql.SAME_CATEGORY).execute(Tuple.of(category, except, limit)).map(rows -> {
      List<Candidate> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Candidate(r.getString("fingerprint"), r.getString("template"), r.getLong("occurrences"),
            r.getLong("healed_by_retry"), r.getLong("dead_lettered"), r.getLong("resolved_by_person"),
            r.getString("last_working_action")));
      }
      return out;
    });
  }

  public Future<JsonArray> top(Order order, String stage, int limit) {
    Future<RowSet<Row>> rows = stage != null
        ? pool.preparedQuery(AnalyzerSql.TOP_BY_STAGE).execute(Tuple.of(limit, stage))
        : pool.preparedQuery(order == Order.RECENT ? AnalyzerSql.TOP_BY_RECENT : AnalyzerSql.TOP_BY_COUNT).execute(Tuple.of(limit));
    return rows.map(rs -> {
      JsonArray out = new JsonArray();
      for (Row r : rs) {
        out.add(summary(r));
      }
      return out;
    });
  }

  private static JsonObject summary(Row r) {
    JsonObject o = new JsonObject().put("fingerprint", r.getString("fingerprint")).put("signature", r.getString("signature"))
        .put("template", r.getString("template"))
        .put("category", r.getString("category")).put("transient", r.getBoolean("transient"))
        .put("severity", r.getString("severity")).put("occurrences", r.getLong("occurrences"))
        .put("firstSeen", iso(r, "first_seen")).put("lastSeen", iso(r, "last_seen"))
        .put("outcomes", new JsonObject().put("healedByRetry", r.getLong("healed_by_retry"))
            .put("deadLettered", r.getLong("dead_lettered")).put("resolvedByPerson", r.getLong("resolved_by_person")));
    if (r.getString("rule_id") != null) {
      o.put("ruleId", r.getString("rule_id"));
    }
    return o;
  }

  // ---------------------------------------------------------------- outcomes

  /**
   * What became of a task's failures. {@code DEAD_LETTER_WITHDRAWN} is not stored: the retry service's decision
   * replaced the ledger's provisional dead letter of that attempt (the task left FAILED for RETRY or BLOCKED), so
   * the attempt's dead-letter outcome is taken back and no longer counted.
   */
  public enum Outcome { HEALED_BY_RETRY, DEAD_LETTERED, RESOLVED_BY_PERSON, DEAD_LETTER_WITHDRAWN }

  /** A person acted on the task (redrive, unblock); remembered until the task's outcome. */
  public Future<Void> noteIntervention(UUID taskId, String action) {
    return pool.preparedQuery(AnalyzerSql.UPSERT_INTERVENTION).execute(Tuple.of(taskId, action, ts(clock.instant()))).mapEmpty();
  }

  /**
   * Credits the outcome of a task's failures to the fingerprint of its latest classified failure,
   * once per (task, attempt). Tasks that never failed (no occurrence) are ignored.
   */
  public Future<Boolean> recordOutcome(UUID taskId, int attempt, Outcome outcome, String action) {
    return recordOutcomes(List.of(new OutcomeReport(taskId, attempt, outcome, action))).map(recorded -> recorded.get(0));
  }

  /** One outcome to credit: see {@link #recordOutcome}. */
  public record OutcomeReport(UUID taskId, int attempt, Outcome outcome, String action) {
  }

  /**
   * Records several outcomes in one transaction of a fixed number of statements, whatever the batch's size:
   * each answers as {@link #recordOutcome} would (false when the task never failed or the outcome of that
   * attempt was recorded before). The counters are applied per fingerprint and per signature, their rows
   * locked in key order, fingerprints before signatures, as the analysis writer locks them: the two writers
   * wait for each other but never deadlock.
   */
  public Future<List<Boolean>> recordOutcomes(List<OutcomeReport> reports) {
    int n = reports.size();
    UUID[] tasks = new UUID[n];
    Integer[] attempts = new Integer[n];
    for (int i = 0; i < n; i++) {
      tasks[i] = reports.get(i).taskId();
      attempts[i] = reports.get(i).attempt();
    }
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(AnalyzerSql.LATEST_OF_TASKS)
        .execute(Tuple.of(tasks, (Object) attempts)).compose(latest -> {
          String[] fps = new String[n];
          String[] sigs = new String[n];
          for (Row r : latest) {
            int i = (int) (r.getLong("i") - 1);
            fps[i] = r.getString("fingerprint");
            sigs[i] = r.getString("signature");
          }
          List<Boolean> answers = new ArrayList<>(Collections.nCopies(n, false));
          // a dead letter withdrawn in the same batch as it was reported is neither recorded nor counted
          boolean[] cancelled = new boolean[n];
          List<Integer> withdrawals = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            if (reports.get(i).outcome() != Outcome.DEAD_LETTER_WITHDRAWN) {
              continue;
            }
            int reported = -1;
            for (int j = i - 1; j >= 0 && reported < 0; j--) {
              if (!cancelled[j] && reports.get(j).outcome() == Outcome.DEAD_LETTERED && tasks[j].equals(tasks[i])
                  && attempts[j].equals(attempts[i])) {
                reported = j;
              }
            }
            cancelled[i] = true;
            if (reported >= 0) {
              cancelled[reported] = true;
              answers.set(reported, fps[reported] != null);
              answers.set(i, fps[reported] != null);
            } else {
              withdrawals.add(i);
            }
          }
          Set<UUID> healed = new HashSet<>();
          Set<UUID> failedBefore = new HashSet<>();
          for (int i = 0; i < n; i++) {
            if (fps[i] != null && !cancelled[i]) {
              (reports.get(i).outcome() == Outcome.HEALED_BY_RETRY ? healed : failedBefore).add(tasks[i]);
            }
          }
          failedBefore.addAll(healed);
          if (failedBefore.isEmpty() && withdrawals.isEmpty()) {
            return Future.succeededFuture(answers);
          }
          // pipelined: sent together, run in this order in the transaction (the withdrawn dead letters are gone
          // before the look-up of a task's dead letters)
          Future<RowSet<Row>> withdrawn = withdrawals.isEmpty() ? Future.succeededFuture(null)
              : conn.preparedQuery(AnalyzerSql.WITHDRAW_DEAD_LETTERS).execute(Tuple.of(
                  withdrawals.stream().map(i -> tasks[i]).toArray(UUID[]::new),
                  (Object) withdrawals.stream().map(i -> attempts[i]).toArray(Integer[]::new)));
          Future<RowSet<Row>> interventions = healed.isEmpty() ? Future.succeededFuture(null)
              : conn.preparedQuery(AnalyzerSql.TAKE_INTERVENTIONS).execute(Tuple.of((Object) healed.toArray(new UUID[0])));
          Future<RowSet<Row>> deadLettered = failedBefore.isEmpty() ? Future.succeededFuture(null)
              : conn.preparedQuery(AnalyzerSql.DEAD_LETTERED_OF_TASKS).execute(Tuple.of((Object) failedBefore.toArray(new UUID[0])));
          return Future.all(withdrawn, interventions, deadLettered).compose(x -> {
            Map<String, OutcomeCounts> byFingerprint = new TreeMap<>();
            Map<String, OutcomeCounts> bySignature = new TreeMap<>();
            if (withdrawn.result() != null) {
              Set<List<Object>> taken = new HashSet<>();
              withdrawn.result().forEach(r -> {
                taken.add(List.of(r.getUUID("task_id"), r.getInteger("attempt")));
                byFingerprint.computeIfAbsent(r.getString("fingerprint"), k -> new OutcomeCounts()).uncounted++;
                if (r.getString("signature") != null) {
                  bySignature.computeIfAbsent(r.getString("signature"), k -> new OutcomeCounts()).uncounted++;
                }
              });
              withdrawals.forEach(i -> answers.set(i, taken.contains(List.of(tasks[i], attempts[i]))));
            }
            Set<UUID> intervened = new HashSet<>();
            if (interventions.result() != null) {
              interventions.result().forEach(r -> intervened.add(r.getUUID("task_id")));
            }
            Set<List<Object>> deadBefore = new HashSet<>();
            (deadLettered.result() == null ? List.<Row>of() : deadLettered.result()).forEach(r -> {
              deadBefore.add(List.of(r.getUUID("task_id"), "f:" + r.getString("fingerprint")));
              if (r.getString("signature") != null) {
                deadBefore.add(List.of(r.getUUID("task_id"), "s:" + r.getString("signature")));
              }
            });
            Outcome[] kinds = new Outcome[n];
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              if (fps[i] == null || cancelled[i]) {
                continue;
              }
              Outcome kind = reports.get(i).outcome();
              // a person's earlier action makes the success theirs (once per task)
              kinds[i] = kind == Outcome.HEALED_BY_RETRY && intervened.remove(tasks[i]) ? Outcome.RESOLVED_BY_PERSON : kind;
              candidates.add(i);
            }
            int c = candidates.size();
            UUID[] ct = new UUID[c];
            Integer[] ca = new Integer[c];
            String[] co = new String[c];
            String[] cf = new String[c];
            String[] cx = new String[c];
            String[] cs = new String[c];
            for (int k = 0; k < c; k++) {
              int i = candidates.get(k);
              ct[k] = tasks[i];
              ca[k] = attempts[i];
              co[k] = kinds[i].name();
              cf[k] = fps[i];
              cx[k] = reports.get(i).action();
              cs[k] = sigs[i];
            }
            Future<RowSet<Row>> insert = c == 0 ? Future.succeededFuture(null) : conn.preparedQuery(AnalyzerSql.INSERT_OUTCOMES)
                .execute(Tuple.of(ct, ca, co, cf, cx, ts(now)).addValue(cs));
            return insert.compose(inserted -> {
                  Set<List<Object>> fresh = new HashSet<>();
                  if (inserted != null) {
                    inserted.forEach(r -> fresh.add(List.of(r.getUUID("task_id"), r.getInteger("attempt"))));
                  }
                  for (int i : candidates) {
                    // the first of two reports of one (task, attempt) is the one inserted
                    if (!fresh.remove(List.of(tasks[i], attempts[i]))) {
                      continue;
                    }
                    answers.set(i, true);
                    OutcomeReport r = reports.get(i);
                    byFingerprint.computeIfAbsent(fps[i], k -> new OutcomeCounts())
                        .add(kinds[i], r.attempt(), r.action(), deadBefore, List.of(tasks[i], "f:" + fps[i]));
                    if (sigs[i] != null) {
                      bySignature.computeIfAbsent(sigs[i], k -> new OutcomeCounts())
                          .add(kinds[i], r.attempt(), r.action(), deadBefore, List.of(tasks[i], "s:" + sigs[i]));
                    }
                  }
                  if (byFingerprint.isEmpty()) {
                    return Future.succeededFuture(answers);
                  }
                  String[] keys = byFingerprint.keySet().toArray(new String[0]);
                  conn.preparedQuery(AnalyzerSql.LOCK_FINGERPRINTS).execute(Tuple.of((Object) keys));
                  Future<?> counted = conn.preparedQuery(AnalyzerSql.COUNT_FINGERPRINT_OUTCOMES)
                      .execute(OutcomeCounts.tuple(byFingerprint));
                  if (!bySignature.isEmpty()) {
                    conn.preparedQuery(AnalyzerSql.LOCK_SIGNATURES)
                        .execute(Tuple.of((Object) bySignature.keySet().toArray(new String[0])));
                    counted = conn.preparedQuery(AnalyzerSql.COUNT_SIGNATURE_OUTCOMES).execute(OutcomeCounts.tuple(bySignature));
                  }
                  return counted.map(answers);
                });
          });
        }));
  }

  /** What a batch of outcomes adds to one fingerprint's or signature's counters. */
  private static final class OutcomeCounts {
    long healed;
    long healAttempts;
    long deadLettered;
    long resolved;
    long uncounted;
    boolean actionSet;
    String action;

    void add(Outcome kind, int attempt, String action, Set<List<Object>> deadBefore, List<Object> taskKey) {
      switch (kind) {
        case HEALED_BY_RETRY -> {
          healed++;
          healAttempts += attempt;
        }
        case DEAD_LETTERED -> deadLettered++;
        case RESOLVED_BY_PERSON -> resolved++;
      }
      if (kind == Outcome.DEAD_LETTERED) {
        deadBefore.add(taskKey);
      } else {
        // dead-lettered before and now DONE (redriven): no longer counted as dead-lettered
        if (deadBefore.contains(taskKey)) {
          uncounted++;
        }
        actionSet = true;
        this.action = action;
      }
    }

    static Tuple tuple(Map<String, OutcomeCounts> counts) {
      int m = counts.size();
      Long[] healed = new Long[m];
      Long[] attempts = new Long[m];
      Long[] dead = new Long[m];
      Long[] resolved = new Long[m];
      Long[] uncounted = new Long[m];
      Boolean[] actionSet = new Boolean[m];
      String[] actions = new String[m];
      int k = 0;
      for (OutcomeCounts c : counts.values()) {
        healed[k] = c.healed;
        attempts[k] = c.healAttempts;
        dead[k] = c.deadLettered;
        resolved[k] = c.resolved;
        uncounted[k] = c.uncounted;
        actionSet[k] = c.actionSet;
        actions[k] = c.action;
        k++;
      }
      return Tuple.of(counts.keySet().toArray(new String[0]), healed, attempts, dead, resolved, uncounted)
          .addValue(actionSet).addValue(actions);
    }
  }

  /**
   * Deletes per-failure rows older than {@code retention}, {@code limit} rows per statement, repeating
   * until a statement deletes fewer: a sweep keeps up with any failure rate.
   */
  public Future<Integer> prune(Duration retention, int limit) {
    OffsetDateTime before = ts(clock.instant().minus(retention));
    return pruneAll(AnalyzerSql.PRUNE_OCCURRENCES, before, limit, 0)
        .compose(a -> pruneAll(AnalyzerSql.PRUNE_OUTCOMES, before, limit, a))
        .compose(b -> pruneAll(AnalyzerSql.PRUNE_INTERVENTIONS, before, limit, b));
  }

  private Future<Integer> pruneAll(String sql, OffsetDateTime before, int limit, int deletedSoFar) {
    return pool.preparedQuery(sql).execute(Tuple.of(before, limit)).compose(rs -> rs.rowCount() < limit
        ? Future.succeededFuture(deletedSoFar + rs.rowCount())
        : pruneAll(sql, before, limit, deletedSoFar + rs.rowCount()));
  }

  // ---------------------------------------------------------------- learned templates

  public Future<List<LearnedTemplate>> learnedTemplates() {
    return pool.preparedQuery(AnalyzerSql.LEARNED).execute().map(rows -> {
      List<LearnedTemplate> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new LearnedTemplate(r.getString("cluster_id"), r.getString("discriminator"), r.getString("template"),
            r.getLong("size")));
      }
      return out;
    });
  }

  /** Writes the miner's clusters (only rows that changed are rewritten), 500 per statement. */
  public Future<Integer> saveLearnedTemplates(List<LearnedTemplate> learned) {
    Future<Integer> total = Future.succeededFuture(0);
    for (int from = 0; from < learned.size(); from += 500) {
      List<LearnedTemplate> chunk = learned.subList(from, Math.min(learned.size(), from + 500));
      total = total.compose(n -> saveChunk(chunk).map(m -> n + m));
    }
    return total;
  }

  private Future<Integer> saveChunk(List<LearnedTemplate> learned) {
    int n = learned.size();
    String[] ids = new String[n];
    String[] discriminators = new String[n];
    String[] templates = new String[n];
    Long[] sizes = new Long[n];
    for (int i = 0; i < n; i++) {
      LearnedTemplate l = learned.get(i);
      ids[i] = l.clusterId();
      discriminators[i] = l.discriminator();
      templates[i] = l.template();
      sizes[i] = l.size();
    }
    return pool.preparedQuery(AnalyzerSql.UPSERT_LEARNED)
        .execute(Tuple.tuple(Arrays.asList(ids, discriminators, templates, sizes, ts(clock.instant()))))
        .map(rs -> rs.rowCount());
  }
}
