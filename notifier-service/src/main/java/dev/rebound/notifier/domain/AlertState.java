package dev.rebound.notifier.domain;

/** An alert's lifecycle: FIRING → ACKNOWLEDGED → RESOLVED, or FIRING → RESOLVED. RESOLVED is final. */
public enum AlertState {
  FIRING,
  ACKNOWLEDGED,
  RESOLVED;

  public boolean open() {
    return this != RESOLVED;
  }
}
