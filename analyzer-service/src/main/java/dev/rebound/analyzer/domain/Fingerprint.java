package dev.rebound.analyzer.domain;

import java.util.Objects;

/**
 * @param id        16 lower-case hex digits identifying the underlying error
 * @param template  the message template (may contain {@code <*>} where Drain generalized)
 * @param clusterId the template cluster this message joined (equal to {@code id} unless a stack trace weighed in)
 */
public record Fingerprint(String id, String template, String clusterId) {
  public Fingerprint {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(clusterId, "clusterId");
  }
}
