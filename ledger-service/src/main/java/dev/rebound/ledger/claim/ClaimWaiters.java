package dev.rebound.ledger.claim;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Long-poll claims. A claim that finds nothing waits here until work may have appeared for its stage
 * — an enqueue, an unblock, a redrive (LISTEN/NOTIFY from any ledger instance, or locally) or a
 * retry or delayed task falling due (a timer at the earliest due time, which a parking claim asks
 * the database for) — or until its wait ends. No polling loop: waiters only re-run their claim when
 * woken. Confined to the verticle's context.
 */
public final class ClaimWaiters {
  /** What a waiter re-runs; returns the claimed tasks (possibly none). */
  public interface ClaimAttempt extends Supplier<Future<List<JsonObject>>> {
  }

  private final class Waiter {
    final String stage;
    final String type;
    final ClaimAttempt attempt;
    final Promise<List<JsonObject>> promise = Promise.promise();
    long timer;
    boolean running;
    boolean wokenWhileRunning;
    boolean deadlinePassed;

    Waiter(String stage, String type, ClaimAttempt attempt) {
      this.stage = stage;
      this.type = type;
      this.attempt = attempt;
    }

    void tryClaim() {
      if (promise.future().isComplete()) {
        return;
      }
      if (running) {
        wokenWhileRunning = true;
        return;
      }
      running = true;
      attempt.get().onComplete(ar -> {
        running = false;
        boolean owedAnotherLook = wokenWhileRunning;
        wokenWhileRunning = false;
        if (ar.failed()) {
          finish(this, Outcome.failed(ar.cause()));
        } else if (!ar.result().isEmpty() || deadlinePassed) {
          // tasks claimed in flight are delivered even if the wait ended meanwhile: never strand a lease
          finish(this, Outcome.ok(ar.result()));
        } else if (owedAnotherLook) {
          tryClaim();
          return;
        } else {
          return;
        }
        if (owedAnotherLook) {
          // this waiter was told of more work while it was busy, and is done now: pass the news on
          wake(stage, type, 1);
        }
      });
    }
  }

  private final Vertx vertx;
  private final int maxWaiters;
  private final Clock clock;
  private final Function<String, Future<Long>> nextDue;
  private final LinkedHashSet<Waiter> waiters = new LinkedHashSet<>();
  /** Due time (epoch ms) → stages whose tasks fall due then; one timer for the earliest. */
  private final TreeMap<Long, LinkedHashSet<String>> dueWakeups = new TreeMap<>();
  private long dueTimer = -1;
  private long dueTimerAt = Long.MAX_VALUE;
  private boolean closed;

  /**
   * @param nextDue for a stage (null: any), the earliest run-after of a claimable task (possibly
   *                already past), or null — asked when a claim parks, so work that appeared in
   *                between, or a due retry or delayed task this instance never heard of (restart,
   *                another instance), still wakes it
   */
  public ClaimWaiters(Vertx vertx, Clock clock, Function<String, Future<Long>> nextDue) {
    this(vertx, clock, nextDue, Integer.MAX_VALUE);
  }

  /** @param maxWaiters long polls held at once; one more is refused with OVERLOADED (429) */
  public ClaimWaiters(Vertx vertx, Clock clock, Function<String, Future<Long>> nextDue, int maxWaiters) {
    this.maxWaiters = maxWaiters;
    this.vertx = vertx;
    this.clock = clock;
    this.nextDue = nextDue;
  }

  /**
   * Waits up to {@code waitMs} for {@code attempt} to claim something; completes with [] when the
   * wait ends. While the ledger is stopping, new waits are refused (UNAVAILABLE) so workers back off
   * instead of spinning.
   */
  public Future<List<JsonObject>> await(String stage, String type, long waitMs, ClaimAttempt attempt) {
    return await(stage, type, waitMs, attempt, null);
  }

  /**
   * As {@link #await(String, String, long, ClaimAttempt)}; the wait also ends, with no tasks, when
   * {@code requesterGone} completes (nobody would read the reply). Past {@code maxWaiters} parked
   * claims, refused at once with OVERLOADED: each parked claim holds a request open.
   */
  public Future<List<JsonObject>> await(String stage, String type, long waitMs, ClaimAttempt attempt,
                                        Future<Void> requesterGone) {
    if (closed) {
      return Future.failedFuture(new ReboundException(ErrorCode.UNAVAILABLE, "the ledger is stopping; claim again shortly"));
    }
    if (waiters.size() >= maxWaiters) {
      return Future.failedFuture(new ReboundException(ErrorCode.OVERLOADED, maxWaiters
          + " long-poll claims are already waiting on this ledger; claim again shortly (or with a shorter waitMs)",
          new JsonObject().put("waiting", waiters.size()).put("retryAfterSeconds", 1)));
    }
    Waiter w = new Waiter(stage, type, attempt);
    waiters.add(w);
    w.timer = vertx.setTimer(Math.max(1, waitMs), t -> endWait(w));
    if (requesterGone != null) {
      requesterGone.onSuccess(v -> endWait(w));
    }
    nextDue.apply(stage).onSuccess(due -> {
      if (due == null || !waiters.contains(w)) {
        return;
      }
      if (due <= clock.millis()) {
        w.tryClaim();  // work appeared between the claim and parking
      } else {
        wakeAt(stage, due);
      }
    });
    return w.promise.future();
  }

  /** The wait is over (deadline, requester gone): a claim under way still delivers what it takes. */
  private void endWait(Waiter w) {
    if (w.running) {
      w.deadlinePassed = true;
    } else {
      finish(w, Outcome.ok(List.of()));
    }
  }

  public int waiting() {
    return waiters.size();
  }

  /** Work may be claimable for {@code stage} (null: any stage), of unknown amount and type: every matching waiter re-claims. */
  public void wake(String stage) {
    for (Waiter w : new ArrayList<>(waiters)) {
      if (stageMatches(w, stage)) {
        w.tryClaim();
      }
    }
  }

  /**
   * {@code tasks} tasks of {@code type} (null: untyped) became claimable for {@code stage}: wake that
   * many waiters that could claim them, oldest first, preferring idle ones (a waiter already
   * claiming is told to look once more, and passes the news on if it finishes instead).
   */
  public void wake(String stage, String type, int tasks) {
    int left = tasks;
    for (Waiter w : new ArrayList<>(waiters)) {
      if (left == 0) {
        return;
      }
      if (canTake(w, stage, type) && !w.running) {
        w.tryClaim();
        left--;
      }
    }
    for (Waiter w : new ArrayList<>(waiters)) {
      if (left == 0) {
        return;
      }
      if (canTake(w, stage, type) && w.running && !w.wokenWhileRunning && !w.deadlinePassed) {
        w.tryClaim();
        left--;
      }
    }
  }

  private static boolean stageMatches(Waiter w, String stage) {
    return stage == null || w.stage == null || Objects.equals(stage, w.stage);
  }

  /** A waiter claiming with a type filter cannot take an untyped task or one of another type. */
  private static boolean canTake(Waiter w, String stage, String type) {
    return stageMatches(w, stage) && (w.type == null || w.type.equals(type));
  }

  /** Tasks of {@code stage} fall due at {@code epochMs}: wake its waiters then. */
  public void wakeAt(String stage, long epochMs) {
    if (waiters.isEmpty() && dueWakeups.size() > 10_000) {
      return;  // nobody waits: a claim that parks later asks the database for the next due time
    }
    dueWakeups.computeIfAbsent(epochMs, k -> new LinkedHashSet<>()).add(stage == null ? "" : stage);
    armDueTimer();
  }

  private void armDueTimer() {
    if (dueWakeups.isEmpty()) {
      return;
    }
    long first = dueWakeups.firstKey();
    if (first >= dueTimerAt && dueTimer >= 0) {
      return;
    }
    if (dueTimer >= 0) {
      vertx.cancelTimer(dueTimer);
    }
    dueTimerAt = first;
    long delay = Math.max(1, first - clock.millis());
    dueTimer = vertx.setTimer(delay, t -> {
      dueTimer = -1;
      dueTimerAt = Long.MAX_VALUE;
      long now = clock.millis();
      Iterator<Map.Entry<Long, LinkedHashSet<String>>> it = dueWakeups.entrySet().iterator();
      LinkedHashSet<String> stages = new LinkedHashSet<>();
      while (it.hasNext()) {
        var e = it.next();
        if (e.getKey() > now) {
          break;
        }
        stages.addAll(e.getValue());
        it.remove();
      }
      stages.forEach(s -> wake(s.isEmpty() ? null : s));
      armDueTimer();
    });
  }

  /** Ends every wait now and refuses new ones (shutdown): waiters get an empty claim. */
  public void releaseAll() {
    closed = true;
    for (Waiter w : new ArrayList<>(waiters)) {
      if (w.running) {
        w.deadlinePassed = true;
      } else {
        finish(w, Outcome.ok(List.of()));
      }
    }
  }

  private void finish(Waiter w, Outcome<List<JsonObject>> outcome) {
    if (!waiters.remove(w)) {
      return;
    }
    vertx.cancelTimer(w.timer);
    if (outcome instanceof Outcome.Failed<List<JsonObject>> failed) {
      w.promise.tryFail(failed.error());
    } else {
      w.promise.tryComplete(((Outcome.Ok<List<JsonObject>>) outcome).value());
    }
  }
}
