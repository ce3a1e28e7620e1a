package dev.rebound.common.request;

import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Many lease extensions in one request ({@code {"heartbeats":[{id, leaseToken, leaseMs?}…]}}, over
 * HTTP also a JSON array or NDJSON), each answered on its own. A heartbeat that carries a checkpoint
 * goes alone ({@code POST /v1/tasks/{id}/heartbeat}): in a batch it is refused.
 */
public record HeartbeatBatch(List<Outcome<HeartbeatRequest>> items) {
  public static final String FIELD = "heartbeats";

  public HeartbeatBatch {
    items = List.copyOf(items);
  }

  public static HeartbeatBatch of(List<HeartbeatRequest> heartbeats) {
    return new HeartbeatBatch(heartbeats.stream().<Outcome<HeartbeatRequest>>map(Outcome::ok).toList());
  }

  public static HeartbeatBatch fromJson(JsonObject o, LedgerLimits limits) {
    return new HeartbeatBatch(BatchItems.parse(o, FIELD, limits, item -> {
      HeartbeatRequest h = HeartbeatRequest.fromJson(item, limits);
      if (h.checkpoint() != null) {
        throw ReboundException.invalidField("checkpoint", "is not taken in a batch: send that heartbeat alone");
      }
      return h;
    }, h -> 0));
  }

  public JsonObject toJson() {
    return BatchItems.toJson(FIELD, items, HeartbeatRequest::toJson);
  }
}
