package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The ledger's audit trail ({@code GET /v1/audit}), newest first: at most {@code limit} records, those older than
 * the record {@code before} (an id, for the next page) when given.
 */
public record AuditQuery(int limit, Long before) {
  private static final Set<String> FIELDS = Set.of("limit", "before");

  public static AuditQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    Object before = o.getValue("before");
    Long id = null;
    if (before != null) {
      try {
        id = before instanceof Number n && !(before instanceof Double) ? n.longValue() : Long.parseLong(String.valueOf(before));
      } catch (NumberFormatException e) {
        throw ReboundException.invalidField("before", "must be an audit record's id");
      }
    }
    return new AuditQuery(JsonFields.integer(o, "limit", 100, 1, 1000), id);
  }

  public JsonObject toJson() {
    return JsonOut.putIfPresent(new JsonObject().put("limit", limit), "before", before);
  }
}
