package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which dead letters to redrive or purge: either {@code ids}, or a {@code filter} (stage and/or
 * workflow) with at most {@code limit} tasks. {@code reason} goes into the audit trail of a redrive.
 *
 * @param ids    the tasks, or null when selecting by filter
 * @param filter the filter, or null when selecting by ids
 */
public record DeadLetterSelection(List<UUID> ids, Filter filter, int limit, String reason) {
  public static final int MAX_IDS = 10_000;
  public static final int DEFAULT_LIMIT = 1000;
  private static final Set<String> FIELDS = Set.of("ids", "filter", "limit", "reason");

  public DeadLetterSelection {
    if ((ids == null) == (filter == null)) {
      throw new IllegalArgumentException("give either ids or a filter");
    }
    ids = ids == null ? null : List.copyOf(ids);
  }

  /** Dead letters of a stage and/or workflow (either may be null). */
  public record Filter(String stage, String workflowId) {
    private static final Set<String> FIELDS = Set.of("stage", "workflowId");

    public static Filter ofStage(String stage) {
      return new Filter(stage, null);
    }

    static Filter fromJson(JsonObject o) {
      JsonFields.rejectUnknown(o, FIELDS, "filter.");
      return new Filter(JsonFields.name(o, "stage", false), JsonFields.name(o, "workflowId", false));
    }

    JsonObject toJson() {
      JsonObject o = new JsonObject();
      JsonOut.putIfPresent(o, "stage", stage);
      return JsonOut.putIfPresent(o, "workflowId", workflowId);
    }
  }

  public static DeadLetterSelection ofIds(List<UUID> ids, String reason) {
    return new DeadLetterSelection(ids, null, DEFAULT_LIMIT, reason);
  }

  public static DeadLetterSelection matching(Filter filter, int limit, String reason) {
    return new DeadLetterSelection(null, filter, limit, reason);
  }

  public static DeadLetterSelection fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    JsonArray idList = JsonFields.array(o, "ids", MAX_IDS);
    JsonObject filter = JsonFields.object(o, "filter");
    String reason = JsonFields.string(o, "reason", PersonActionRequest.MAX_REASON);
    if (idList != null && filter == null) {
      return new DeadLetterSelection(uuids(idList), null, DEFAULT_LIMIT, reason);
    }
    if (filter != null && idList == null) {
      Filter f = Filter.fromJson(filter);
      return new DeadLetterSelection(null, f, JsonFields.integer(o, "limit", DEFAULT_LIMIT, 1, MAX_IDS), reason);
    }
    throw ReboundException.badRequest("give either 'ids' or 'filter'");
  }

  private static List<UUID> uuids(JsonArray list) {
    List<UUID> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object v = list.getValue(i);
      if (!(v instanceof String s)) {
        throw ReboundException.invalidField("ids[" + i + "]", "must be a UUID string");
      }
      out.add(JsonFields.parseUuid("ids[" + i + "]", s));
    }
    return out;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    if (ids != null) {
      o.put("ids", new JsonArray(ids.stream().map(UUID::toString).toList()));
    } else {
      o.put("filter", filter.toJson()).put("limit", limit);
    }
    return JsonOut.putIfPresent(o, "reason", reason);
  }
}
