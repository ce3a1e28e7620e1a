package dev.rebound.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Counts requests being worked on, so a stopping service can wait for them to be answered before it
 * closes its pool: intake stops first, then what was accepted finishes.
 */
public final class InFlight {
  private final AtomicInteger count = new AtomicInteger();

  public <T> Future<T> track(Supplier<Future<T>> work) {
    count.incrementAndGet();
    Future<T> f;
    try {
      f = work.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.andThen(ar -> count.decrementAndGet());
  }

  public int count() {
    return count.get();
  }

  /** Completes once nothing is in flight (checked every 20 ms; bound it with the caller's timeout). */
  public Future<Void> drained(Vertx vertx) {
    if (count.get() == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    long[] timer = new long[1];
    timer[0] = vertx.setPeriodic(20, t -> {
      if (count.get() == 0) {
        vertx.cancelTimer(timer[0]);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
