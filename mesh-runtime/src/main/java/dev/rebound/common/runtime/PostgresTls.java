package dev.rebound.common.runtime;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * TLS to PostgreSQL as libpq does it: {@code pg.ssl-mode} ({@code PGSSLMODE}) and {@code pg.ssl-root-cert}
 * ({@code PGSSLROOTCERT}, else {@code ~/.postgresql/root.crt} when it exists).
 *
 * <ul>
 *   <li>{@code disable}: plain. {@code allow}: plain, TLS if the server insists. {@code prefer}: TLS if the server
 *       offers it, else plain. {@code require}: TLS or no connection.
 *   <li>Without a root certificate, {@code allow}, {@code prefer} and {@code require} encrypt without checking
 *       who answers (libpq's behaviour); with one, they check the server's certificate against it, as
 *       {@code verify-ca} does.
 *   <li>{@code verify-ca} checks the chain against the root certificate; {@code verify-full} also the host name
 *       ({@code pg.host} must be in the certificate). Both need a root certificate.
 * </ul>
 *
 * <p>{@link #explain} turns the driver's TLS failures into a {@link ConfigException} that says what is wrong
 * and which setting to change, so a refused start prints one sentence instead of a stack trace.
 */
public final class PostgresTls {
  private static final Path LIBPQ_DEFAULT_ROOT_CERT = Path.of(System.getProperty("user.home", "/"),
      ".postgresql", "root.crt");

  private PostgresTls() {
  }

  /** Applies {@code pg.ssl-mode} and the root certificate to {@code options}. */
  static PgConnectOptions apply(Settings settings, PgConnectOptions options) {
    String word = settings.get(RuntimeKeys.PG_SSL_MODE);
    SslMode mode = SslMode.of(word);
    options.setSslMode(mode);
    if (mode == SslMode.DISABLE) {
      return options;
    }
    Optional<String> rootCert = PemFiles.find(settings, RuntimeKeys.PG_SSL_ROOT_CERT, PemFiles.CERTIFICATE)
        .or(() -> Files.isReadable(LIBPQ_DEFAULT_ROOT_CERT) ? Optional.of(LIBPQ_DEFAULT_ROOT_CERT.toString())
            : Optional.empty());
    ClientSSLOptions ssl = new ClientSSLOptions();
    if (rootCert.isPresent()) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(rootCert.get()));
    } else if (mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL) {
      throw new ConfigException(RuntimeKeys.PG_SSL_ROOT_CERT.name(), "Invalid configuration '"
          + RuntimeKeys.PG_SSL_MODE.name() + "': '" + word + "' checks PostgreSQL's certificate against a root "
          + "certificate, and none is set: set " + RuntimeKeys.PG_SSL_ROOT_CERT.name() + " (env "
          + RuntimeKeys.PG_SSL_ROOT_CERT.envVar() + " or PGSSLROOTCERT) to the PEM file of the CA that signed it");
    } else {
      ssl.setTrustAll(true);
    }
    // libpq's verify-full: the host connected to must be named in the certificate
    ssl.setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
    return options.setSslOptions(ssl);
  }

  /**
   * A {@link ConfigException} naming the setting to change when {@code failure} is a TLS mismatch between
   * {@code options} and the server; otherwise {@code failure} itself.
   */
  public static Throwable explain(Throwable failure, PgConnectOptions options) {
    String where = "PostgreSQL at " + options.getHost() + ":" + options.getPort();
    String mode = options.getSslMode().value;
    String key = RuntimeKeys.PG_SSL_MODE.name();
    String setBy = key + " (env " + RuntimeKeys.PG_SSL_MODE.envVar() + " or PGSSLMODE)";
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (message.contains("does not handle SSL")) {
        return new ConfigException(key, where + " does not accept TLS connections, and " + setBy + " is '" + mode
            + "', which requires TLS. Turn on ssl in the server's postgresql.conf, or set " + key
            + " to prefer or disable if an unencrypted connection is acceptable.", failure);
      }
      // the driver reports a refused certificate as "SSL handshake failed", without the JDK's reason
      if (t instanceof SSLException || message.contains("SSL handshake failed")) {
        return new ConfigException(key, "TLS with " + where + " failed under " + setBy + " '" + mode + "': "
            + message + ". Check that " + RuntimeKeys.PG_SSL_ROOT_CERT.name() + " (PGSSLROOTCERT) holds the CA that "
            + "signed the server's certificate" + (options.getSslMode() == SslMode.VERIFY_FULL
            ? " and that the certificate names the host '" + options.getHost() + "'" : "") + ".", failure);
      }
      if (t instanceof PgException pg && "28000".equals(pg.getSqlState()) && message.contains("no encryption")) {
        return new ConfigException(key, where + " refuses unencrypted connections (" + message + "), and " + setBy
            + " is '" + mode + "': set it to require, verify-ca or verify-full.", failure);
      }
    }
    return failure;
  }
}
