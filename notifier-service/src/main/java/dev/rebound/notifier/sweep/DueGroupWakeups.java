package dev.rebound.notifier.sweep;

import io.vertx.core.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes due groups and drains the outbox as soon as an intake commit made a group due (group-wait 0, or an alert
 * older than its group-wait), instead of at the next sweep — as the ledger wakes parked claims. Wake-ups coalesce:
 * one pass at a time, and one more after it when any arrived meanwhile (their commits may have come after the running
 * pass looked). The periodic sweeps stay the safety net: a wake-up lost to a failed pass or a crash is picked up
 * there. Running beside them is safe because due groups are taken with SKIP LOCKED and deliveries are claimed, as
 * between instances. Confined to the verticle's context.
 */
public final class DueGroupWakeups {
  private static final Logger LOG = LoggerFactory.getLogger(DueGroupWakeups.class);

  private final Supplier<Future<Integer>> flushDueGroups;
  private final Supplier<Future<Integer>> drainOutbox;
  private boolean running;
  private boolean again;

  /**
   * @param flushDueGroups one pass over the due groups; answers how many notifications it queued
   * @param drainOutbox one pass over the outbox
   */
  public DueGroupWakeups(Supplier<Future<Integer>> flushDueGroups, Supplier<Future<Integer>> drainOutbox) {
    this.flushDueGroups = flushDueGroups;
    this.drainOutbox = drainOutbox;
  }

  /** A group is due now: flush and deliver, or note that another pass is needed after the running one. */
  public void wake() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    flushDueGroups.get()
        .compose(queued -> queued > 0 ? drainOutbox.get() : Future.succeededFuture(0))
        .onComplete(ar -> {
          running = false;
          if (ar.failed()) {
            LOG.warn("flush on intake failed (the sweep will retry): {}", ar.cause().getMessage());
          } else if (again) {
            again = false;
            wake();
          }
        });
  }
}
