package dev.rebound.notifier.domain;

/** An operator asked for a change the alert's state does not allow (answered 409, naming the current state). */
public class AlertTransitionException extends IllegalStateException {
  private final AlertState current;

  public AlertTransitionException(String alertId, AlertState current, String wanted) {
    super("alert " + alertId + " is " + current.name().toLowerCase() + ": cannot " + wanted + " it");
    this.current = current;
  }

  public AlertState current() {
    return current;
  }
}
