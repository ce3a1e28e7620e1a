package dev.rebound.ledger.claim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  private <T> T onContext(java.util.function.Supplier<T> body) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    vertx.runOnContext(v -> f.complete(body.get()));
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void oneNewTaskWakesOneParkedClaimOfItsStage() throws Exception {
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, java.time.Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    AtomicInteger attempts = new AtomicInteger();
    List<Future<List<JsonObject>>> parked = new ArrayList<>();
    onContext(() -> {
      for (int i = 0; i < 5; i++) {
        parked.add(waiters.await("build", 60_000, () -> {
          attempts.incrementAndGet();
          return Future.succeededFuture(List.of());
        }));
      }
      parked.add(waiters.await("deploy", 60_000, () -> {
        attempts.incrementAndGet();
        return Future.succeededFuture(List.of());
      }));
      waiters.wake("build", 1);
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
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, java.time.Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    JsonObject task = new JsonObject().put("id", "t1");
    Future<List<JsonObject>> first = onContext(() -> waiters.await("build", 60_000, () -> Future.succeededFuture(List.of(task))));
    Future<List<JsonObject>> second = onContext(() -> waiters.await("build", 60_000, () -> Future.succeededFuture(List.of())));
    onContext(() -> {
      waiters.wake("build", 1);
      return null;
    });
    assertThat(first.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).containsExactly(task);
    assertThat(second.isComplete()).isFalse();
    assertThat(onContext(waiters::waiting)).isEqualTo(1);
  }

  @Test
  void tasksClaimedWhileTheWaitEndsAreStillDelivered() throws Exception {
    ClaimWaiters waiters = onContext(() -> new ClaimWaiters(vertx, java.time.Clock.systemUTC(), stage -> Future.succeededFuture(null)));
    Promise<List<JsonObject>> slowClaim = Promise.promise();
    JsonObject task = new JsonObject().put("id", "t1");
    Future<List<JsonObject>> parked = onContext(() -> waiters.await("build", 50, slowClaim::future));
    onContext(() -> {
      waiters.wake("build", 1);  // the claim is now in flight
      return null;
    });
    Thread.sleep(200);  // the 50 ms wait has ended meanwhile
    assertThat(parked.isComplete()).isFalse();
    vertx.runOnContext(v -> slowClaim.complete(List.of(task)));
    assertThat(parked.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).containsExactly(task);
  }
}
