package dev.rebound.common.message;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.Category;
import dev.rebound.common.classification.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The analyzer's verdict on one recorded failure, sent to {@code rebound.retry.classified} (for
 * failures of a task) and published on {@code rebound.events.classified}. Every text in it is
 * redacted. Unknown fields are refused by name, here and in the nested verdict and history.
 *
 * @param verdict        what the failure is: see {@link Verdict}; null when the analyzer could not give one (the
 *                       retry service then decides with its built-in fallback, marked degraded)
 * @param history        the fingerprint's past, this failure included
 * @param similar        fingerprints with similar templates and how they were resolved
 * @param impactLastHour failures, tasks and workflows hit by this fingerprint in the last hour
 * @param signals        the structured signals the failure itself carried (error type, its causes,
 *                       HTTP status, exit code, SQLSTATE, the dependency a worker named), so the
 *                       retry service's conditions can match them; null when it carried none
 * @param task           what the ledger knew of the task when it recorded the failure, passed on as it came
 *                       (null for a failure not tied to a task, or from a sender that did not give it)
 */
public record FailureClassified(UUID failureId, UUID taskId, Integer attempt, String stage, String workflowId,
                                String source, Instant occurredAt, Verdict verdict, History history, JsonArray similar,
                                JsonObject impactLastHour, Instant classifiedAt, Signals signals,
                                TaskContext task) {

  private static final Set<String> FIELDS = Set.of("failureId", "taskId", "attempt", "stage", "workflowId", "source",
      "occurredAt", "verdict", "history", "similar", "impactLastHour", "classifiedAt", "signals", "task");

  /**
   * What the failure said about itself, besides its message: the error's type and the types of its
   * cause chain (outermost first, from {@code details.causes} as the worker client reports them), the
   * HTTP status, exit code and SQLSTATE, and the dependency the worker was calling
   * ({@code details.dependency}).
   */
  public record Signals(String errorType, List<String> causeTypes, Integer httpStatus, Integer exitCode,
                        String sqlState, String dependency) {
    private static final Set<String> FIELDS = Set.of("errorType", "causeTypes", "httpStatus", "exitCode", "sqlState",
        "dependency");
    private static final int MAX_CAUSES = 16;

    public Signals {
      causeTypes = causeTypes == null ? List.of() : List.copyOf(causeTypes);
    }

    /** The signals of a reported failure, or null when it carried none. */
    public static Signals of(FailureEvent f) {
      JsonObject details = f.details();
      List<String> causes = new ArrayList<>();
      String dependency = null;
      if (details != null) {
        if (details.getValue("causes") instanceof JsonArray list) {
          for (Object c : list) {
            if (c instanceof JsonObject cause && cause.getValue("type") instanceof String type && causes.size() < MAX_CAUSES) {
              causes.add(JsonFields.abbreviate(type, 200));
            }
          }
        }
        if (details.getValue("dependency") instanceof String d && !d.isBlank()) {
          dependency = JsonFields.abbreviate(d, 200);
        }
      }
      if (f.errorType() == null && causes.isEmpty() && f.httpStatus() == null && f.exitCode() == null
          && f.sqlState() == null && dependency == null) {
        return null;
      }
      return new Signals(f.errorType(), causes, f.httpStatus(), f.exitCode(), f.sqlState(), dependency);
    }

    public JsonObject toJson() {
      JsonObject o = new JsonObject();
      FailureEvent.putIfPresent(o, "errorType", errorType);
      if (!causeTypes.isEmpty()) {
        o.put("causeTypes", new JsonArray(causeTypes));
      }
      FailureEvent.putIfPresent(o, "httpStatus", httpStatus);
      FailureEvent.putIfPresent(o, "exitCode", exitCode);
      FailureEvent.putIfPresent(o, "sqlState", sqlState);
      FailureEvent.putIfPresent(o, "dependency", dependency);
      return o;
    }

    public static Signals fromJson(JsonObject o) {
      JsonFields.rejectUnknown(o, FIELDS, "signals.");
      return new Signals(o.getString("errorType"),
          o.containsKey("causeTypes") ? strings(o.getJsonArray("causeTypes")) : List.of(),
          o.getInteger("httpStatus"), o.getInteger("exitCode"), o.getString("sqlState"), o.getString("dependency"));
    }
  }

  /**
   * The classification; {@code retryAfterMs} is null when the message gave no hint. {@code fingerprint} is
   * the message's template identity, {@code signature} the underlying error's (the same error through
   * different tools and wrappers), null from an analyzer that predates it. On the wire the
   * category is its name ({@code NETWORK}), the severity its lower-case label ({@code error}) and
   * transient or permanent the boolean {@code transient}.
   */
  public record Verdict(String fingerprint, String signature, String template, Category category, boolean transientFailure,
                        double confidence, Severity severity, String ruleId, String rootCause,
                        List<String> recommendations, Long retryAfterMs, String redacted, List<String> reasons) {

    private static final Set<String> FIELDS = Set.of("fingerprint", "signature", "template", "category", "transient", "confidence",
        "severity", "ruleId", "rootCause", "recommendations", "retryAfterMs", "redacted", "reasons");

    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("fingerprint", fingerprint);
      if (signature != null) {
        o.put("signature", signature);
      }
      o.put("template", template)
          .put("category", category.name()).put("transient", transientFailure).put("confidence", confidence)
          .put("severity", severity.label()).put("ruleId", ruleId).put("rootCause", rootCause)
          .put("recommendations", new JsonArray(recommendations)).put("redacted", redacted);
      if (retryAfterMs != null) {
        o.put("retryAfterMs", retryAfterMs);
      }
      if (reasons != null) {
        o.put("reasons", new JsonArray(reasons));
      }
      return o;
    }

    public static Verdict fromJson(JsonObject o) {
      JsonFields.rejectUnknown(o, FIELDS, "verdict.");
      return new Verdict(o.getString("fingerprint"), o.getString("signature"), o.getString("template"), Category.valueOf(o.getString("category")),
          o.getBoolean("transient", true), o.getDouble("confidence", 0.0), Severity.parse(o.getString("severity")),
          o.getString("ruleId"),
          o.getString("rootCause"), strings(o.getJsonArray("recommendations")), o.getLong("retryAfterMs"),
          o.getString("redacted"), o.containsKey("reasons") ? strings(o.getJsonArray("reasons")) : null);
    }
  }

  /** How often the fingerprint was seen and how its earlier failures ended. */
  public record History(long occurrences, long healedByRetry, long deadLettered, long resolvedByPerson) {
    private static final Set<String> FIELDS = Set.of("occurrences", "healedByRetry", "deadLettered", "resolvedByPerson");

    public JsonObject toJson() {
      return new JsonObject().put("occurrences", occurrences).put("healedByRetry", healedByRetry)
          .put("deadLettered", deadLettered).put("resolvedByPerson", resolvedByPerson);
    }

    public static History fromJson(JsonObject o) {
      JsonFields.rejectUnknown(o, FIELDS, "history.");
      return new History(o.getLong("occurrences", 0L), o.getLong("healedByRetry", 0L), o.getLong("deadLettered", 0L),
          o.getLong("resolvedByPerson", 0L));
    }
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("failureId", failureId.toString());
    FailureEvent.putIfPresent(o, "taskId", taskId);
    FailureEvent.putIfPresent(o, "attempt", attempt);
    FailureEvent.putIfPresent(o, "stage", stage);
    FailureEvent.putIfPresent(o, "workflowId", workflowId);
    FailureEvent.putIfPresent(o, "source", source);
    FailureEvent.putIfPresent(o, "occurredAt", occurredAt);
    if (verdict != null) {
      o.put("verdict", verdict.toJson());
    }
    o.put("history", history.toJson())
        .put("similar", similar == null ? new JsonArray() : similar)
        .put("impactLastHour", impactLastHour == null ? new JsonObject() : impactLastHour)
        .put("classifiedAt", classifiedAt.toString());
    if (signals != null) {
      o.put("signals", signals.toJson());
    }
    if (task != null) {
      o.put("task", task.toJson());
    }
    return o;
  }

  /** Parses a message; a malformed one is a BAD_REQUEST naming what is wrong (an unknown field by its name). */
  public static FailureClassified fromJson(JsonObject o) {
    try {
      return parse(o);
    } catch (ReboundException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ReboundException.badRequest("malformed FailureClassified: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + JsonFields.abbreviate(e.getMessage(), 120)));
    }
  }

  private static FailureClassified parse(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    String task = o.getString("taskId");
    String occurred = o.getString("occurredAt");
    return new FailureClassified(UUID.fromString(o.getString("failureId")), task == null ? null : UUID.fromString(task),
        o.getInteger("attempt"), o.getString("stage"), o.getString("workflowId"), o.getString("source"),
        occurred == null ? null : Instant.parse(occurred),
        o.getValue("verdict") == null ? null : Verdict.fromJson(o.getJsonObject("verdict")),
        History.fromJson(o.getJsonObject("history", new JsonObject())), o.getJsonArray("similar", new JsonArray()),
        o.getJsonObject("impactLastHour", new JsonObject()), Instant.parse(o.getString("classifiedAt")),
        o.getValue("signals") == null ? null : Signals.fromJson(o.getJsonObject("signals")),
        o.getValue("task") == null ? null : TaskContext.fromJson(o.getJsonObject("task")));
  }

  private static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }
}
