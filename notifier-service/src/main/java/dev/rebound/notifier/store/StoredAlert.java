package dev.rebound.notifier.store;

import dev.rebound.notifier.domain.Alert;
import java.time.Instant;

/**
 * An alert as stored: the domain's {@link Alert} (its history is loaded only where shown) and the escalation
 * it follows.
 *
 * @param escalationRoute the key of the route whose escalation plan applies, or null
 * @param nextEscalationAt when the escalation sweep looks at it next, or null
 */
public record StoredAlert(Alert alert, String escalationRoute, Instant nextEscalationAt) {

  public StoredAlert with(Alert changed, Instant nextEscalation) {
    return new StoredAlert(changed, escalationRoute, nextEscalation);
  }
}
