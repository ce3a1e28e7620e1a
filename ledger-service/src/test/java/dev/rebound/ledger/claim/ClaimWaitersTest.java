package dev.rebound.ledger.claim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Parked claims are woken only as far as there is work: no thundering herd on one enqueue. */
class ClaimWaitersTest {
  Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code body} on one context and waits for it (ClaimWaiters is confined to its context). */
  private <T> T onContext(Supplier<T> body) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    vertx.runOnContext(v -> f.complete(body.get()));
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void oneNewTaskWakesOneParkedClaimOfItsStage() throws Exception {
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    AtomicInteger attempts = new AtomicInteger();
    List<Future<List<JsonObject>>> parked = new ArrayList<>();
    onContext(() -> {
      for (int i = 0; i < 5; i++) {
        parked.add(waiters.await("build", null, 60_000, () -> {
          attempts.incrementAndGet();
          return Future.succeededFuture(List.of());
        }));
      }
      parked.add(waiters.await("deploy", null, 60_000, () -> {
        attempts.incrementAndGet();
        return Future.succeededFuture(List.of());
      }));
      waiters.wake("build", null, 1);
      return null;
    });
    assertThat(attempts.get()).isEqualTo(1);
    onContext(() -> {
      waiters.wake("build");
      return null;
    });
    assertThat(attempts.get()).as("an unknown amount of work wakes every waiter of the stage").isEqualTo(6);
    onContext(() -> {
      waiters.releaseAll();
      return null;
    });
    for (Future<List<JsonObject>> f : parked) {
      assertThat(f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
    }
  }

  @Test
  void aClaimThatFindsWorkIsAnsweredAndLeavesTheOthersWaiting() throws Exception {
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    JsonObject task = new JsonObject().put("id", "t1");
    Future<List<JsonObject>> first = onContext(() -> waiters.await("build", null, 60_000, () -> Future.succeededFuture(List.of(task))));
    Future<List<JsonObject>> second = onContext(() -> waiters.await("build", null, 60_000, () -> Future.succeededFuture(List.of())));
    onContext(() -> {
      waiters.wake("build", null, 1);
      return null;
    });
    assertThat(first.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).containsExactly(task);
    assertThat(second.isComplete()).isFalse();
    assertThat(onContext(waiters::waiting)).isEqualTo(1);
  }

  @Test
  void aTypedTaskWakesOnlyAWaiterThatCanClaimIt() throws Exception {
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    AtomicInteger pdfAttempts = new AtomicInteger();
    AtomicInteger anyAttempts = new AtomicInteger();
    onContext(() -> {
      waiters.await("render", "pdf", 60_000, () -> {
        pdfAttempts.incrementAndGet();
        return Future.succeededFuture(List.of());
      });
      waiters.await("render", null, 60_000, () -> {
        anyAttempts.incrementAndGet();
        return Future.succeededFuture(List.of());
      });
      waiters.wake("render", "png", 1);  // the pdf waiter, older, cannot take a png task
      return null;
    });
    assertThat(pdfAttempts.get()).isZero();
    assertThat(anyAttempts.get()).isEqualTo(1);
    onContext(() -> {
      waiters.releaseAll();
      return null;
    });
  }

  @Test
  void aWaiterToldOfMoreWorkWhileBusyPassesTheNewsOnWhenItFinishes() throws Exception {
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    Promise<List<JsonObject>> aClaim = Promise.promise();
    Promise<List<JsonObject>> bFirstClaim = Promise.promise();
    AtomicInteger bAttempts = new AtomicInteger();
    JsonObject t1 = new JsonObject().put("id", "t1");
    Future<List<JsonObject>> a = onContext(() -> {
      Future<List<JsonObject>> f = waiters.await("build", null, 60_000, aClaim::future);
      waiters.await("build", null, 60_000, () -> bAttempts.incrementAndGet() == 1
          ? bFirstClaim.future() : Future.succeededFuture(List.of()));
      waiters.wake("build", null, 2);  // both start claiming
      waiters.wake("build", null, 1);  // a second task while both are busy: A (the oldest) is told
      return f;
    });
    // A finishes with t1 without having looked again for the second task: the news goes to B
    vertx.runOnContext(v -> aClaim.complete(List.of(t1)));
    assertThat(a.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).containsExactly(t1);
    vertx.runOnContext(v -> bFirstClaim.complete(List.of()));
    long deadline = System.currentTimeMillis() + 10_000;
    while (bAttempts.get() < 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertThat(bAttempts.get()).as("B looked again for the second task").isEqualTo(2);
  }

  @Test
  void tasksClaimedWhileTheWaitEndsAreStillDelivered() throws Exception {
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    Promise<List<JsonObject>> slowClaim = Promise.promise();
    JsonObject task = new JsonObject().put("id", "t1");
    // parked and woken in one go, so the 50 ms wait cannot end before the claim is in flight
    Future<List<JsonObject>> parked = onContext(() -> {
      Future<List<JsonObject>> f = waiters.await("build", null, 50, slowClaim::future);
      waiters.wake("build", null, 1);
      return f;
    });
    Thread.sleep(200);  // the 50 ms wait has ended meanwhile
    assertThat(parked.isComplete()).isFalse();
    vertx.runOnContext(v -> slowClaim.complete(List.of(task)));
    assertThat(parked.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).containsExactly(task);
  }
}
