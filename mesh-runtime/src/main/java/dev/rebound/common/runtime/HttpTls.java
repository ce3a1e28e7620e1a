package dev.rebound.common.runtime;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;
import java.util.Optional;

/**
 * HTTPS for every HTTP port of a process (a service's own, {@code rebound run}'s): a PEM certificate
 * (chain) and its private key, from {@code http.tls.cert-file} and {@code http.tls.key-file}. With both
 * set the port speaks HTTPS only; a plain request gets no answer.
 */
public record HttpTls(String certFile, String keyFile) {

  /** The settings' HTTPS files, checked; empty when neither is set, an error when only one is. */
  public static Optional<HttpTls> from(Settings settings) {
    PemFiles.allOrNone(settings, List.of(RuntimeKeys.HTTP_TLS_CERT_FILE, RuntimeKeys.HTTP_TLS_KEY_FILE));
    return PemFiles.find(settings, RuntimeKeys.HTTP_TLS_CERT_FILE, PemFiles.CERTIFICATE).map(cert -> new HttpTls(cert,
        PemFiles.find(settings, RuntimeKeys.HTTP_TLS_KEY_FILE, PemFiles.PRIVATE_KEY).orElseThrow()));
  }

  /** Server options serving HTTPS with these files. */
  public HttpServerOptions serverOptions() {
    return new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
  }
}
