package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A person cancels, blocks or unblocks a task. With {@code expectedVersion} the change only happens if
 * the task is still at that version (CONFLICT otherwise). The ledger redacts the reason before it
 * stores it.
 */
public record PersonActionRequest(UUID id, String reason, Long expectedVersion) {
  public static final int MAX_REASON = 2000;
  private static final Set<String> FIELDS = Set.of("id", "reason", "expectedVersion");

  public PersonActionRequest {
    Objects.requireNonNull(id, "id");
  }

  public static PersonActionRequest of(UUID id, String reason) {
    return new PersonActionRequest(id, reason, null);
  }

  public static PersonActionRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    UUID id = JsonFields.requiredUuid(o, "id");
    Long expectedVersion = JsonFields.longValue(o, "expectedVersion", 1, Long.MAX_VALUE);
    return new PersonActionRequest(id, JsonFields.string(o, "reason", MAX_REASON), expectedVersion);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id.toString());
    JsonOut.putIfPresent(o, "reason", reason);
    return JsonOut.putIfPresent(o, "expectedVersion", expectedVersion);
  }
}
