package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;
import static dev.rebound.common.client.HttpRoute.postItems;
import static dev.rebound.common.client.Scope.OPERATOR;
import static dev.rebound.common.client.Scope.READ;
import static dev.rebound.common.client.Scope.WORKER;

import dev.rebound.common.Addresses;

/**
 * The ledger's API: every operation once, with its event-bus address and action and its HTTP route
 * (see the ledger's {@code /openapi.yaml}). {@link LedgerClient} calls through these entries; the
 * ledger binds each of them to its handler.
 */
public enum LedgerApi implements ApiOperation {
  ENQUEUE(WORKER, "enqueue", post("/v1/tasks", reply -> Boolean.TRUE.equals(reply.getBoolean("created")) ? 201 : 200)),
  /** Many tasks, each with its own idempotency key and answer (201/200/400 per item). */
  ENQUEUE_ALL(WORKER, "enqueue.batch", postItems("/v1/tasks/batch", "tasks")),
  LIST(READ, "list", get("/v1/tasks")),
  CLAIM(WORKER, "claim", post("/v1/tasks/claim")),
  GET(READ, "get", get("/v1/tasks/:id")),
  HISTORY(READ, "history", get("/v1/tasks/:id/history")),
  HEARTBEAT(WORKER, "heartbeat", post("/v1/tasks/:id/heartbeat")),
  COMPLETE(WORKER, "complete", post("/v1/tasks/:id/complete")),
  /** Many completions, each answered on its own (DONE, LEASE_LOST…). */
  COMPLETE_ALL(WORKER, "complete.batch", postItems("/v1/tasks/complete", "completions")),
  /** Many lease extensions, each answered on its own. */
  HEARTBEAT_ALL(WORKER, "heartbeat.batch", postItems("/v1/tasks/heartbeat", "heartbeats")),
  CANCEL(OPERATOR, "cancel", post("/v1/tasks/:id/cancel")),
  BLOCK(OPERATOR, "block", post("/v1/tasks/:id/block")),
  UNBLOCK(OPERATOR, "unblock", post("/v1/tasks/:id/unblock")),
  /** Force a retry now: RETRY or BLOCKED → QUEUED due now; a FAILED task is redriven. */
  RETRY_NOW(OPERATOR, "retry", post("/v1/tasks/:id/retry")),
  /** Park a task by hand (block by another name). */
  PARK(OPERATOR, "park", post("/v1/tasks/:id/park")),
  /** Resume a parked task (unblock by another name). */
  RESUME(OPERATOR, "resume", post("/v1/tasks/:id/resume")),
  SAVE_CHECKPOINT(WORKER, "checkpoint", post("/v1/tasks/:id/checkpoints")),
  LATEST_CHECKPOINT(READ, "checkpoint.latest", get("/v1/tasks/:id/checkpoints/latest")),
  /** A {@code FailureEvent}; the reply (HTTP 202) comes after the ledger committed it. */
  REPORT_FAILURE(WORKER, Addresses.FAILURES, null, post("/v1/failures", reply -> 202)),
  /** Recorded failures, newest first: by stage, workflow, task, or the free-standing ones (no task). */
  FAILURES(READ, "failures.list", get("/v1/failures")),
  /** One recorded failure with its stack trace and details. */
  FAILURE(READ, "failures.get", get("/v1/failures/:id")),
  /** A {@code Decision} of the retry service. */
  DECIDE(OPERATOR, Addresses.LEDGER_DECIDE, null, post("/v1/decisions")),
  DEAD_LETTERS(READ, "dlq.list", get("/v1/dlq")),
  REDRIVE(OPERATOR, "dlq.redrive", post("/v1/dlq/redrive")),
  /** Deletes dead letters and their history for good; the purge itself is kept in the audit trail ({@link #AUDIT}). */
  PURGE(OPERATOR, "dlq.purge", post("/v1/dlq/purge")),
  /** The audit trail of actions that leave no task behind (purges): who, when, what. */
  AUDIT(READ, "audit.list", get("/v1/audit")),
  STATS(READ, "stats", get("/v1/stats")),
  /** The paused stages, with who paused them, why and since when. */
  STAGES(READ, "stages.list", get("/v1/stages")),
  PAUSE_STAGE(OPERATOR, "stages.pause", post("/v1/stages/:stage/pause")),
  RESUME_STAGE(OPERATOR, "stages.resume", post("/v1/stages/:stage/resume"));

  private final String address;
  private final String action;
  private final HttpRoute route;
  private final Scope scope;

  /** An operation of the task API on {@link Addresses#LEDGER}, selected by its action header. */
  LedgerApi(Scope scope, String action, HttpRoute route) {
    this(scope, Addresses.LEDGER, action, route);
  }

  LedgerApi(Scope scope, String address, String action, HttpRoute route) {
    this.scope = scope;
    this.address = address;
    this.action = action;
    this.route = route;
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public String action() {
    return action;
  }

  @Override
  public HttpRoute route() {
    return route;
  }

  @Override
  public Scope scope() {
    return scope;
  }
}
