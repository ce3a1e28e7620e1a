package dev.rebound.common.runtime;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import java.util.Optional;

/**
 * Mutual TLS on the clustered event bus: each member presents {@code cluster.tls.cert-file} (signed by the
 * mesh's CA, {@code cluster.tls.ca-file}) and accepts connections only from peers presenting a certificate
 * of that CA, and connects only to peers that do. A process that joins Hazelcast without such a certificate
 * sees the subscriptions but can neither deliver a message to a member nor receive one from it.
 *
 * <p>Vert.x does not check host names on event-bus connections (members advertise addresses, not names):
 * the CA's signature is the membership proof, so the CA must sign nothing but the mesh's members.
 */
public record ClusterTls(String certFile, String keyFile, String caFile) {

  static final List<ConfigKey<String>> KEYS = List.of(RuntimeKeys.CLUSTER_TLS_CERT_FILE,
      RuntimeKeys.CLUSTER_TLS_KEY_FILE, RuntimeKeys.CLUSTER_TLS_CA_FILE);

  /** The settings' event-bus TLS files, checked; empty when none is set, an error when only some are. */
  public static Optional<ClusterTls> from(Settings settings) {
    PemFiles.allOrNone(settings, KEYS);
    return PemFiles.find(settings, RuntimeKeys.CLUSTER_TLS_CERT_FILE, PemFiles.CERTIFICATE).map(cert -> new ClusterTls(
        cert,
        PemFiles.find(settings, RuntimeKeys.CLUSTER_TLS_KEY_FILE, PemFiles.PRIVATE_KEY).orElseThrow(),
        PemFiles.find(settings, RuntimeKeys.CLUSTER_TLS_CA_FILE, PemFiles.CERTIFICATE).orElseThrow()));
  }

  /** TLS on both sides of the event-bus transport, a client certificate required. */
  public EventBusOptions applyTo(EventBusOptions options) {
    options.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile))
        .setTrustOptions(new PemTrustOptions().addCertPath(caFile))
        .setClientAuth(ClientAuth.REQUIRED);
    return options;
  }
}
