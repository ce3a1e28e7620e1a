package dev.rebound.ledger;

import static dev.rebound.common.client.LedgerApi.BLOCK;
import static dev.rebound.common.client.LedgerApi.CANCEL;
import static dev.rebound.common.client.LedgerApi.CLAIM;
import static dev.rebound.common.client.LedgerApi.COMPLETE;
import static dev.rebound.common.client.LedgerApi.DEAD_LETTERS;
import static dev.rebound.common.client.LedgerApi.DECIDE;
import static dev.rebound.common.client.LedgerApi.ENQUEUE;
import static dev.rebound.common.client.LedgerApi.GET;
import static dev.rebound.common.client.LedgerApi.HEARTBEAT;
import static dev.rebound.common.client.LedgerApi.HISTORY;
import static dev.rebound.common.client.LedgerApi.LATEST_CHECKPOINT;
import static dev.rebound.common.client.LedgerApi.LIST;
import static dev.rebound.common.client.LedgerApi.PURGE;
import static dev.rebound.common.client.LedgerApi.REDRIVE;
import static dev.rebound.common.client.LedgerApi.REPORT_FAILURE;
import static dev.rebound.common.client.LedgerApi.SAVE_CHECKPOINT;
import static dev.rebound.common.client.LedgerApi.STATS;
import static dev.rebound.common.client.LedgerApi.UNBLOCK;

import dev.rebound.common.client.LedgerApi;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.service.OperationTable;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The ledger's edges: each {@link LedgerApi} entry bound to its {@link LedgerOperations} method
 * (the same binding serves the event bus and HTTP), and the routes that are not operations (the
 * body limit of the ledger's paths, the OpenAPI document). Errors are
 * {@code {"error":{code,message,details}}} with 400/404/409/413.
 */
final class LedgerEndpoints {
  private LedgerEndpoints() {
  }

  static OperationTable<LedgerApi> table(LedgerOperations ops) {
    return OperationTable.of(LedgerApi.class)
        .bind(ENQUEUE, ops::enqueue)
        .bind(LIST, (request, origin) -> ops.list(request))
        .bind(CLAIM, ops::claim)
        .bind(GET, (request, origin) -> ops.get(request))
        .bind(HISTORY, (request, origin) -> ops.history(request))
        .bind(HEARTBEAT, (request, origin) -> ops.heartbeat(request))
        .bind(COMPLETE, ops::complete)
        .bind(CANCEL, ops::cancel)
        .bind(BLOCK, ops::block)
        .bind(UNBLOCK, ops::unblock)
        .bind(SAVE_CHECKPOINT, (request, origin) -> ops.saveCheckpoint(request))
        .bind(LATEST_CHECKPOINT, (request, origin) -> ops.latestCheckpoint(request))
        .bind(REPORT_FAILURE, ops::reportFailure)
        .bind(DECIDE, ops::decide)
        .bind(DEAD_LETTERS, (request, origin) -> ops.deadLetters(request))
        .bind(REDRIVE, ops::redrive)
        .bind(PURGE, (request, origin) -> ops.purge(request))
        .bind(STATS, (request, origin) -> ops.stats());
  }

  /** Mounted ahead of the table's routes. */
  static void addRoutes(Router router, long bodyLimit) {
    // scoped to the ledger's own paths: in the all-in-one server other services' routes sit beside these
    router.routeWithRegex("/v1/(tasks|failures|decisions|dlq)(/.*)?")
        .handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    JsonHandlers.serveYaml(router, "openapi/ledger.yaml", "/openapi.yaml", "/openapi/ledger.yaml");
  }
}
