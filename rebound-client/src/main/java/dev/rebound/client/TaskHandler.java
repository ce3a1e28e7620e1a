package dev.rebound.client;

import io.vertx.core.Future;

/**
 * A worker's code for one task. It runs on the worker's Vert.x context and answers a future: its value
 * (a {@code JsonObject}, a {@code JsonArray}, a string, a number, or null) becomes the task's result;
 * a failure (or a thrown exception) is reported to the ledger with its exception chain.
 */
@FunctionalInterface
public interface TaskHandler {
  Future<?> handle(TaskContext ctx);
}
