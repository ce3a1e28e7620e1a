package dev.rebound.notifier.domain;

import java.time.Instant;

/**
 * One change of an alert, in the order they happened.
 *
 * @param from the state before, or null when the alert was opened
 * @param by who did it: an operator's name, or {@code rebound} / {@code alertmanager} for automatic changes
 * @param reason why, as given (an operator's comment) or as the rule says ("task t-1 succeeded")
 */
public record AlertHistoryEntry(AlertState from, AlertState to, String by, String reason, Instant at) {
}
