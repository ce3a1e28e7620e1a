package dev.rebound.common.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one sweep at a fixed interval, never two at once; a failed sweep is logged and retried next tick. */
public final class PeriodicSweep {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicSweep.class);

  private final Vertx vertx;
  private final String name;
  private final Duration interval;
  private final Supplier<Future<Integer>> sweep;
  private long timer = -1;
  private boolean running;
  private Future<Integer> current = Future.succeededFuture(0);

  public PeriodicSweep(Vertx vertx, String name, Duration interval, Supplier<Future<Integer>> sweep) {
    this.vertx = vertx;
    this.name = name;
    this.interval = interval;
    this.sweep = sweep;
  }

  public void start() {
    timer = vertx.setPeriodic(Math.max(10, interval.toMillis()), t -> runOnce());
  }

  /** Runs a sweep now unless one is running; the future tells how many items it handled. */
  public Future<Integer> runOnce() {
    if (running) {
      return current;
    }
    running = true;
    current = sweep.get().onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("{} failed: {}", name, ar.cause().getMessage());
      } else if (ar.result() > 0) {
        LOG.info("{} handled {} item(s)", name, ar.result());
      }
    });
    return current;
  }

  /** Stops ticking and waits for a sweep in progress. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return current.<Void>mapEmpty().otherwiseEmpty();
  }
}
