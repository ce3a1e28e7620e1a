package dev.rebound.common.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The analyzer's verdict on one recorded failure, sent to {@code rebound.retry.classified} (for
 * failures of a task) and published on {@code rebound.events.classified}. Every text in it is
 * redacted.
 *
 * @param verdict        what the failure is: see {@link Verdict}
 * @param history        the fingerprint's past, this failure included
 * @param similar        fingerprints with similar templates and how they were resolved
 * @param impactLastHour failures, tasks and workflows hit by this fingerprint in the last hour
 */
public record FailureClassified(UUID failureId, UUID taskId, Integer attempt, String stage, String workflowId,
                                String source, Instant occurredAt, Verdict verdict, History history, JsonArray similar,
                                JsonObject impactLastHour, Instant classifiedAt) {

  /** The classification; {@code retryAfterMs} is null when the message gave no hint. */
  public record Verdict(String fingerprint, String template, String category, boolean transientFailure,
                        double confidence, String severity, String ruleId, String rootCause,
                        List<String> recommendations, Long retryAfterMs, String redacted, List<String> reasons) {

    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("fingerprint", fingerprint).put("template", template)
          .put("category", category).put("transient", transientFailure).put("confidence", confidence)
          .put("severity", severity).put("ruleId", ruleId).put("rootCause", rootCause)
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
      return new Verdict(o.getString("fingerprint"), o.getString("template"), o.getString("category"),
          o.getBoolean("transient", true), o.getDouble("confidence", 0.0), o.getString("severity"), o.getString("ruleId"),
          o.getString("rootCause"), strings(o.getJsonArray("recommendations")), o.getLong("retryAfterMs"),
          o.getString("redacted"), o.containsKey("reasons") ? strings(o.getJsonArray("reasons")) : null);
    }
  }

  /** How often the fingerprint was seen and how its earlier failures ended. */
  public record History(long occurrences, long healedByRetry, long deadLettered, long resolvedByPerson) {
    public JsonObject toJson() {
      return new JsonObject().put("occurrences", occurrences).put("healedByRetry", healedByRetry)
          .put("deadLettered", deadLettered).put("resolvedByPerson", resolvedByPerson);
    }

    public static History fromJson(JsonObject o) {
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
    return o.put("verdict", verdict.toJson()).put("history", history.toJson())
        .put("similar", similar == null ? new JsonArray() : similar)
        .put("impactLastHour", impactLastHour == null ? new JsonObject() : impactLastHour)
        .put("classifiedAt", classifiedAt.toString());
  }

  /** Parses a message; a malformed one is a BAD_REQUEST naming what is wrong. */
  public static FailureClassified fromJson(JsonObject o) {
    try {
      return parse(o);
    } catch (RuntimeException e) {
      throw dev.rebound.common.ReboundException.badRequest("malformed FailureClassified: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + dev.rebound.common.JsonFields.abbreviate(e.getMessage(), 120)));
    }
  }

  private static FailureClassified parse(JsonObject o) {
    String task = o.getString("taskId");
    String occurred = o.getString("occurredAt");
    return new FailureClassified(UUID.fromString(o.getString("failureId")), task == null ? null : UUID.fromString(task),
        o.getInteger("attempt"), o.getString("stage"), o.getString("workflowId"), o.getString("source"),
        occurred == null ? null : Instant.parse(occurred), Verdict.fromJson(o.getJsonObject("verdict")),
        History.fromJson(o.getJsonObject("history", new JsonObject())), o.getJsonArray("similar", new JsonArray()),
        o.getJsonObject("impactLastHour", new JsonObject()), Instant.parse(o.getString("classifiedAt")));
  }

  private static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }
}
