package dev.rebound.common.policy;

import java.time.Duration;
import java.time.Instant;

/** What a policy says after a failed attempt: retry after a delay, or stop and say why. */
public sealed interface NextAttempt permits NextAttempt.Scheduled, NextAttempt.Exhausted {

  /** Why no further attempt is scheduled. */
  enum Reason {
    /** Every allowed retry has been used (the policy's {@code maxRetries}, or the task's own budget). */
    MAX_RETRIES,
    /** The next attempt would start after the policy's deadline. */
    DEADLINE
  }

  /** True when no further attempt is scheduled. */
  boolean exhausted();

  /**
   * @param retry the retry number (1 = the first retry)
   * @param delay the delay actually chosen: capped, jittered, raised to a retry-after hint
   * @param at    when the next attempt is due
   */
  record Scheduled(int retry, Duration delay, Instant at) implements NextAttempt {
    @Override
    public boolean exhausted() {
      return false;
    }
  }

  /** @param detail a sentence for people: what was used up, with the figures */
  record Exhausted(Reason reason, String detail) implements NextAttempt {
    @Override
    public boolean exhausted() {
      return true;
    }
  }
}
