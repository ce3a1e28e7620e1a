package dev.rebound.common.runtime;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.File;
import java.io.FileNotFoundException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.WeakHashMap;

/**
 * Builds the Vert.x instance of a Rebound service: Micrometer metrics with a Prometheus registry of
 * its own, and, when {@code cluster.enabled}, a Hazelcast cluster manager configured in code from
 * {@link Settings} (TCP-IP members, no multicast, loopback-friendly).
 *
 * <p>Keys: the {@code metrics.*}, {@code vertx.*} and {@code cluster.*} keys of {@link RuntimeKeys}, and
 * {@code http.tls.*} and {@code http.event-loops}, kept with the instance for its HTTP servers ({@link #httpTls},
 * {@link #httpEventLoops}). With
 * {@code cluster.tls.*} the event bus runs over mutual TLS ({@link ClusterTls}).
 *
 * <p>Every call builds its own registry and its own Hazelcast member, so several instances can
 * live in one JVM (tests, {@code rebound run}).
 */
public final class ReboundVertx {

  /** Keyed by identity; entries go away with their Vert.x instance. */
  private static final Map<Vertx, PrometheusMeterRegistry> REGISTRIES =
      Collections.synchronizedMap(new WeakHashMap<>());
  /** The HTTPS files of an instance built with {@code http.tls.*}, for every HTTP server it runs. */
  private static final Map<Vertx, HttpTls> HTTP_TLS = Collections.synchronizedMap(new WeakHashMap<>());
  /** The {@code http.event-loops} of an instance built here. */
  private static final Map<Vertx, Integer> HTTP_EVENT_LOOPS = Collections.synchronizedMap(new WeakHashMap<>());

  static {
    LoggingSetup.apply();
  }

  private ReboundVertx() {
  }

  /** A Vert.x instance per the settings: clustered when {@code cluster.enabled}. */
  public static Future<Vertx> create(Settings settings) {
    try {
      return build(settings);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** A local (non-clustered) instance with metrics, for tests and tools. */
  public static Future<Vertx> createLocal() {
    return create(Settings.empty().withOverrides(Map.of(RuntimeKeys.CLUSTER_ENABLED.name(), "false")));
  }

  /**
   * The HTTPS files of an instance built here with {@code http.tls.cert-file} and {@code http.tls.key-file}:
   * every HTTP server of the process serves HTTPS with them ({@code ServiceHttpServer}).
   */
  public static Optional<HttpTls> httpTls(Vertx vertx) {
    return Optional.ofNullable(HTTP_TLS.get(vertx));
  }

  /**
   * How many event loops serve each HTTP port of the instance ({@code ServiceHttpServer}): its {@code http.event-loops}
   * when built here, else 1.
   */
  public static int httpEventLoops(Vertx vertx) {
    Integer n = HTTP_EVENT_LOOPS.get(vertx);
    return n == null ? 1 : n;
  }

  /** The Prometheus registry of an instance built here, if metrics are enabled. */
  public static Optional<PrometheusMeterRegistry> registry(Vertx vertx) {
    return Optional.ofNullable(REGISTRIES.get(vertx));
  }

  private static Future<Vertx> build(Settings settings) {
    Optional<HttpTls> httpTls = HttpTls.from(settings);
    int httpEventLoops = settings.get(RuntimeKeys.HTTP_EVENT_LOOPS);
    VertxOptions options = new VertxOptions()
        .setWorkerPoolSize(settings.get(RuntimeKeys.VERTX_WORKER_POOL_SIZE));
    int eventLoops = settings.get(RuntimeKeys.VERTX_EVENT_LOOPS);
    if (eventLoops > 0) {
      options.setEventLoopPoolSize(eventLoops);
    }
    VertxBuilder builder = Vertx.builder();

    PrometheusMeterRegistry registry = null;
    if (settings.get(RuntimeKeys.METRICS_ENABLED)) {
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      // Vert.x keeps registries in a static map by name: a unique name keeps instances apart.
      options.setMetricsOptions(new MicrometerMetricsOptions()
          .setEnabled(true)
          .setRegistryName("rebound-" + UUID.randomUUID())
          // per-address event-bus metrics (rebound.failures, rebound.ledger…) and per-route HTTP metrics
          .addLabels(Label.EB_ADDRESS)
          .addLabels(Label.HTTP_ROUTE)
          .setJvmMetricsEnabled(settings.get(RuntimeKeys.METRICS_JVM)));
      builder.withMetrics(new MicrometerMetricsFactory(registry));
    }

    boolean clustered = settings.get(RuntimeKeys.CLUSTER_ENABLED);
    Future<Vertx> vertx;
    if (clustered) {
      String host = settings.get(RuntimeKeys.CLUSTER_HOST);
      EventBusOptions bus = new EventBusOptions()
          .setHost(settings.find(RuntimeKeys.CLUSTER_BUS_HOST).orElse(host))
          .setPort(settings.get(RuntimeKeys.CLUSTER_BUS_PORT));
      ClusterTls.from(settings).ifPresent(tls -> tls.applyTo(bus));
      options.setEventBusOptions(bus);
      HazelcastClusterManager clusterManager = new HazelcastClusterManager(hazelcastConfig(settings));
      vertx = builder.with(options).withClusterManager(clusterManager).buildClustered();
    } else {
      vertx = Future.succeededFuture(builder.with(options).build());
    }
    PrometheusMeterRegistry reg = registry;
    return vertx.onSuccess(v -> {
      if (reg != null) {
        REGISTRIES.put(v, reg);
      }
      httpTls.ifPresent(tls -> HTTP_TLS.put(v, tls));
      HTTP_EVENT_LOOPS.put(v, httpEventLoops);
    });
  }

  private static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("cluster.host", "Invalid configuration 'cluster.host' (env "
          + Settings.envVar("cluster.host") + "): got '" + host
          + "', which does not resolve; expected an IP address or a resolvable host name", e);
    }
  }

  private static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The Hazelcast member configuration, built in code from the {@code cluster.*} keys. rebound-client's
   * {@code ReboundCluster} builds the same for users' applications; {@code ReboundClusterTest} keeps them in step.
   */
  public static Config hazelcastConfig(Settings settings) {
    String name = settings.get(RuntimeKeys.CLUSTER_NAME);
    String configFile = settings.find(RuntimeKeys.CLUSTER_CONFIG_FILE).orElse("");
    Config config;
    if (!configFile.isBlank()) {
      try {
        config = Config.loadFromFile(new File(configFile));
      } catch (FileNotFoundException | RuntimeException e) {
        throw new ConfigException("cluster.config-file", "Invalid configuration 'cluster.config-file' (env "
            + Settings.envVar("cluster.config-file") + "): cannot load Hazelcast configuration '"
            + configFile + "': " + e.getMessage(), e);
      }
    } else {
      config = new Config();
      config.setClusterName(name);
      String host = settings.get(RuntimeKeys.CLUSTER_HOST);
      int port = settings.get(RuntimeKeys.CLUSTER_PORT);
      List<String> members = settings.get(RuntimeKeys.CLUSTER_MEMBERS);

      String address = resolve(host);
      boolean loopback = isLoopback(address);
      NetworkConfig network = config.getNetworkConfig();
      network.setPort(port).setPortAutoIncrement(true);
      // Advertise the configured host (resolved, so a compose service name works); the bound
      // port is appended by Hazelcast.
      network.setPublicAddress(address);
      config.setProperty("hazelcast.local.localAddress", address);
      // On loopback (dev, tests) do not listen on every interface.
      config.setProperty("hazelcast.socket.bind.any",
          Boolean.toString(settings.find(RuntimeKeys.CLUSTER_BIND_ANY).orElse(!loopback)));
      JoinConfig join = network.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
      long joinWaitSeconds = Math.max(1, settings.get(RuntimeKeys.CLUSTER_JOIN_WAIT).toSeconds());
      config.setProperty("hazelcast.wait.seconds.before.join", Long.toString(joinWaitSeconds));
      config.setProperty("hazelcast.max.wait.seconds.before.join", Long.toString(joinWaitSeconds * 2));
    }
    // What vertx-hazelcast's default-cluster.xml sets, for the event-bus subscription maps.
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.getMapConfig("__vertx.haInfo").setBackupCount(1);
    config.getMapConfig("__vertx.nodeInfo").setBackupCount(1);

    config.setInstanceName("rebound-" + name + "-" + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Our own shutdown hook leaves the cluster after the verticles are undeployed.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    return config;
  }
}
