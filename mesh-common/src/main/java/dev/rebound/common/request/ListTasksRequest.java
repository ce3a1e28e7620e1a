package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.message.TaskState;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;

/**
 * A page of tasks, filtered by any of state, stage, workflow and agent; {@code after} is the last id
 * of the previous page. Build one with {@link #builder()}.
 */
public record ListTasksRequest(TaskState state, String stage, String workflowId, String agent, UUID after, int limit) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  private static final Set<String> FIELDS = Set.of("state", "stage", "workflowId", "agent", "after", "limit");

  public static Builder builder() {
    return new Builder();
  }

  public static ListTasksRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    return new ListTasksRequest(JsonFields.enumValue(o, "state", TaskState.class), JsonFields.name(o, "stage", false),
        JsonFields.name(o, "workflowId", false), JsonFields.string(o, "agent", 200), JsonFields.uuid(o, "after"),
        JsonFields.integer(o, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    JsonOut.putIfPresent(o, "state", state == null ? null : state.name());
    JsonOut.putIfPresent(o, "stage", stage);
    JsonOut.putIfPresent(o, "workflowId", workflowId);
    JsonOut.putIfPresent(o, "agent", agent);
    JsonOut.putIfPresent(o, "after", after);
    return o.put("limit", limit);
  }

  public static final class Builder {
    private TaskState state;
    private String stage;
    private String workflowId;
    private String agent;
    private UUID after;
    private int limit = DEFAULT_LIMIT;

    private Builder() {
    }

    public Builder state(TaskState v) { this.state = v; return this; }
    public Builder stage(String v) { this.stage = v; return this; }
    public Builder workflowId(String v) { this.workflowId = v; return this; }
    public Builder agent(String v) { this.agent = v; return this; }
    public Builder after(UUID v) { this.after = v; return this; }
    public Builder limit(int v) { this.limit = v; return this; }

    public ListTasksRequest build() {
      return new ListTasksRequest(state, stage, workflowId, agent, after, limit);
    }
  }
}
