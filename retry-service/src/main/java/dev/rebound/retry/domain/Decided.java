package dev.rebound.retry.domain;

import java.util.List;

/**
 * What {@link DecisionEngine#decide} returns: the decision, the state after it (write back
 * {@code state.changedSince(before)}), and the events to publish.
 */
public record Decided(RetryDecision decision, RetryState state, List<RetryEvent> events) {
  public Decided {
    events = List.copyOf(events);
  }
}
