package dev.rebound.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The local breaker's rules on a clock the test moves (its futures complete at once: no event loop needed). */
class DependencyBreakerTest {
  final MutableClock clock = new MutableClock();
  final DependencyBreaker breaker = new DependencyBreaker("db",
      new BreakerSettings(5, Duration.ofSeconds(10), 4, 0.5, Duration.ofSeconds(30)), clock);

  void call(boolean ok) {
    breaker.call(() -> ok ? Future.succeededFuture() : Future.failedFuture(new IllegalStateException("down")));
  }

  @Test
  void halfOfTheCallsInTheWindowFailingOpensItWithoutFiveInARow() {
    call(false);
    call(true);
    call(false);
    assertThat(breaker.state()).isEqualTo(DependencyBreaker.State.CLOSED);
    call(true);
    assertThat(breaker.state()).isEqualTo(DependencyBreaker.State.CLOSED);
    call(false);
    assertThat(breaker.state()).isEqualTo(DependencyBreaker.State.OPEN);
  }

  @Test
  void callsOlderThanTheWindowNoLongerCount() {
    call(false);
    call(false);
    clock.advance(Duration.ofSeconds(11));
    call(true);
    call(true);
    call(false);
    assertThat(breaker.state()).isEqualTo(DependencyBreaker.State.CLOSED);
  }

  @Test
  void afterTheOpenTimeOneProbeGoesThroughAndItsSuccessClosesTheCircuit() {
    for (int i = 0; i < 5; i++) {
      call(false);
    }
    assertThat(breaker.state()).isEqualTo(DependencyBreaker.State.OPEN);
    clock.advance(Duration.ofSeconds(31));
    Promise<Void> probe = Promise.promise();
    breaker.call(probe::future);
    Future<Object> second = breaker.call(Future::succeededFuture);
    assertThat(second.cause()).isInstanceOf(CircuitOpenException.class).hasMessageContaining("HALF_OPEN");
    probe.complete();
    assertThat(breaker.state()).isEqualTo(DependencyBreaker.State.CLOSED);
  }

  @Test
  void aForcedOpenFromTheClusterHoldsUntilTheClusterClosesIt() {
    breaker.adopt("FORCED_OPEN", "held by an operator");
    clock.advance(Duration.ofHours(1));
    assertThat(breaker.call(Future::succeededFuture).cause()).hasMessageContaining("FORCED_OPEN (held by an operator)");
    breaker.adopt("CLOSED", null);
    assertThat(breaker.call(Future::succeededFuture).succeeded()).isTrue();
  }
}
