package dev.rebound.notifier.domain;

import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A rate limit as one or more token buckets that must all have a token (like bucket4j's bandwidths): each
 * {@link Bandwidth} holds up to {@code capacity} tokens and gains {@code refillTokens} every
 * {@code refillPeriod}, continuously. The state is a plain {@link State} value, so instances can share it
 * (a row updated under a lock, or Hazelcast) and a test can drive it with a fixed clock.
 */
public final class TokenBucket {

  /** One bucket. {@link #atMost} makes one that never allows more than {@code limit} in any {@code window}. */
  public record Bandwidth(int capacity, int refillTokens, Duration refillPeriod) {
    public Bandwidth {
      PolicyException.check(capacity >= 1, "capacity", "must be at least 1, was " + capacity);
      PolicyException.check(refillTokens >= 1, "refill-tokens", "must be at least 1, was " + refillTokens);
      PolicyException.check(refillPeriod != null && !refillPeriod.isZero() && !refillPeriod.isNegative(),
          "refill-period", "must be positive");
    }

    /**
     * At most {@code limit} per any {@code window}: a burst of a tenth of the limit (at least 1) plus a refill
     * of the rest over the window, since a full bucket and a window's refill together must stay ≤ limit.
     */
    public static Bandwidth atMost(int limit, Duration window) {
      int burst = Math.max(1, limit / 10);
      return new Bandwidth(burst, Math.max(1, limit - burst), window);
    }

    double perMilli() {
      return (double) refillTokens / refillPeriod.toMillis();
    }
  }

  /** Tokens left per bandwidth, as of {@code at}. */
  public record State(List<Double> tokens, Instant at) {
    public State {
      tokens = List.copyOf(tokens);
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * The answer to "may I send now?".
   *
   * @param retryAt when a token will be there, if not granted (equal to now when granted)
   */
  public record Take(boolean granted, State state, Instant retryAt) {
  }

  private final List<Bandwidth> bandwidths;

  private TokenBucket(List<Bandwidth> bandwidths) {
    this.bandwidths = List.copyOf(bandwidths);
  }

  public static TokenBucket of(Bandwidth... bandwidths) {
    PolicyException.check(bandwidths.length > 0, "bandwidths", "a rate limit needs at least one bandwidth");
    return new TokenBucket(List.of(bandwidths));
  }

  public List<Bandwidth> bandwidths() {
    return bandwidths;
  }

  /** A full bucket (nothing sent yet). */
  public State full(Instant now) {
    return new State(bandwidths.stream().map(b -> (double) b.capacity()).toList(), now);
  }

  /** Takes one token from every bandwidth, or none when any is empty. */
  public Take tryTake(State state, Instant now) {
    State s = refill(state, now);
    Instant retryAt = now;
    for (int i = 0; i < bandwidths.size(); i++) {
      double missing = 1.0 - s.tokens().get(i);
      if (missing > 1e-9) {
        Instant at = now.plusMillis((long) Math.ceil(missing / bandwidths.get(i).perMilli()));
        retryAt = at.isAfter(retryAt) ? at : retryAt;
      }
    }
    if (retryAt.isAfter(now)) {
      return new Take(false, s, retryAt);
    }
    List<Double> left = new ArrayList<>();
    for (double t : s.tokens()) {
      left.add(t - 1.0);
    }
    return new Take(true, new State(left, now), now);
  }

  /**
   * The endpoint said 429 with Retry-After: empty every bucket so that no token is there before
   * {@code until} (and the next ones come at the normal rate after it).
   */
  public State throttledUntil(State state, Instant now, Instant until) {
    List<Double> tokens = new ArrayList<>();
    for (Bandwidth b : bandwidths) {
      long wait = Math.max(0, Duration.between(now, until).toMillis());
      tokens.add(1.0 - 1e-6 - wait * b.perMilli()); // below 1 until `until` (negative tokens are a debt)
    }
    return new State(tokens, now);
  }

  /** Whether a token is there now (for {@link DigestPolicy}). */
  public boolean empty(State state, Instant now) {
    return !tryTake(state, now).granted();
  }

  State refill(State state, Instant now) {
    long elapsed = Math.max(0, Duration.between(state.at(), now).toMillis());
    List<Double> tokens = new ArrayList<>();
    for (int i = 0; i < bandwidths.size(); i++) {
      Bandwidth b = bandwidths.get(i);
      double t = i < state.tokens().size() ? state.tokens().get(i) : b.capacity();
      tokens.add(Math.min(b.capacity(), t + elapsed * b.perMilli()));
    }
    return new State(tokens, now.isAfter(state.at()) ? now : state.at());
  }
}
