package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.message.TaskState;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;

/** A page of the dead-letter queue (FAILED tasks): the filters of {@link ListTasksRequest} without the state. */
public record DeadLetterQuery(String stage, String workflowId, String agent, UUID after, int limit) {
  private static final Set<String> FIELDS = Set.of("stage", "workflowId", "agent", "after", "limit");

  public static DeadLetterQuery ofStage(String stage) {
    return new DeadLetterQuery(stage, null, null, null, ListTasksRequest.DEFAULT_LIMIT);
  }

  public static DeadLetterQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new DeadLetterQuery(JsonFields.name(o, "stage", false), JsonFields.name(o, "workflowId", false),
        JsonFields.string(o, "agent", 200), JsonFields.uuid(o, "after"),
        JsonFields.integer(o, "limit", ListTasksRequest.DEFAULT_LIMIT, 1, ListTasksRequest.MAX_LIMIT));
  }

  /** The same page as a task listing. */
  public ListTasksRequest toTaskQuery() {
    return new ListTasksRequest(TaskState.FAILED, stage, workflowId, agent, after, limit);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    JsonOut.putIfPresent(o, "stage", stage);
    JsonOut.putIfPresent(o, "workflowId", workflowId);
    JsonOut.putIfPresent(o, "agent", agent);
    JsonOut.putIfPresent(o, "after", after);
    return o.put("limit", limit);
  }
}
