package dev.rebound.analyzer;

import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.FailureInput;
import dev.rebound.analyzer.domain.FingerprintHistory;
import dev.rebound.analyzer.domain.Verdict;
import dev.rebound.analyzer.store.AnalyzerStore;
import dev.rebound.common.Addresses;
import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
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

  private final Vertx vertx;
  private final Classifier classifier;
  private final AnalyzerStore store;
  private final Clock clock;
  private final Redactor redactor = new Redactor();

  public AnalyzerOperations(Vertx vertx, Classifier classifier, AnalyzerStore store, Clock clock) {
    this.vertx = vertx;
    this.classifier = classifier;
    this.store = store;
    this.clock = clock;
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
    // thousands of verdicts take a while: off the event loop (the classifier is thread-safe)
    return vertx.executeBlocking(() -> classifyLines(ndjson, maxLines), false);
  }

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
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      try {
        ClassifyRequest request = ClassifyRequest.fromJson(JsonFields.requireObject(Json.decodeValue(line)));
        Verdict v = classifier.classify(VerdictJson.input(request));
        JsonObject j = request.explain() ? VerdictJson.withReasons(v) : VerdictJson.of(v);
        out.append(j.put("line", i + 1).encode()).append('\n');
      } catch (DecodeException e) {
        out.append(lineError(i + 1, ReboundException.badRequest("malformed JSON"))).append('\n');
      } catch (ReboundException e) {
        out.append(lineError(i + 1, e)).append('\n');
      }
    }
    return out.toString();
  }

  private static String lineError(int line, ReboundException e) {
    return e.toJson().put("line", line).encode();
  }

  /**
   * A failure recorded by the ledger: classify it with its fingerprint's history, record it, and send
   * {@code FailureClassified} to the retry service (and publish it). A failure seen before is not
   * counted again; its earlier verdict is sent again, since the ledger only re-sends when no
   * decision came.
   */
  public Future<JsonObject> analyzeFailure(FailureEvent f) {
    if (f.failureId() == null) {
      return Future.failedFuture(ReboundException.invalidField("failureId", "is required"));
    }
    FailureInput input = VerdictJson.input(ClassifyRequest.of(f));
    return store.previous(f.failureId()).compose(previous -> {
      if (previous != null) {
        forward(previous);
        return Future.succeededFuture(previous);
      }
      Verdict first = classifier.classify(input);
      return store.history(first.fingerprint()).compose(h -> {
        Verdict v = h.count() > 0 ? classifier.classify(input, h) : first;
        return similar(v).compose(similar -> store.impact(v.fingerprint(), Duration.ofHours(1)).compose(impact -> {
          JsonObject classified = failureClassified(f, v, h, similar, impact);
          return store.record(new AnalyzerStore.Occurrence(f.failureId(), f.taskId(), f.attempt(), f.workflowId(),
                  f.stage(), f.source(), v, classified))
              .compose(recorded -> recorded ? Future.succeededFuture(classified) : store.previous(f.failureId()));
        }));
      }).onSuccess(this::forward);
    });
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

  private void forward(JsonObject classified) {
    DeliveryOptions options = new DeliveryOptions();
    String correlation = Correlation.current().orElse(null);
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
   * person if someone redrove or unblocked it), FAILED (dead-lettered).
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
      return store.recordOutcome(t.taskId(), t.attempt(), AnalyzerStore.Outcome.HEALED_BY_RETRY,
          "retried: succeeded at attempt " + t.attempt());
    }
    if (t.to() == TaskState.FAILED) {
      return store.recordOutcome(t.taskId(), t.attempt(), AnalyzerStore.Outcome.DEAD_LETTERED, t.reason());
    }
    if (t.to() == TaskState.QUEUED && (t.from() == TaskState.FAILED || t.from() == TaskState.BLOCKED)) {
      String action = (t.from() == TaskState.FAILED ? "redrive" : "unblock") + (t.reason() == null ? "" : ": " + t.reason());
      return store.noteIntervention(t.taskId(), action).map(true);
    }
    return Future.succeededFuture(false);
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
