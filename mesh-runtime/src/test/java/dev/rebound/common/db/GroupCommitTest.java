package dev.rebound.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Requests that arrive together are written together, and one bad request never fails its neighbours. */
class GroupCommitTest {

  @Test
  void aBatchThatFailsForAnyOtherReasonFailsAsItIsWithoutRetries() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<List<String>> statements = new ArrayList<>();
      CompletableFuture<List<Future<String>>> submitted = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        Promise<List<Outcome<String>>> first = Promise.promise();
        GroupCommit<String, String> commit = new GroupCommit<>(100, 1, batch -> {
          statements.add(batch);
          return batch.size() == 1 && batch.get(0).equals("first") ? first.future()
              : Future.failedFuture(new IllegalStateException("connection closed"));
        }, t -> t.getMessage().equals("22P05"));
        List<Future<String>> results = new ArrayList<>(List.of(commit.submit("first"), commit.submit("a"), commit.submit("b")));
        first.complete(List.of(Outcome.ok("first ok")));
        submitted.complete(results);
      });
      List<Future<String>> results = submitted.get(10, TimeUnit.SECONDS);
      for (Future<String> f : results) {
        f.toCompletionStage().toCompletableFuture().handle((ok, err) -> ok).get(10, TimeUnit.SECONDS);
      }
      assertThat(results.get(1).failed()).isTrue();
      assertThat(results.get(2).failed()).isTrue();
      assertThat(statements).containsExactly(List.of("first"), List.of("a", "b"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void requestsArrivingWhileABatchIsInFlightAreWrittenTogetherAndAPoisonedBatchIsRetriedOneByOne() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<List<String>> statements = new ArrayList<>();
      List<Promise<List<Outcome<String>>>> pending = new ArrayList<>();
      CompletableFuture<List<Future<String>>> submitted = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        GroupCommit<String, String> commit = new GroupCommit<>(100, 1, batch -> {
          statements.add(batch);
          if (batch.contains("poison") && batch.size() > 1) {
            return Future.failedFuture(new IllegalStateException("22P05"));  // the whole statement fails
          }
          if (batch.equals(List.of("poison"))) {
            return Future.failedFuture(new IllegalStateException("22P05"));
          }
          if (batch.equals(List.of("first"))) {
            Promise<List<Outcome<String>>> p = Promise.promise();  // keep the first batch in flight
            pending.add(p);
            return p.future();
          }
          return Future.succeededFuture(batch.stream().map(s -> Outcome.ok(s + " ok")).toList());
        }, t -> t.getMessage().equals("22P05"));
        List<Future<String>> results = new ArrayList<>();
        results.add(commit.submit("first"));
        results.add(commit.submit("a"));
        results.add(commit.submit("poison"));
        results.add(commit.submit("b"));
        pending.get(0).complete(List.of(Outcome.ok("first ok")));
        submitted.complete(results);
      });
      List<Future<String>> results = submitted.get(10, TimeUnit.SECONDS);
      for (Future<String> f : results) {
        f.toCompletionStage().toCompletableFuture().handle((ok, err) -> ok).get(10, TimeUnit.SECONDS);
      }
      assertThat(results.get(0).result()).isEqualTo("first ok");
      assertThat(results.get(1).result()).isEqualTo("a ok");
      assertThat(results.get(2).failed()).isTrue();
      assertThat(results.get(3).result()).isEqualTo("b ok");
      // one statement for the first, one for the three that queued behind it, then each alone
      assertThat(statements).containsExactly(List.of("first"), List.of("a", "poison", "b"), List.of("a"), List.of("poison"),
          List.of("b"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void onceTheOldestWaitingWriteHasWaitedMaxQueueWaitNewOnesAreRefusedAtOnceUntilTheBacklogClearsButNotThoseFinishingAdmittedWork() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<List<String>> statements = new ArrayList<>();
      List<Promise<List<Outcome<String>>>> held = new ArrayList<>();
      CompletableFuture<List<Future<String>>> submitted = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        // a count bound far away: only the age of the backlog can refuse here
        GroupCommit<String, String> commit = new GroupCommit<>(100, 1, 1000, Duration.ofMillis(100), batch -> {
          statements.add(batch);
          Promise<List<Outcome<String>>> p = Promise.promise();  // every batch stays in flight until released
          held.add(p);
          return p.future();
        }, t -> false);
        List<Future<String>> results = new ArrayList<>();
        results.add(commit.submit("first"));  // in flight
        results.add(commit.submit("a"));      // waits behind it
        results.add(commit.submit("b"));      // "a" has not waited long: admitted
        vertx.setTimer(300, t -> {
          results.add(commit.submit("late"));  // "a" has waited 300 ms > 100 ms: refused at once
          results.add(commit.submitAdmitted("finishing"));  // finishes admitted work: the age does not refuse it
          held.get(0).complete(List.of(Outcome.ok("first ok")));  // the backlog goes out as one batch
          results.add(commit.submit("after"));  // nothing waits any more: admitted
          held.get(1).complete(List.of(Outcome.ok("a ok"), Outcome.ok("b ok"), Outcome.ok("finishing ok")));
          held.get(2).complete(List.of(Outcome.ok("after ok")));
          submitted.complete(results);
        });
      });
      List<Future<String>> results = submitted.get(10, TimeUnit.SECONDS);
      for (Future<String> f : results) {
        f.toCompletionStage().toCompletableFuture().handle((ok, err) -> ok).get(10, TimeUnit.SECONDS);
      }
      assertThat(results.get(0).result()).isEqualTo("first ok");
      assertThat(results.get(1).result()).isEqualTo("a ok");
      assertThat(results.get(2).result()).isEqualTo("b ok");
      assertThat(results.get(3).failed()).isTrue();
      assertThat(results.get(3).cause()).isInstanceOfSatisfying(ReboundException.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(e.details().getInteger("retryAfterSeconds")).isEqualTo(1);
      });
      assertThat(results.get(4).result()).isEqualTo("finishing ok");
      assertThat(results.get(5).result()).isEqualTo("after ok");
      assertThat(statements).containsExactly(List.of("first"), List.of("a", "b", "finishing"), List.of("after"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
