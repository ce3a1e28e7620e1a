package dev.rebound.common.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust for a Rebound served over HTTPS with a certificate of a private CA: an {@link SSLContext} that trusts
 * the certificates of a PEM file (the CA's, or the server's own when self-signed) instead of the JDK's
 * default store. The CLI ({@code --ca-file}) and the worker client's HTTP transport read the file named by
 * {@link #ENV} when nothing else is given.
 */
public final class TrustedCa {
  /** The environment variable naming the PEM file of the CA to trust. */
  public static final String ENV = "REBOUND_CA_FILE";

  private TrustedCa() {
  }

  /** An SSL context trusting exactly the certificates in {@code pemFile}; a bad file is an {@link IllegalArgumentException}. */
  public static SSLContext sslContext(Path pemFile) {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(pemFile)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the CA certificate '" + pemFile + "': " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("'" + pemFile + "' holds no PEM certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context for '" + pemFile + "': " + e.getMessage(), e);
    }
  }

  /** The SSL context of the file {@link #ENV} names in {@code env}, if it is set. */
  public static Optional<SSLContext> fromEnvironment(Map<String, String> env) {
    String file = env.get(ENV);
    return file == null || file.isBlank() ? Optional.empty() : Optional.of(sslContext(Path.of(file.trim())));
  }
}
