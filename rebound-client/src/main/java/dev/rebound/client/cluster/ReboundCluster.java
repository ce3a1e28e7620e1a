package dev.rebound.client.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.File;
import java.io.FileNotFoundException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins a user's application to Rebound's cluster in one call: a clustered Vert.x whose Hazelcast member is
 * configured from the same {@code cluster.*} settings and {@code REBOUND_CLUSTER_*} variables as the services
 * (name, members with their ports, the advertised host, the bound interface, the event-bus host and port).
 *
 * <pre>{@code
 * ReboundCluster.join()                                   // REBOUND_CLUSTER_* from the environment
 *     .compose(vertx -> ReboundWorker.builder(vertx, LedgerTransport.eventBus(vertx))…);
 * ReboundCluster.join(Map.of("cluster.members", "10.0.0.11:5701,10.0.0.12:5701", "cluster.host", "10.0.0.20"));
 * }</pre>
 *
 * <p>Precedence as for a service: the defaults below &lt; {@code settings} &lt; the environment. Keys:
 * {@code cluster.name} ({@code rebound}), {@code cluster.members} ({@code 127.0.0.1}; {@code host[:port]}, comma
 * separated), {@code cluster.host} ({@code 127.0.0.1}, advertised), {@code cluster.port} ({@code 5701},
 * auto-increments), {@code cluster.bus-host} ({@code cluster.host}), {@code cluster.bus-port} ({@code 0}),
 * {@code cluster.join-wait} ({@code 2s}), {@code cluster.bind-any} ({@code false} on loopback, else {@code true}),
 * {@code cluster.config-file} (a Hazelcast XML/YAML file instead), {@code cluster.tls.cert-file},
 * {@code cluster.tls.key-file} and {@code cluster.tls.ca-file} (the event bus over mutual TLS: when the services
 * use them, a member without a certificate of the mesh's CA cannot exchange messages with them). The services build the same member
 * configuration in mesh-runtime's {@code ReboundVertx}; a test keeps the two in step (this module may not depend
 * on the services' runtime).
 */
public final class ReboundCluster {
  public static final String NAME = "cluster.name";
  public static final String MEMBERS = "cluster.members";
  public static final String HOST = "cluster.host";
  public static final String PORT = "cluster.port";
  public static final String BUS_HOST = "cluster.bus-host";
  public static final String BUS_PORT = "cluster.bus-port";
  public static final String JOIN_WAIT = "cluster.join-wait";
  public static final String BIND_ANY = "cluster.bind-any";
  public static final String CONFIG_FILE = "cluster.config-file";
  public static final String TLS_CERT_FILE = "cluster.tls.cert-file";
  public static final String TLS_KEY_FILE = "cluster.tls.key-file";
  public static final String TLS_CA_FILE = "cluster.tls.ca-file";
  private static final List<String> TLS_KEYS = List.of(TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE);
  private static final Set<String> KEYS = Set.of(NAME, MEMBERS, HOST, PORT, BUS_HOST, BUS_PORT, JOIN_WAIT, BIND_ANY,
      CONFIG_FILE, TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE);
  private static final Map<String, String> DEFAULTS = Map.of(NAME, "rebound", MEMBERS, "127.0.0.1", HOST, "127.0.0.1",
      PORT, "5701", BUS_PORT, "0", JOIN_WAIT, "2s");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

  private ReboundCluster() {
  }

  /** Joins with the {@code REBOUND_CLUSTER_*} variables (and the defaults). */
  public static Future<Vertx> join() {
    return join(Map.of());
  }

  /** Joins with {@code settings} ({@code cluster.*} keys), overridden by the {@code REBOUND_CLUSTER_*} variables. */
  public static Future<Vertx> join(Map<String, String> settings) {
    return join(settings, System.getenv());
  }

  /** {@link #join(Map)} with the environment given, for tests. */
  static Future<Vertx> join(Map<String, String> settings, Map<String, String> env) {
    Map<String, String> s;
    Config config;
    EventBusOptions bus;
    try {
      s = resolve(settings, env);
      config = hazelcastConfig(s);
      bus = eventBusOptions(s);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(bus))
        .withClusterManager(new HazelcastClusterManager(config)).buildClustered();
  }

  /**
   * The event-bus transport of resolved settings: its host and port, and with the three {@code cluster.tls.*}
   * files mutual TLS as the services run it (this member's certificate, the mesh's CA as the only issuer
   * trusted, a client certificate required).
   */
  public static EventBusOptions eventBusOptions(Map<String, String> s) {
    EventBusOptions bus = new EventBusOptions()
        .setHost(s.getOrDefault(BUS_HOST, s.get(HOST)))
        .setPort(integer(s, BUS_PORT, 0, 65535));
    List<String> set = TLS_KEYS.stream().filter(s::containsKey).toList();
    if (set.isEmpty()) {
      return bus;
    }
    if (set.size() < TLS_KEYS.size()) {
      throw new IllegalArgumentException("incomplete event-bus TLS: " + set + " set, but not "
          + TLS_KEYS.stream().filter(k -> !set.contains(k)).map(k -> k + " (" + envVar(k) + ")").toList()
          + "; set all of " + TLS_KEYS + " or none");
    }
    for (String key : TLS_KEYS) {
      if (!Files.isReadable(Path.of(s.get(key)))) {
        throw new IllegalArgumentException(key + " (" + envVar(key) + "): cannot read '" + s.get(key) + "'");
      }
    }
    return bus.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(s.get(TLS_CERT_FILE)).setKeyPath(s.get(TLS_KEY_FILE)))
        .setTrustOptions(new PemTrustOptions().addCertPath(s.get(TLS_CA_FILE)))
        .setClientAuth(ClientAuth.REQUIRED);
  }

  /** The settings in effect: defaults, then {@code settings}, then the environment; an unknown key is refused. */
  public static Map<String, String> resolve(Map<String, String> settings, Map<String, String> env) {
    Map<String, String> s = new HashMap<>(DEFAULTS);
    settings.forEach((k, v) -> {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown setting '" + k + "': expected one of " + new java.util.TreeSet<>(KEYS));
      }
      if (v != null && !v.isBlank()) {
        s.put(k, v.trim());
      }
    });
    for (String k : KEYS) {
      String v = env.get(envVar(k));
      if (v != null && !v.isBlank()) {
        s.put(k, v.trim());
      }
    }
    return s;
  }

  /** The variable a key is read from: {@code cluster.bus-host} → {@code REBOUND_CLUSTER_BUS_HOST}. */
  public static String envVar(String key) {
    return "REBOUND_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The Hazelcast member configuration of resolved settings (see {@link #resolve}). */
  public static Config hazelcastConfig(Map<String, String> s) {
    String name = s.get(NAME);
    String configFile = s.get(CONFIG_FILE);
    Config config;
    if (configFile != null && !configFile.isBlank()) {
      try {
        config = Config.loadFromFile(new File(configFile));
      } catch (FileNotFoundException | RuntimeException e) {
        throw new IllegalArgumentException("cannot load the Hazelcast configuration '" + configFile + "' ("
            + envVar(CONFIG_FILE) + "): " + e.getMessage(), e);
      }
    } else {
      config = new Config();
      config.setClusterName(name);
      String address = address(s.get(HOST));
      NetworkConfig network = config.getNetworkConfig();
      network.setPort(integer(s, PORT, 1, 65535)).setPortAutoIncrement(true);
      network.setPublicAddress(address);
      config.setProperty("hazelcast.local.localAddress", address);
      boolean bindAny = s.containsKey(BIND_ANY) ? bool(s, BIND_ANY) : !loopback(address);
      config.setProperty("hazelcast.socket.bind.any", Boolean.toString(bindAny));
      JoinConfig join = network.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(members(s.get(MEMBERS)));
      long joinWaitSeconds = Math.max(1, duration(s, JOIN_WAIT).toSeconds());
      config.setProperty("hazelcast.wait.seconds.before.join", Long.toString(joinWaitSeconds));
      config.setProperty("hazelcast.max.wait.seconds.before.join", Long.toString(joinWaitSeconds * 2));
    }
    // what vertx-hazelcast's default-cluster.xml sets, for the event-bus subscription maps
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.getMapConfig("__vertx.haInfo").setBackupCount(1);
    config.getMapConfig("__vertx.nodeInfo").setBackupCount(1);
    config.setInstanceName("rebound-client-" + name + "-" + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    return config;
  }

  private static List<String> members(String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  private static String address(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cluster.host (" + envVar(HOST) + "): '" + host
          + "' does not resolve; expected an IP address or a resolvable host name", e);
    }
  }

  private static boolean loopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static int integer(Map<String, String> s, String key, int min, int max) {
    try {
      int v = Integer.parseInt(s.get(key));
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " (" + envVar(key) + "): got '" + s.get(key) + "', expected an integer "
        + min + ".." + max);
  }

  private static boolean bool(Map<String, String> s, String key) {
    return switch (s.get(key).toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(key + " (" + envVar(key) + "): got '" + s.get(key)
          + "', expected true, false, yes, no, 1 or 0");
    };
  }

  private static Duration duration(Map<String, String> s, String key) {
    Matcher m = DURATION.matcher(s.get(key).toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(key + " (" + envVar(key) + "): got '" + s.get(key)
          + "', expected a duration such as 1500, 500ms, 2s, 1m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "ms" : m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofMillis(n);
    };
  }
}
