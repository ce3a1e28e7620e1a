package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;

/**
 * A page of recorded failures ({@code GET /v1/failures}), newest first: filtered by stage, workflow, task, or to the
 * free-standing ones (reported by an application, with no task); {@code before} is the id of the last failure of
 * the previous page.
 */
public record FailuresQuery(String stage, String workflowId, UUID taskId, boolean freeStanding, UUID before, int limit) {
  private static final Set<String> FIELDS = Set.of("stage", "workflowId", "taskId", "freeStanding", "before", "limit");

  public static FailuresQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    boolean freeStanding = flag(o.getValue("freeStanding"));
    UUID taskId = JsonFields.uuid(o, "taskId");
    if (freeStanding && taskId != null) {
      throw ReboundException.invalidField("freeStanding", "cannot be combined with taskId: a free-standing failure has no task");
    }
    return new FailuresQuery(JsonFields.name(o, "stage", false), JsonFields.name(o, "workflowId", false), taskId,
        freeStanding, JsonFields.uuid(o, "before"),
        JsonFields.integer(o, "limit", ListTasksRequest.DEFAULT_LIMIT, 1, ListTasksRequest.MAX_LIMIT));
  }

  /** A boolean from JSON or from a query string ({@code ?freeStanding=true}). */
  private static boolean flag(Object v) {
    if (v == null || Boolean.FALSE.equals(v) || "false".equals(v)) {
      return false;
    }
    if (Boolean.TRUE.equals(v) || "true".equals(v)) {
      return true;
    }
    throw ReboundException.invalidField("freeStanding", "must be true or false");
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    JsonOut.putIfPresent(o, "stage", stage);
    JsonOut.putIfPresent(o, "workflowId", workflowId);
    JsonOut.putIfPresent(o, "taskId", taskId);
    if (freeStanding) {
      o.put("freeStanding", true);
    }
    JsonOut.putIfPresent(o, "before", before);
    return o.put("limit", limit);
  }
}
