package dev.rebound.common.db;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Group commit for one kind of write: requests that arrive while earlier batches are in flight are
 * gathered and written together in one statement. At low load every request goes alone at once (no
 * added delay); under load a round trip carries up to {@code maxBatch} requests. Each request's
 * future completes only when its batch committed. When a batch fails because of one request's data
 * ({@code retryAlone} says so: a data or constraint error), each of its requests is written alone,
 * so one bad request cannot fail its neighbours; any other failure (connection lost, pool timeout)
 * fails the batch as it is, without multiplying the load. Confined to one Vert.x context.
 *
 * <p>Bounded: at most {@code maxQueued} requests wait for a batch, and, when a {@code maxQueueWait} is given,
 * none is admitted behind one that has already waited that long; past either bound a request is refused at once with
 * {@code OVERLOADED} (HTTP 429 with {@code Retry-After}, the same code on the event bus), so a
 * flood costs a refusal, not memory, and an accepted request does not wait behind seconds of
 * backlog: the count bounds memory, the age bounds the latency of what is accepted whatever the
 * rate the database keeps up with (a count alone lets {@code maxQueued} / throughput seconds pile
 * up: 5,000 writes at 400/s are 12 s). Requests written again alone after a data error were already
 * admitted and are never refused.
 *
 * <p>The flush function returns, per input in order, an {@link Outcome}: the value, or the error that
 * fails only that request.
 */
public final class GroupCommit<I, O> {
  private record Pending<I, O>(I input, Promise<O> promise, boolean alone, long queuedAt) {
  }

  /** Requests a group commit lets wait unless told otherwise. */
  public static final int DEFAULT_MAX_QUEUED = 5000;
  /**
   * A sensible {@code maxQueueWait} for writes whose senders retry a refusal (the ledger's clients do). Without one
   * only the count bounds the queue: right for writes nobody would send again, such as an observer's (the
   * analyzer's outcomes) or a fire-and-forget alert, which a refusal would lose.
   */
  public static final Duration DEFAULT_MAX_QUEUE_WAIT = Duration.ofSeconds(1);

  private final int maxBatch;
  private final int maxInFlight;
  private final int maxQueued;
  private final long maxQueueWaitNanos;
  private final Function<List<I>, Future<List<Outcome<O>>>> flush;
  private final Predicate<Throwable> retryAlone;
  private final ArrayDeque<Pending<I, O>> queue = new ArrayDeque<>();
  private int inFlight;

  public GroupCommit(int maxBatch, int maxInFlight, Function<List<I>, Future<List<Outcome<O>>>> flush,
                     Predicate<Throwable> retryAlone) {
    this(maxBatch, maxInFlight, DEFAULT_MAX_QUEUED, null, flush, retryAlone);
  }

  public GroupCommit(int maxBatch, int maxInFlight, int maxQueued, Function<List<I>, Future<List<Outcome<O>>>> flush,
                     Predicate<Throwable> retryAlone) {
    this(maxBatch, maxInFlight, maxQueued, null, flush, retryAlone);
  }

  /** {@code maxQueueWait}: null for no bound on the age of the oldest waiting request (see the class comment). */
  public GroupCommit(int maxBatch, int maxInFlight, int maxQueued, Duration maxQueueWait,
                     Function<List<I>, Future<List<Outcome<O>>>> flush, Predicate<Throwable> retryAlone) {
    if (maxQueued < 1) {
      throw new IllegalArgumentException("maxQueued must be positive: " + maxQueued);
    }
    if (maxQueueWait != null && (maxQueueWait.isNegative() || maxQueueWait.isZero())) {
      throw new IllegalArgumentException("maxQueueWait must be positive: " + maxQueueWait);
    }
    this.maxQueued = maxQueued;
    this.maxQueueWaitNanos = maxQueueWait == null ? Long.MAX_VALUE : maxQueueWait.toNanos();
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.flush = flush;
    this.retryAlone = retryAlone;
  }

  /** A PostgreSQL data exception (class 22) or integrity violation (class 23): one request's fault. */
  public static boolean dataError(Throwable t) {
    return t instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"));
  }

  /**
   * {@link #dataError}, or a deadlock (40P01): a batch that met another writer locking the same rows in another
   * order (PostgreSQL aborted it, nothing was written) is written again request by request.
   */
  public static boolean dataErrorOrDeadlock(Throwable t) {
    return dataError(t) || deadlock(t);
  }

  /** PostgreSQL aborted the transaction to break a deadlock (40P01): nothing of it was written. */
  public static boolean deadlock(Throwable t) {
    return t instanceof PgException pg && "40P01".equals(pg.getSqlState());
  }

  /**
   * Fails at once with {@code OVERLOADED} when {@code maxQueued} requests already wait, or when the
   * request at the head of the queue has waited {@code maxQueueWait} or longer.
   */
  public Future<O> submit(I input) {
    return submit(input, true);
  }

  /**
   * As {@link #submit}, but never refused for the age of the queue, only by its count: for a write that finishes
   * work already admitted (a task's completion or failure report, a decision about it). Refusing it would waste
   * the work done (the task would run again once its lease expired), and how many there can be is bounded by the
   * work admitted; new work is what an overloaded service turns away.
   */
  public Future<O> submitAdmitted(I input) {
    return submit(input, false);
  }

  private Future<O> submit(I input, boolean refuseWhenOld) {
    long now = System.nanoTime();
    if (queue.size() >= maxQueued) {
      return Future.failedFuture(new ReboundException(ErrorCode.OVERLOADED, maxQueued
          + " writes are already waiting; retry shortly", new JsonObject().put("queued", queue.size())
          .put("retryAfterSeconds", 1)));
    }
    Pending<I, O> head = queue.peekFirst();
    if (refuseWhenOld && head != null && now - head.queuedAt() >= maxQueueWaitNanos) {
      return Future.failedFuture(new ReboundException(ErrorCode.OVERLOADED, "the writes waiting have waited "
          + (now - head.queuedAt()) / 1_000_000 + " ms already; retry shortly", new JsonObject()
          .put("queued", queue.size()).put("retryAfterSeconds", 1)));
    }
    Promise<O> p = Promise.promise();
    queue.add(new Pending<>(input, p, false, now));
    drain();
    return p.future();
  }

  /** Requests waiting for a batch now. */
  public int queued() {
    return queue.size();
  }

  private void drain() {
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      List<Pending<I, O>> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
      batch.add(queue.poll());
      // a request being retried alone stays alone
      while (!batch.get(0).alone() && batch.size() < maxBatch && !queue.isEmpty() && !queue.peek().alone()) {
        batch.add(queue.poll());
      }
      inFlight++;
      Future<List<Outcome<O>>> result;
      try {
        result = flush.apply(batch.stream().map(Pending::input).toList());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        inFlight--;
        if (ar.failed() && batch.size() > 1 && retryAlone.test(ar.cause())) {
          for (int i = batch.size() - 1; i >= 0; i--) {
            Pending<I, O> p = batch.get(i);
            // admitted already: back at the head, its wait counted afresh (a retry is not a backlog)
            queue.addFirst(new Pending<>(p.input(), p.promise(), true, System.nanoTime()));
          }
        } else if (ar.failed()) {
          batch.forEach(p -> p.promise().tryFail(ar.cause()));
        } else {
          List<Outcome<O>> outs = ar.result();
          for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i).promise(), outs.get(i));
          }
        }
        drain();
      });
    }
  }

  private static <O> void complete(Promise<O> p, Outcome<O> out) {
    if (out instanceof Outcome.Failed<O> failed) {
      p.tryFail(failed.error());
    } else {
      p.tryComplete(((Outcome.Ok<O>) out).value());
    }
  }
}
