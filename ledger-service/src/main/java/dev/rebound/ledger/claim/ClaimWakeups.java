package dev.rebound.ledger.claim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells parked claims, on this instance and on every other ledger instance, that work may be
 * claimable. Locally it wakes {@link ClaimWaiters} directly; other instances hear of it through
 * PostgreSQL NOTIFY on {@link #CHANNEL} with the payload {@code instance|stage|dueEpochMs} (0: due
 * now), and an instance ignores its own. Notifications asked for during one event-loop turn go out
 * once at its end. Confined to the verticle's context.
 */
public final class ClaimWakeups {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimWakeups.class);
  public static final String CHANNEL = "rebound_ledger_tasks";

  /** Sends one NOTIFY; delivered to the listeners after the sending statement commits. */
  @FunctionalInterface
  public interface Notifier {
    Future<Void> notify(String channel, String payload);
  }

  private final Vertx vertx;
  private final Clock clock;
  private final ClaimWaiters waiters;
  private final Notifier notifier;
  private final Set<String> pendingNotifications = new LinkedHashSet<>();
  /** Tells this instance's notifications from other instances'. */
  private final String instanceId = UUID.randomUUID().toString().substring(0, 8);

  public ClaimWakeups(Vertx vertx, Clock clock, ClaimWaiters waiters, Notifier notifier) {
    this.vertx = vertx;
    this.clock = clock;
    this.waiters = waiters;
    this.notifier = notifier;
  }

  /** Tasks of {@code stage} fall due at {@code due} (null or past: now), in unknown number. */
  public void claimable(String stage, Instant due) {
    claimable(stage, null, due, 0);
  }

  /**
   * @param tasks how many tasks became claimable (0: unknown). One task wakes one parked claim that
   *              can take it, so one enqueue does not send every idle worker to the database.
   */
  public void claimable(String stage, String type, Instant due, int tasks) {
    long now = clock.millis();
    if (due == null || due.toEpochMilli() <= now) {
      // a bounded wake needs the new task's type: known for one task, not for a batch of redriven ones
      if (tasks == 1) {
        waiters.wake(stage, type, 1);
      } else {
        waiters.wake(stage);
      }
      // other instances learn only the stage: they wake all waiters of the stage
      notifyOthers(stage, 0);
    } else {
      waiters.wakeAt(stage, due.toEpochMilli());
      // round up to 100 ms so a burst of retries shares a handful of notifications
      notifyOthers(stage, (due.toEpochMilli() + 99) / 100 * 100);
    }
  }

  /**
   * New tasks of {@code stage} due at {@code due}, whose notification for other instances
   * ({@link #notification}) went out in the enqueue's own transaction: only this instance's parked
   * claims are woken here.
   */
  public void claimableNotified(String stage, String type, Instant due, int tasks) {
    long now = clock.millis();
    if (due == null || due.toEpochMilli() <= now) {
      if (tasks == 1) {
        waiters.wake(stage, type, 1);
      } else {
        waiters.wake(stage);
      }
    } else {
      waiters.wakeAt(stage, due.toEpochMilli());
    }
  }

  /** The NOTIFY payload on {@link #CHANNEL} that tells other instances tasks of {@code stage} fall due at {@code due}. */
  public String notification(String stage, Instant due) {
    long now = clock.millis();
    long dueMs = due == null || due.toEpochMilli() <= now ? 0 : (due.toEpochMilli() + 99) / 100 * 100;
    return instanceId + "|" + stage + "|" + dueMs;
  }

  /** Coalesced: a batch of 500 enqueues costs one notification per stage, not 500. */
  private void notifyOthers(String stage, long dueMs) {
    boolean first = pendingNotifications.isEmpty();
    pendingNotifications.add(instanceId + "|" + stage + "|" + dueMs);
    if (first) {
      vertx.runOnContext(v -> {
        List<String> out = new ArrayList<>(pendingNotifications);
        pendingNotifications.clear();
        out.forEach(payload -> notifier.notify(CHANNEL, payload));
      });
    }
  }

  /** A NOTIFY payload from any instance; this instance's own are ignored (it woke its waiters already). */
  public void onNotification(String payload) {
    String[] parts = payload.split("\\|", -1);
    if (parts.length != 3) {
      LOG.warn("ignoring a malformed ledger notification");
      return;
    }
    if (parts[0].equals(instanceId)) {
      return;
    }
    try {
      String stage = parts[1];
      long due = Long.parseLong(parts[2]);
      if (due <= clock.millis()) {
        waiters.wake(stage);
      } else {
        waiters.wakeAt(stage, due);
      }
    } catch (NumberFormatException e) {
      LOG.warn("ignoring a malformed ledger notification");
    }
  }

  /** After the listener reconnected, notifications may have been missed: every waiter looks once more. */
  public void onReconnect() {
    waiters.wake(null);
  }
}
