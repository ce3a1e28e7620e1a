package dev.rebound.client;

import io.vertx.core.Future;

/**
 * A resource the {@link ResourceGuard} may recycle to give memory back (a headless browser, a
 * connection pool): it is called when no task runs, and the guard measures again afterwards.
 */
@FunctionalInterface
public interface Recyclable {
  Future<Void> recycle();
}
