package dev.rebound.common.runtime;

import java.util.Objects;

/**
 * A configuration value is missing, unreadable or invalid. The message names the key, the
 * environment variable that sets it, the offending value (never for secrets) and what was expected,
 * so an operator can fix the deployment from the log line alone.
 */
public class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = Objects.requireNonNull(key, "key");
  }

  public ConfigException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = Objects.requireNonNull(key, "key");
  }

  /** The dotted configuration key, e.g. {@code ledger.lease-ms}. */
  public String key() {
    return key;
  }
}
