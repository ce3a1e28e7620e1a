package dev.rebound.client;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The worker's local breakers, one per dependency name, created on first use. The worker feeds them
 * the cluster's transitions of {@code dependency:<name>} from {@code rebound.events.circuits}.
 */
public final class DependencyBreakers {
  public static final String PREFIX = "dependency:";

  private final Map<String, DependencyBreaker> breakers = new ConcurrentHashMap<>();
  private final BreakerSettings settings;
  private final Clock clock;

  DependencyBreakers(BreakerSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  public DependencyBreaker breaker(String dependency) {
    return breakers.computeIfAbsent(dependency, name -> new DependencyBreaker(name, settings, clock));
  }

  public DependencyBreaker.State state(String dependency) {
    DependencyBreaker b = breakers.get(dependency);
    return b == null ? DependencyBreaker.State.CLOSED : b.state();
  }

  public <T> Future<T> call(String dependency, Supplier<Future<T>> call) {
    return breaker(dependency).call(call);
  }

  void adopt(String dependency, String clusterState, String reason) {
    breaker(dependency).adopt(clusterState, reason);
  }
}
