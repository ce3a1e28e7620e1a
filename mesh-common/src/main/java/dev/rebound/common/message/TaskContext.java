package dev.rebound.common.message;

import dev.rebound.common.JsonFields;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;

/**
 * What the ledger knows about the task behind a failure when it records the failure, carried with it to
 * the analyzer and on to the retry service (in {@link FailureEvent#task()} and
 * {@link FailureClassified#task()}), so deciding needs no read of the task back from the ledger. Set by
 * the ledger only: a reporter's own {@code task} is replaced by the ledger's.
 *
 * @param agent        the task's agent, or null
 * @param workflowId   the task's workflow, or null
 * @param attemptBase  the attempts of earlier runs (before a redrive): this run's first attempt is
 *                     {@code attemptBase + 1}
 * @param createdAt    when the task was enqueued (the start of its first run)
 * @param maxAttempts  the attempt budget the task was enqueued with, or null when it gave none (the
 *                     stage's policy decides then)
 */
public record TaskContext(String agent, String workflowId, int attemptBase, Instant createdAt, Integer maxAttempts) {

  private static final Set<String> FIELDS = Set.of("agent", "workflowId", "attemptBase", "createdAt", "maxAttempts");

  public TaskContext {
    if (attemptBase < 0) {
      throw new IllegalArgumentException("attemptBase must not be negative, was " + attemptBase);
    }
    if (maxAttempts != null && maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("attemptBase", attemptBase);
    FailureEvent.putIfPresent(o, "agent", agent);
    FailureEvent.putIfPresent(o, "workflowId", workflowId);
    FailureEvent.putIfPresent(o, "createdAt", createdAt);
    FailureEvent.putIfPresent(o, "maxAttempts", maxAttempts);
    return o;
  }

  /** Parses {@code task}; unknown fields are refused by name ({@code task.<field>}). */
  public static TaskContext fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS, "task.");
    return new TaskContext(JsonFields.string(o, "agent", 200), JsonFields.string(o, "workflowId", 200),
        JsonFields.integer(o, "attemptBase", 0, 0, Integer.MAX_VALUE), JsonFields.instant(o, "createdAt"),
        JsonFields.integer(o, "maxAttempts", 1, Integer.MAX_VALUE));
  }
}
