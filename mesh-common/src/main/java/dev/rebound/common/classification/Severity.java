package dev.rebound.common.classification;

import java.util.Locale;

/** How loudly a failure should be escalated. Written in lower case in YAML and JSON. */
public enum Severity {
  CRITICAL,
  ERROR,
  WARNING,
  INFO;

  /** Parses {@code critical|error|warning|info} in any case; throws on anything else. */
  public static Severity parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unknown severity '" + text + "' (expected critical, error, warning or info)");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
