package dev.rebound.common.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sweeps never overlap, and stopping waits for the one that is running. */
class PeriodicSweepTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger started = new AtomicInteger();
  private final Promise<Integer> running = Promise.promise();
  private final PeriodicSweep sweep = new PeriodicSweep(vertx, "test sweep", Duration.ofHours(1), () -> {
    started.incrementAndGet();
    return running.future();
  });

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSweepAskedForWhileOneRunsJoinsTheRunningOneInsteadOfStartingASecond() throws Exception {
    Future<Integer> first = sweep.runOnce();
    Future<Integer> second = sweep.runOnce();
    assertThat(started).hasValue(1);
    running.complete(7);
    assertThat(second.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(7);
    assertThat(first.result()).isEqualTo(7);
  }

  @Test
  void stoppingWaitsForTheRunningSweepToFinish() throws Exception {
    sweep.runOnce();
    Future<Void> stopped = sweep.stop();
    assertThat(stopped.isComplete()).isFalse();
    running.complete(3);
    stopped.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(stopped.succeeded()).isTrue();
  }

  @Test
  void aFailedSweepDoesNotFailTheStop() throws Exception {
    sweep.runOnce();
    Future<Void> stopped = sweep.stop();
    running.fail("database down");
    stopped.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(stopped.succeeded()).isTrue();
  }
}
