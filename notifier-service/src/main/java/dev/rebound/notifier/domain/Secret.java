package dev.rebound.notifier.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A webhook URL, routing key or password. {@link #toString()} never shows it, so a secret can sit in any
 * record that is logged or echoed; only the delivery code calls {@link #reveal()}.
 */
public final class Secret {
  private final String value;
  private final String origin;

  private Secret(String value, String origin) {
    this.value = Objects.requireNonNull(value, "value");
    this.origin = origin;
  }

  public static Secret of(String value) {
    return new Secret(value, "inline");
  }

  /** A secret read from {@code path}; the path (not the secret) is what {@link #toString()} shows. */
  public static Secret fromFile(String path, String content) {
    return new Secret(content.strip(), "file " + path);
  }

  public String reveal() {
    return value;
  }

  /**
   * A stable, non-reversible name for this secret (16 hex digits of its SHA-256): the key of a rate limit or
   * a circuit per endpoint, safe to store and show.
   */
  public String handle() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Secret[" + origin + ", ***]";
  }
}
