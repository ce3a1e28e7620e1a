package dev.rebound.analyzer;

import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.FailureInput;
import dev.rebound.analyzer.domain.FingerprintHistory;
import dev.rebound.analyzer.domain.Verdict;
import dev.rebound.analyzer.store.AnalyzerStore;
import dev.rebound.common.Addresses;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.JsonFields;
import dev.rebound.common.JsonText;
import dev.rebound.common.text.TextBuffer;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.db.GroupCommit;
import dev.rebound.common.message.FailureClassified;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import dev.rebound.common.request.ClassifyRequest;
import dev.rebound.common.request.FingerprintRequest;
import dev.rebound.common.request.FingerprintsQuery;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.text.Redactor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyzer's operations behind the event bus and HTTP: classify on request, analyse recorded
 * failures (idempotent per failure id) and forward the verdict to the retry service, learn outcomes
 * from task transitions, and answer fingerprint queries.
 */
public final class AnalyzerOperations {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyzerOperations.class);
  private static final int SIMILAR_CANDIDATES = 200;
  private static final int SIMILAR_SHOWN = 3;
  private static final double SIMILAR_MIN = 0.5;
  /** Failures analysed together at most. */
  static final int MAX_BATCH = 500;

  private final Vertx vertx;
  private final Classifier classifier;
  private final AnalyzerStore store;
  private final Clock clock;
  private final Redactor redactor = new Redactor();
  private final AnalysisCache cache;
  private final GroupCommit<Analysis, JsonObject> analyses;
  private final GroupCommit<AnalyzerStore.OutcomeReport, Boolean> outcomes;

  public AnalyzerOperations(Vertx vertx, Classifier classifier, AnalyzerStore store, Clock clock) {
    this.vertx = vertx;
    this.classifier = classifier;
    this.store = store;
    this.clock = clock;
    // a batch that fails on one failure's data is recorded again failure by failure
    this.cache = new AnalysisCache(clock);
    // a batch that fails on one failure's data, or meets the outcome writer in a deadlock, is written again alone
    this.analyses = new GroupCommit<>(MAX_BATCH, 1, this::analyzeBatch, GroupCommit::dataErrorOrDeadlock);
    // outcomes of one fingerprint (a storm of dead letters) in one transaction, not one row lock each
    this.outcomes = new GroupCommit<>(MAX_BATCH, 1, batch -> store.recordOutcomes(batch)
        .map(recorded -> recorded.stream().map(Outcome::ok).toList()), GroupCommit::dataErrorOrDeadlock);
  }

  public Classifier classifier() {
    return classifier;
  }

  /** Request/reply classification; nothing is recorded. {@code explain: true} adds the reasons. */
  public Future<JsonObject> classify(ClassifyRequest request) {
    FailureInput input = VerdictJson.input(request);
    Verdict first = classifier.classify(input);
    return store.history(first.fingerprint()).map(h -> {
      Verdict v = h.count() > 0 ? classifier.classify(input, h) : first;
      JsonObject out = request.explain() ? VerdictJson.withReasons(v) : VerdictJson.of(v);
      return out.put("history", historyJson(h));
    });
  }

  /**
   * NDJSON in, NDJSON out: one line out per non-blank line in, in order, each a {@link ClassifyRequest};
   * a bad line answers with its error and line number and the rest go on.
   */
  public Future<String> classifyBatch(String ndjson, int maxLines) {
    // bounded: each batch holds its body and a worker thread; more at once wait in nobody's memory
    if (batchesInFlight >= MAX_BATCHES_IN_FLIGHT) {
      return Future.failedFuture(new ReboundException(ErrorCode.OVERLOADED, MAX_BATCHES_IN_FLIGHT
          + " batch classifications are already running; retry shortly", new JsonObject().put("retryAfterSeconds", 1)));
    }
    batchesInFlight++;
    // thousands of verdicts take a while: off the event loop (the classifier is thread-safe)
    return vertx.executeBlocking(() -> classifyLines(ndjson, maxLines), false)
        .onComplete(ar -> batchesInFlight--);
  }

  /** Batch classifications running at once (each up to {@code analyzer.body-limit-bytes}); one more is 429. */
  static final int MAX_BATCHES_IN_FLIGHT = 4;
  private int batchesInFlight;

  private String classifyLines(String ndjson, int maxLines) {
    String[] lines = ndjson.split("\r?\n", -1);
    int count = 0;
    for (String l : lines) {
      if (!l.isBlank()) {
        count++;
      }
    }
    if (count > maxLines) {
      throw ReboundException.badRequest("a batch may hold at most " + maxLines + " lines, got " + count);
    }
    TextBuffer out = new TextBuffer(Math.max(1024, Math.min(ndjson.length() * 4, 1 << 22)));
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      try {
        ClassifyRequest request = ClassifyRequest.fromJson(JsonFields.requireObject(Json.decodeValue(line)));
        Verdict v = classifier.classify(VerdictJson.input(request));
        JsonObject j = request.explain() ? VerdictJson.withReasons(v) : VerdictJson.of(v);
        JsonText.append(out, j.put("line", i + 1)).append('\n');
      } catch (DecodeException e) {
        JsonText.append(out, lineError(i + 1, ReboundException.badRequest("malformed JSON"))).append('\n');
      } catch (ReboundException e) {
        JsonText.append(out, lineError(i + 1, e)).append('\n');
      }
    }
    return out.toString();
  }

  private static JsonObject lineError(int line, ReboundException e) {
    return e.toJson().put("line", line);
  }

  /**
   * A failure recorded by the ledger: classify it with its fingerprint's history, record it, and send
   * {@code FailureClassified} to the retry service (and publish it). A failure seen before is not
   * counted again; its earlier verdict is sent again, since the ledger only re-sends when no
   * decision came. Failures that arrive while a batch is being recorded go together in the next one
   * ({@link GroupCommit}): one look-up of earlier verdicts and histories, one transaction; impacts and
   * similar fingerprints come from the {@link AnalysisCache}.
   */
  public Future<JsonObject> analyzeFailure(FailureEvent f) {
    if (f.failureId() == null) {
      return Future.failedFuture(ReboundException.invalidField("failureId", "is required"));
    }
    return analyses.submit(new Analysis(f, Correlation.current().orElse(null)));
  }

  /** One failure to analyse, with the correlation id of the request that brought it. */
  private record Analysis(FailureEvent failure, String correlation) {
  }

  /** A failure of a batch once classified: its verdict and input (null when it was analysed before). */
  private static final class Classified {
    final Analysis analysis;
    FailureInput input;
    Verdict verdict;
    JsonObject result;
    RuntimeException error;

    Classified(Analysis analysis) {
      this.analysis = analysis;
    }
  }

  private Future<List<Outcome<JsonObject>>> analyzeBatch(List<Analysis> batch) {
    List<Classified> items = batch.stream().map(Classified::new).toList();
    // no look-up of earlier verdicts first: recording is the check (a failure analysed before inserts nothing,
    // and its stored verdict is read back and sent again), which saves a round trip per batch
    Set<UUID> inBatch = new HashSet<>();
    Set<String> fingerprints = new TreeSet<>();
    for (Classified c : items) {
      UUID id = c.analysis.failure().failureId();
      if (inBatch.add(id)) {
        try {
          c.input = VerdictJson.input(ClassifyRequest.of(c.analysis.failure()));
          c.verdict = classifier.classify(c.input);
          fingerprints.add(c.verdict.fingerprint());
        } catch (RuntimeException e) {
          c.error = e;
        }
      }
    }
    if (fingerprints.isEmpty()) {
      return Future.succeededFuture(finish(items));
    }
    return store.histories(fingerprints).compose(histories -> {
      for (Classified c : items) {
        FingerprintHistory h = c.verdict == null ? null : histories.get(c.verdict.fingerprint());
        if (h != null && h.count() > 0) {
          c.verdict = classifier.classify(c.input, h);
        }
      }
      Map<String, Future<JsonArray>> similar = new HashMap<>();
      for (Classified c : items) {
        if (c.verdict != null) {
          similar.computeIfAbsent(c.verdict.fingerprint(), fp -> {
            JsonArray known = cache.similar(fp);
            return known != null ? Future.succeededFuture(known)
                : similar(c.verdict).onSuccess(read -> cache.similarRead(fp, read));
          });
        }
      }
      List<String> stale = cache.staleImpacts(fingerprints);
      Future<Void> impacts = stale.isEmpty() ? Future.succeededFuture()
          : store.impacts(stale, Duration.ofHours(1)).map(read -> {
            stale.forEach(fp -> cache.impactRead(fp, read.get(fp)));
            return null;
          });
      List<Future<?>> all = new ArrayList<>(similar.values());
      all.add(impacts);
      return Future.all(all).compose(x -> record(items, histories, similar))
          .map(recorded -> finish(items));
    });
  }

  /** Builds each new verdict's message (counting the batch's earlier failures of its fingerprint) and records them. */
  private Future<Set<UUID>> record(List<Classified> items, Map<String, FingerprintHistory> histories,
      Map<String, Future<JsonArray>> similar) {
    Map<String, Integer> seen = new HashMap<>();
    List<AnalyzerStore.Occurrence> occurrences = new ArrayList<>();
    for (Classified c : items) {
      if (c.verdict == null || c.error != null) {
        continue;
      }
      FailureEvent f = c.analysis.failure();
      String fp = c.verdict.fingerprint();
      int earlier = seen.merge(fp, 1, Integer::sum) - 1;
      FingerprintHistory h = histories.getOrDefault(fp, FingerprintHistory.NONE);
      JsonObject impact = cache.impact(fp);
      impact.put("failures", impact.getLong("failures") + earlier).put("tasks", impact.getLong("tasks") + earlier);
      c.result = failureClassified(f, c.verdict, new FingerprintHistory(h.count() + earlier, h.healedByRetry(),
          h.deadLettered(), h.resolvedByPerson()), similar.get(fp).result(), impact);
      occurrences.add(new AnalyzerStore.Occurrence(f.failureId(), f.taskId(), f.attempt(), f.workflowId(), f.stage(),
          redactor.redactOrNull(f.source()), c.verdict, c.result));
    }
    return occurrences.isEmpty() ? Future.succeededFuture(Set.of()) : store.recordAll(occurrences).compose(recorded -> {
      for (AnalyzerStore.Occurrence o : occurrences) {
        if (recorded.contains(o.failureId())) {
          cache.recorded(o.verdict().fingerprint(), 1, o.taskId() == null ? 0 : 1);
        }
      }
      // analysed before (a re-send), or meanwhile by another instance: the stored verdict is the one kept and sent
      List<Classified> repeats = items.stream().filter(c -> c.result != null && c.verdict != null
          && !recorded.contains(c.analysis.failure().failureId())).toList();
      if (repeats.isEmpty()) {
        return Future.succeededFuture(recorded);
      }
      return store.previous(repeats.stream().map(c -> c.analysis.failure().failureId()).toList()).map(stored -> {
        repeats.forEach(c -> {
          JsonObject p = stored.get(c.analysis.failure().failureId());
          if (p != null) {
            c.result = p;
          }
        });
        return recorded;
      });
    });
  }

  /** Each item's answer (the batch's first result for a failure id given twice), each forwarded once. */
  private List<Outcome<JsonObject>> finish(List<Classified> items) {
    Map<UUID, JsonObject> first = new HashMap<>();
    List<Outcome<JsonObject>> out = new ArrayList<>(items.size());
    for (Classified c : items) {
      UUID id = c.analysis.failure().failureId();
      if (c.error != null) {
        out.add(Outcome.failed(c.error));
        continue;
      }
      JsonObject result = c.result != null ? c.result : first.get(id);
      if (result == null) {
        out.add(Outcome.failed(ReboundException.badRequest("failure " + id + " was not analysed")));
        continue;
      }
      first.putIfAbsent(id, result);
      forward(result, c.analysis.correlation());
      out.add(Outcome.ok(result));
    }
    return out;
  }

  private JsonObject failureClassified(FailureEvent f, Verdict v, FingerprintHistory h, JsonArray similar, JsonObject impact) {
    // history and impact count this failure too: it is recorded in the same transaction that stores this message
    long tasks = impact.getLong("tasks") + (f.taskId() == null ? 0 : 1);
    return new FailureClassified(f.failureId(), f.taskId(), f.taskId() == null ? null : f.attempt(), f.stage(),
        f.workflowId(), f.source(), f.occurredAt(), VerdictJson.message(v, true),
        new FailureClassified.History(h.count() + 1, h.healedByRetry(), h.deadLettered(), h.resolvedByPerson()),
        similar, impact.copy().put("failures", impact.getLong("failures") + 1).put("tasks", tasks), clock.instant(),
        FailureClassified.Signals.of(f), f.taskId() == null ? null : f.task()).toJson();
  }

  private static JsonObject historyJson(FingerprintHistory h) {
    return new JsonObject().put("occurrences", h.count()).put("healedByRetry", h.healedByRetry())
        .put("deadLettered", h.deadLettered()).put("resolvedByPerson", h.resolvedByPerson());
  }

  /** Fingerprints of the same category whose templates share most tokens, with how they were resolved. */
  private Future<JsonArray> similar(Verdict v) {
    return similar(v.category().name(), v.fingerprint(), v.template());
  }

  private Future<JsonArray> similar(String category, String fingerprint, String template) {
    Set<String> mine = tokens(template);
    return store.sameCategory(category, fingerprint, SIMILAR_CANDIDATES).map(candidates -> {
      JsonArray out = new JsonArray();
      candidates.stream()
          .map(c -> new Object[] {c, jaccard(mine, tokens(c.template()))})
          .filter(p -> (double) p[1] >= SIMILAR_MIN)
          .sorted(Comparator.comparingDouble(p -> -(double) p[1]))
          .limit(SIMILAR_SHOWN)
          .forEach(p -> {
            AnalyzerStore.Candidate c = (AnalyzerStore.Candidate) p[0];
            JsonObject resolution = new JsonObject().put("healedByRetry", c.healedByRetry())
                .put("deadLettered", c.deadLettered()).put("resolvedByPerson", c.resolvedByPerson());
            if (c.lastWorkingAction() != null) {
              resolution.put("lastWorkingAction", c.lastWorkingAction());
            }
            out.add(new JsonObject().put("fingerprint", c.fingerprint()).put("template", c.template())
                .put("similarity", Math.round((double) p[1] * 100) / 100.0).put("occurrences", c.occurrences())
                .put("resolution", resolution));
          });
      return out;
    });
  }

  static Set<String> tokens(String template) {
    return new HashSet<>(Arrays.asList(template.toLowerCase().split("[^a-z0-9<>*_]+")));
  }

  static double jaccard(Set<String> a, Set<String> b) {
    if (a.isEmpty() && b.isEmpty()) {
      return 1;
    }
    Set<String> inter = new HashSet<>(a);
    inter.retainAll(b);
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    return (double) inter.size() / union.size();
  }

  private void forward(JsonObject classified, String correlation) {
    DeliveryOptions options = new DeliveryOptions();
    if (correlation != null) {
      options = Correlation.options(correlation);
    }
    if (classified.getString("taskId") != null) {
      vertx.eventBus().send(Addresses.RETRY_CLASSIFIED, classified, options);
    }
    vertx.eventBus().publish(Addresses.EVENTS_CLASSIFIED, classified, options);
  }

  /**
   * Learns outcomes from task transitions: DONE after failures (healed by retry, or resolved by a
   * person if someone redrove or unblocked it), FAILED (dead-lettered), and FAILED left for RETRY or BLOCKED
   * (a decision replaced the provisional dead letter: no longer counted).
   */
  public Future<Boolean> onTransition(JsonObject body) {
    Transition t;
    try {
      t = Transition.fromJson(body);
    } catch (RuntimeException e) {
      LOG.warn("ignoring a malformed task event: {}", redactor.redact(String.valueOf(e.getMessage())));
      return Future.succeededFuture(false);
    }
    if (t.to() == TaskState.DONE && t.attempt() > 1) {
      return recordOutcome(new AnalyzerStore.OutcomeReport(t.taskId(), t.attempt(),
          AnalyzerStore.Outcome.HEALED_BY_RETRY, "retried: succeeded at attempt " + t.attempt()));
    }
    if (t.to() == TaskState.FAILED) {
      return recordOutcome(new AnalyzerStore.OutcomeReport(t.taskId(), t.attempt(),
          AnalyzerStore.Outcome.DEAD_LETTERED, redactor.redactOrNull(t.reason())));
    }
    if (t.from() == TaskState.FAILED && (t.to() == TaskState.RETRY || t.to() == TaskState.BLOCKED)) {
      // the retry service's decision replaced the ledger's provisional dead letter of this attempt
      return recordOutcome(new AnalyzerStore.OutcomeReport(t.taskId(), t.attempt(),
          AnalyzerStore.Outcome.DEAD_LETTER_WITHDRAWN, null));
    }
    if (t.to() == TaskState.QUEUED && (t.from() == TaskState.FAILED || t.from() == TaskState.BLOCKED)) {
      String action = (t.from() == TaskState.FAILED ? "redrive" : "unblock") + (t.reason() == null ? "" : ": " + redactor.redact(t.reason()));
      return store.noteIntervention(t.taskId(), action).map(true);
    }
    return Future.succeededFuture(false);
  }
  /** An outcome in the next batch; one that met the analysis writer in a deadlock even alone is tried once more. */
  private Future<Boolean> recordOutcome(AnalyzerStore.OutcomeReport report) {
    return outcomes.submit(report).recover(t -> GroupCommit.deadlock(t) ? outcomes.submit(report)
        : Future.failedFuture(t));
  }


  public Future<JsonObject> fingerprints(FingerprintsQuery q) {
    return store.top(q.sort(), q.stage(), q.limit()).map(list -> new JsonObject().put("fingerprints", list));
  }

  public Future<JsonObject> fingerprint(FingerprintRequest request) {
    String fingerprint = request.fingerprint();
    return store.fingerprint(fingerprint).compose(fp -> {
      if (fp == null) {
        return Future.failedFuture(ReboundException.notFound("fingerprint", fingerprint));
      }
      return similar(fp.getString("category"), fingerprint, fp.getString("template")).map(sim -> fp.put("similar", sim));
    });
  }
}
