package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.Outcome;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Many new tasks in one request ({@code {"tasks":[…]}}, over HTTP also a JSON array or NDJSON), each
 * with its own idempotency key and its own answer; an item that is not a valid {@link EnqueueRequest}
 * is refused alone (see {@link BatchItems}).
 */
public record EnqueueBatch(List<Outcome<EnqueueRequest>> items) {
  public static final String FIELD = "tasks";

  public EnqueueBatch {
    items = List.copyOf(items);
  }

  public static EnqueueBatch of(List<EnqueueRequest> tasks) {
    return new EnqueueBatch(tasks.stream().<Outcome<EnqueueRequest>>map(Outcome::ok).toList());
  }

  public static EnqueueBatch fromJson(JsonObject o, LedgerLimits limits) {
    return new EnqueueBatch(BatchItems.parse(o, FIELD, limits, item -> EnqueueRequest.fromJson(item, limits),
        task -> JsonFields.utf8Bytes(task.payloadJson())));
  }

  public JsonObject toJson() {
    return BatchItems.toJson(FIELD, items, EnqueueRequest::toJson);
  }
}
