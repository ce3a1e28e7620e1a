package dev.rebound.ledger.domain;

import java.time.Clock;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Time-ordered task ids (UUID version 7): keyset pagination by id lists tasks in creation order and
 * the primary-key index stays append-mostly.
 */
public final class TaskIds {
  private final Clock clock;
  private final RandomGenerator random;

  public TaskIds(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  public UUID next() {
    long ms = clock.millis();
    long msb = (ms << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
