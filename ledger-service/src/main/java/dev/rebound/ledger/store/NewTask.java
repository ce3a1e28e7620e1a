package dev.rebound.ledger.store;

import dev.rebound.common.service.Origin;
import java.time.Instant;
import java.util.UUID;

/** A validated task to enqueue; {@code payloadJson} is the payload's JSON text. */
public record NewTask(UUID id, String idempotencyKey, String workflowId, String stage, String agent, String type,
                      String payloadJson, int priority, int maxAttempts, Instant runAfter, Origin origin) {
}
