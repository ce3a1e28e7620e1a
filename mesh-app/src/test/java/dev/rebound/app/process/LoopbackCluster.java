package dev.rebound.app.process;

import dev.rebound.common.runtime.ReboundVertx;
import dev.rebound.common.runtime.Settings;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A Hazelcast cluster of its own on loopback (a fresh name, free ports, multicast off): members are
 * clustered Vert.x instances in this JVM ({@link #member}) or the settings of a service in a JVM of
 * its own ({@link #processSettings}).
 */
public final class LoopbackCluster {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private final String name;
  private final List<Integer> ports = new ArrayList<>();

  private LoopbackCluster(String prefix, int members) {
    this.name = prefix + "-" + UUID.randomUUID();
    for (int i = 0; i < members; i++) {
      ports.add(freePort());
    }
  }

  /** A cluster of {@code members} seats; each member takes one. */
  public static LoopbackCluster of(String prefix, int members) {
    return new LoopbackCluster(prefix, members);
  }

  /** The cluster settings every member shares (the member's own port is added by {@link #member}). */
  Map<String, String> shared() {
    Map<String, String> s = new HashMap<>();
    s.put("cluster.enabled", "true");
    s.put("cluster.name", name);
    s.put("cluster.host", "127.0.0.1");
    s.put("cluster.members", ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    s.put("cluster.join-wait", "1s");
    s.put("metrics.jvm", "false");
    s.put("vertx.event-loops", "2");
    return s;
  }

  /** Settings of seat {@code seat} with {@code overrides}. */
  Settings settings(int seat, Map<String, String> overrides) {
    Map<String, String> s = new HashMap<>(shared());
    s.putAll(overrides);
    s.put("cluster.port", Integer.toString(ports.get(seat)));
    return Settings.empty().withOverrides(s);
  }

  /** A clustered Vert.x in this JVM on seat {@code seat}. */
  Vertx member(int seat) {
    return BoundedWait.await(ReboundVertx.create(settings(seat, Map.of())), LIMIT, "cluster member " + seat);
  }

  /** The settings a service in another JVM joins with on seat {@code seat}. */
  public Map<String, String> processSettings(int seat) {
    Map<String, String> s = new HashMap<>(shared());
    s.put("cluster.port", Integer.toString(ports.get(seat)));
    return s;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
