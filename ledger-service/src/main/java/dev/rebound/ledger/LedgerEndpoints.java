package dev.rebound.ledger;

import static dev.rebound.common.client.LedgerApi.BLOCK;
import static dev.rebound.common.client.LedgerApi.CANCEL;
import static dev.rebound.common.client.LedgerApi.CLAIM;
import static dev.rebound.common.client.LedgerApi.COMPLETE;
import static dev.rebound.common.client.LedgerApi.AUDIT;
import static dev.rebound.common.client.LedgerApi.FAILURE;
import static dev.rebound.common.client.LedgerApi.FAILURES;
import static dev.rebound.common.client.LedgerApi.COMPLETE_ALL;
import static dev.rebound.common.client.LedgerApi.DEAD_LETTERS;
import static dev.rebound.common.client.LedgerApi.DECIDE;
import static dev.rebound.common.client.LedgerApi.ENQUEUE;
import static dev.rebound.common.client.LedgerApi.ENQUEUE_ALL;
import static dev.rebound.common.client.LedgerApi.GET;
import static dev.rebound.common.client.LedgerApi.HEARTBEAT;
import static dev.rebound.common.client.LedgerApi.HEARTBEAT_ALL;
import static dev.rebound.common.client.LedgerApi.HISTORY;
import static dev.rebound.common.client.LedgerApi.LATEST_CHECKPOINT;
import static dev.rebound.common.client.LedgerApi.LIST;
import static dev.rebound.common.client.LedgerApi.PURGE;
import static dev.rebound.common.client.LedgerApi.REDRIVE;
import static dev.rebound.common.client.LedgerApi.REPORT_FAILURE;
import static dev.rebound.common.client.LedgerApi.SAVE_CHECKPOINT;
import static dev.rebound.common.client.LedgerApi.STATS;
import static dev.rebound.common.client.LedgerApi.UNBLOCK;
import static dev.rebound.common.client.LedgerApi.RETRY_NOW;
import static dev.rebound.common.client.LedgerApi.PARK;
import static dev.rebound.common.client.LedgerApi.RESUME;
import static dev.rebound.common.client.LedgerApi.STAGES;
import static dev.rebound.common.client.LedgerApi.PAUSE_STAGE;
import static dev.rebound.common.client.LedgerApi.RESUME_STAGE;

import dev.rebound.common.client.LedgerApi;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.request.CheckpointRequest;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteBatch;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.AuditQuery;
import dev.rebound.common.request.FailureIdRequest;
import dev.rebound.common.request.FailuresQuery;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueBatch;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatBatch;
import dev.rebound.common.request.HeartbeatRequest;
import dev.rebound.common.request.LedgerLimits;
import dev.rebound.common.request.ListTasksRequest;
import dev.rebound.common.request.PersonActionRequest;
import dev.rebound.common.request.StageActionRequest;
import dev.rebound.common.request.StagesQuery;
import dev.rebound.common.request.StatsRequest;
import dev.rebound.common.request.TaskIdRequest;
import dev.rebound.common.service.OperationTable;
import dev.rebound.ledger.pause.StagePauses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The ledger's edges: each {@link LedgerApi} entry bound to its request record's parser (the one
 * place its JSON is read and validated, unknown fields refused by name) and its
 * {@link LedgerOperations} method (the same binding serves the event bus and HTTP), and the routes that are not operations (the
 * body limit of the ledger's paths, the OpenAPI document). Errors are
 * {@code {"error":{code,message,details}}} with 400/404/409/413.
 */
final class LedgerEndpoints {
  private LedgerEndpoints() {
  }

  static OperationTable<LedgerApi> table(LedgerOperations ops, StagePauses pauses) {
    LedgerLimits limits = ops.limits();
    return OperationTable.of(LedgerApi.class)
        .bind(ENQUEUE, body -> EnqueueRequest.fromJson(body, limits), ops::enqueue)
        .bind(ENQUEUE_ALL, body -> EnqueueBatch.fromJson(body, limits), ops::enqueueAll)
        .bind(LIST, ListTasksRequest::fromJson, (request, origin) -> ops.list(request))
        .bind(CLAIM, body -> ClaimRequest.fromJson(body, limits), ops::claim)
        .bind(GET, TaskIdRequest::fromJson, (request, origin) -> ops.get(request))
        .bind(HISTORY, TaskIdRequest::fromJson, (request, origin) -> ops.history(request))
        .bind(HEARTBEAT, body -> HeartbeatRequest.fromJson(body, limits), (request, origin) -> ops.heartbeat(request))
        .bind(COMPLETE, body -> CompleteRequest.fromJson(body, limits), ops::complete)
        .bind(COMPLETE_ALL, body -> CompleteBatch.fromJson(body, limits), ops::completeAll)
        .bind(HEARTBEAT_ALL, body -> HeartbeatBatch.fromJson(body, limits), (request, origin) -> ops.heartbeatAll(request))
        .bind(CANCEL, PersonActionRequest::fromJson, ops::cancel)
        .bind(BLOCK, PersonActionRequest::fromJson, ops::block)
        .bind(UNBLOCK, PersonActionRequest::fromJson, ops::unblock)
        .bind(RETRY_NOW, PersonActionRequest::fromJson, ops::retryNow)
        .bind(PARK, PersonActionRequest::fromJson, ops::park)
        .bind(RESUME, PersonActionRequest::fromJson, ops::resume)
        .bind(SAVE_CHECKPOINT, body -> CheckpointRequest.fromJson(body, limits),
            (request, origin) -> ops.saveCheckpoint(request))
        .bind(LATEST_CHECKPOINT, TaskIdRequest::fromJson, (request, origin) -> ops.latestCheckpoint(request))
        .bind(REPORT_FAILURE, body -> FailureEvent.fromJson(withoutTask(body)), ops::reportFailure)
        .bind(FAILURES, FailuresQuery::fromJson, (request, origin) -> ops.failures(request))
        .bind(FAILURE, FailureIdRequest::fromJson, (request, origin) -> ops.failure(request))
        .bind(DECIDE, Decision::fromJson, ops::decide)
        .bind(DEAD_LETTERS, DeadLetterQuery::fromJson, (request, origin) -> ops.deadLetters(request))
        .bind(REDRIVE, DeadLetterSelection::fromJson, ops::redrive)
        .bind(PURGE, DeadLetterSelection::fromJson, ops::purge)
        .bind(AUDIT, AuditQuery::fromJson, (request, origin) -> ops.audit(request))
        .bind(STATS, StatsRequest::fromJson, (request, origin) -> ops.stats())
        .bind(STAGES, StagesQuery::fromJson, (request, origin) -> pauses.list())
        .bind(PAUSE_STAGE, StageActionRequest::fromJson, pauses::pause)
        .bind(RESUME_STAGE, StageActionRequest::fromJson, pauses::resume);
  }

  /**
   * A reporter's own {@code task} is ignored, even a malformed one: what the ledger hands on about the
   * task comes from its own row.
   */
  static JsonObject withoutTask(JsonObject body) {
    if (body == null || !body.containsKey("task")) {
      return body;
    }
    JsonObject copy = body.copy();
    copy.remove("task");
    return copy;
  }

  /** Mounted ahead of the table's routes. */
  static void addRoutes(Router router, long bodyLimit, long batchBodyLimit) {
    // batch routes carry many items: their own, larger limit (the items' bytes are bounded again when parsed)
    router.routeWithRegex("/v1/tasks/(batch|complete|heartbeat)").handler(BodyHandler.create(false)
        .setBodyLimit(batchBodyLimit));
    // scoped to the ledger's own paths: in the all-in-one server other services' routes sit beside these
    router.routeWithRegex("/v1/(tasks|failures|decisions|dlq|stages)(/.*)?")
        .handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    JsonHandlers.serveYaml(router, "openapi/ledger.yaml", "/openapi.yaml", "/openapi/ledger.yaml");
  }
}
