package dev.rebound.ledger.store;

import static dev.rebound.ledger.store.Timestamps.instant;

import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

/** Task rows as {@link TaskView}s and {@link Transition}s. The lease token is only shown to the claimer. */
final class TaskRows {
  private TaskRows() {
  }

  static TaskView view(Row row) {
    return TaskView.builder()
        .id(row.getUUID("id"))
        .idempotencyKey(row.getString("idempotency_key"))
        .workflowId(row.getString("workflow_id"))
        .stage(row.getString("stage"))
        .agent(row.getString("agent"))
        .type(row.getString("type"))
        .payload(row.getValue("payload"))
        .priority(row.getInteger("priority"))
        .state(TaskState.valueOf(row.getString("state")))
        .attempt(row.getInteger("attempt"))
        .attemptsThisRun(row.getInteger("attempt") - row.getInteger("attempt_base"))
        .maxAttempts(row.getInteger("max_attempts"))
        .runAfter(instant(row, "run_after"))
        .leaseOwner(row.getString("lease_owner"))
        .leaseExpiresAt(instant(row, "lease_expires_at"))
        .version(row.getLong("version"))
        .createdAt(instant(row, "created_at"))
        .updatedAt(instant(row, "updated_at"))
        .finishedAt(instant(row, "finished_at"))
        .lastError(row.getString("last_error"))
        .blockedReason(row.getString("blocked_reason"))
        .result(row.getValue("result"))
        .build();
  }

  static Transition transition(Row row, String reason, String error, String actor, String correlationId, Instant at) {
    String from = row.getString("from_state");
    return new Transition(row.getUUID("id"), row.getString("workflow_id"), row.getString("stage"), row.getString("agent"),
        from == null ? null : TaskState.valueOf(from), TaskState.valueOf(row.getString("state")),
        row.getInteger("attempt"), reason, error, actor, correlationId, at);
  }

  static UUID[] uuids(Collection<UUID> ids) {
    return ids.toArray(new UUID[0]);
  }
}
