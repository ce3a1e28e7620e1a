package dev.rebound.ledger.store;

import dev.rebound.common.service.Origin;
import java.time.Instant;
import java.util.UUID;

/**
 * A validated task to enqueue; {@code payloadJson} is the payload's JSON text. {@code maxAttempts} is
 * the attempt budget per run the ledger applies (the task's own or the default); {@code ownMaxAttempts}
 * is the task's own, or null when it gave none.
 */
public record NewTask(UUID id, String idempotencyKey, String workflowId, String stage, String agent, String type,
                      String payloadJson, int priority, int maxAttempts, Integer ownMaxAttempts, Instant runAfter,
                      Origin origin) {
}
