package dev.rebound.common.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA and certificates it signs, made with {@code openssl} in a directory of the test's: EC P-256 keys
 * (PKCS#8 PEM), certificates for {@code 127.0.0.1} and {@code localhost} usable by servers and clients alike,
 * as a mesh's own CA would issue them.
 */
public final class TestCertificates {
  private final Path dir;
  private final String name;

  private TestCertificates(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /** A new CA named {@code name} with its files in {@code dir}. */
  public static TestCertificates authority(Path dir, String name) {
    TestCertificates ca = new TestCertificates(dir, name);
    openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ca.key().toString());
    openssl(dir, "req", "-x509", "-new", "-key", ca.key().toString(), "-days", "2", "-subj", "/CN=" + name,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-out", ca.certificate().toString());
    return ca;
  }

  /** The CA's certificate (PEM): what peers trust. */
  public Path certificate() {
    return dir.resolve(name + "-ca.pem");
  }

  private Path key() {
    return dir.resolve(name + "-ca.key");
  }

  /** A key and a certificate signed by this CA for {@code subject}, naming 127.0.0.1 and localhost. */
  public Issued issue(String subject) {
    Path key = dir.resolve(subject + ".key");
    Path csr = dir.resolve(subject + ".csr");
    Path cert = dir.resolve(subject + ".pem");
    Path ext = dir.resolve(subject + ".ext");
    try {
      Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
          + "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
    openssl(dir, "req", "-new", "-key", key.toString(), "-subj", "/CN=" + subject, "-out", csr.toString());
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", certificate().toString(), "-CAkey", key().toString(),
        "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
    return new Issued(cert, key);
  }

  /** A certificate and its private key (PEM files). */
  public record Issued(Path certificate, Path key) {
  }

  private static void openssl(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("openssl is needed for the TLS tests", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
