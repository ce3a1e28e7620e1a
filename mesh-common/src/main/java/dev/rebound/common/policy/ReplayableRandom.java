package dev.rebound.common.policy;

import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * The random source of deterministic mode: SplitMix64 seeded from (task id, attempt), with its own
 * bounded draw, so a schedule replays exactly on any JVM version and any instance.
 */
final class ReplayableRandom implements RandomGenerator {
  private long state;

  private ReplayableRandom(long seed) {
    this.state = seed;
  }

  static ReplayableRandom of(String taskId, int attempt) {
    long h = 0xcbf29ce484222325L; // FNV-1a 64 over the id's UTF-8 bytes
    for (byte b : taskId.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return new ReplayableRandom(mix(h ^ (attempt * 0x9E3779B97F4A7C15L)));
  }

  @Override
  public long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /** Uniform in {@code [0, bound)}; the modulo bias is below 2^-25 for any delay a policy allows (at most a year). */
  @Override
  public long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, was " + bound);
    }
    return (nextLong() >>> 1) % bound;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
