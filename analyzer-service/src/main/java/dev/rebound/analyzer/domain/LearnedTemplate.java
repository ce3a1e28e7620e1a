package dev.rebound.analyzer.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One cluster the {@link TemplateMiner} has learned, as plain data the service can store (one row per
 * cluster in PostgreSQL, or JSON) and hand back to {@link TemplateMiner#restore} after a restart.
 *
 * @param clusterId     16 hex digits, derived from the first template of the cluster; never changes
 * @param discriminator what must be equal for two messages to share a cluster (rule id, status codes...)
 * @param template      the cluster's current template, tokens separated by single spaces; may contain {@code <*>}
 * @param size          how many messages the cluster has absorbed
 */
public record LearnedTemplate(String clusterId, String discriminator, String template, long size) {

  public LearnedTemplate {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(template, "template");
    discriminator = discriminator == null ? "" : discriminator;
    if (!clusterId.matches("[0-9a-f]{16}")) {
      throw new IllegalArgumentException("clusterId must be 16 lower-case hex digits, was '" + clusterId + "'");
    }
    if (size < 1) {
      throw new IllegalArgumentException("size must be positive, was " + size);
    }
  }

  /** A JSON-friendly map with keys {@code clusterId, discriminator, template, size}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("clusterId", clusterId);
    m.put("discriminator", discriminator);
    m.put("template", template);
    m.put("size", size);
    return m;
  }

  /** Inverse of {@link #toMap()}. */
  public static LearnedTemplate fromMap(Map<String, ?> m) {
    Object size = m.get("size");
    return new LearnedTemplate((String) m.get("clusterId"), (String) m.get("discriminator"), (String) m.get("template"),
        size instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(size)));
  }
}
