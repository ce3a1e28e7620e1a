package dev.rebound.common.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** What a service does for one operation: the (parsed) request and who asked, to the JSON reply. */
@FunctionalInterface
public interface OperationHandler<R> {
  Future<JsonObject> handle(R request, Origin origin);
}
