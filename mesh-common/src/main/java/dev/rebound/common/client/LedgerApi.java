package dev.rebound.common.client;

import static dev.rebound.common.client.HttpRoute.get;
import static dev.rebound.common.client.HttpRoute.post;
import static dev.rebound.common.client.HttpRoute.postItems;

import dev.rebound.common.Addresses;

/**
 * The ledger's API: every operation once, with its event-bus address and action and its HTTP route
 * (see the ledger's {@code /openapi.yaml}). {@link LedgerClient} calls through these entries; the
 * ledger binds each of them to its handler.
 */
public enum LedgerApi implements ApiOperation {
  ENQUEUE("enqueue", post("/v1/tasks", reply -> Boolean.TRUE.equals(reply.getBoolean("created")) ? 201 : 200)),
  /** Many tasks, each with its own idempotency key and answer (201/200/400 per item). */
  ENQUEUE_ALL("enqueue.batch", postItems("/v1/tasks/batch", "tasks")),
  LIST("list", get("/v1/tasks")),
  CLAIM("claim", post("/v1/tasks/claim")),
  GET("get", get("/v1/tasks/:id")),
  HISTORY("history", get("/v1/tasks/:id/history")),
  HEARTBEAT("heartbeat", post("/v1/tasks/:id/heartbeat")),
  COMPLETE("complete", post("/v1/tasks/:id/complete")),
  /** Many completions, each answered on its own (DONE, LEASE_LOST…). */
  COMPLETE_ALL("complete.batch", postItems("/v1/tasks/complete", "completions")),
  /** Many lease extensions, each answered on its own. */
  HEARTBEAT_ALL("heartbeat.batch", postItems("/v1/tasks/heartbeat", "heartbeats")),
  CANCEL("cancel", post("/v1/tasks/:id/cancel")),
  BLOCK("block", post("/v1/tasks/:id/block")),
  UNBLOCK("unblock", post("/v1/tasks/:id/unblock")),
  /** Force a retry now: RETRY or BLOCKED → QUEUED due now; a FAILED task is redriven. */
  RETRY_NOW("retry", post("/v1/tasks/:id/retry")),
  /** Park a task by hand (block by another name). */
  PARK("park", post("/v1/tasks/:id/park")),
  /** Resume a parked task (unblock by another name). */
  RESUME("resume", post("/v1/tasks/:id/resume")),
  SAVE_CHECKPOINT("checkpoint", post("/v1/tasks/:id/checkpoints")),
  LATEST_CHECKPOINT("checkpoint.latest", get("/v1/tasks/:id/checkpoints/latest")),
  /** A {@code FailureEvent}; the reply (HTTP 202) comes after the ledger committed it. */
  REPORT_FAILURE(Addresses.FAILURES, null, post("/v1/failures", reply -> 202)),
  /** A {@code Decision} of the retry service. */
  DECIDE(Addresses.LEDGER_DECIDE, null, post("/v1/decisions")),
  DEAD_LETTERS("dlq.list", get("/v1/dlq")),
  REDRIVE("dlq.redrive", post("/v1/dlq/redrive")),
  PURGE("dlq.purge", post("/v1/dlq/purge")),
  STATS("stats", get("/v1/stats")),
  /** The paused stages, with who paused them, why and since when. */
  STAGES("stages.list", get("/v1/stages")),
  PAUSE_STAGE("stages.pause", post("/v1/stages/:stage/pause")),
  RESUME_STAGE("stages.resume", post("/v1/stages/:stage/resume"));

  private final String address;
  private final String action;
  private final HttpRoute route;

  /** An operation of the task API on {@link Addresses#LEDGER}, selected by its action header. */
  LedgerApi(String action, HttpRoute route) {
    this(Addresses.LEDGER, action, route);
  }

  LedgerApi(String address, String action, HttpRoute route) {
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
}
