package dev.rebound.retry.domain;

import java.util.Locale;
import java.util.Objects;

/**
 * The name of a circuit: {@code stage:<stage>}, {@code agent:<agent>} or {@code dependency:<name>}.
 * {@link #toString()} gives that text (the key in shared data, the path segment in {@code /v1/circuits/{name}}).
 */
public record CircuitName(Kind kind, String value) {

  /** What a circuit guards. */
  public enum Kind {
    STAGE, AGENT, DEPENDENCY;

    // computed once: every decision names its circuits several times
    private final String prefix = name().toLowerCase(Locale.ROOT);

    public String prefix() {
      return prefix;
    }
  }

  public CircuitName {
    Objects.requireNonNull(kind, "kind");
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("a circuit name needs a value after '" + kind.prefix() + ":'");
    }
  }

  public static CircuitName stage(String stage) {
    return new CircuitName(Kind.STAGE, stage);
  }

  public static CircuitName agent(String agent) {
    return new CircuitName(Kind.AGENT, agent);
  }

  public static CircuitName dependency(String dependency) {
    return new CircuitName(Kind.DEPENDENCY, dependency);
  }

  /**
   * Parses {@code stage:tests}, {@code agent:scraper-1}, {@code dependency:github}.
   *
   * @throws IllegalArgumentException saying which forms are accepted
   */
  public static CircuitName parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon > 0) {
      String prefix = text.substring(0, colon);
      for (Kind k : Kind.values()) {
        if (k.prefix().equals(prefix) && colon < text.length() - 1) {
          return new CircuitName(k, text.substring(colon + 1));
        }
      }
    }
    throw new IllegalArgumentException("a circuit name is stage:<stage>, agent:<agent> or dependency:<name>, was '"
        + text + "'");
  }

  @Override
  public String toString() {
    return kind.prefix() + ":" + value;
  }
}
