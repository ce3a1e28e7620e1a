package dev.rebound.common.client;

/**
 * One operation of a service's API, declared once in the contract (an enum per service, e.g.
 * {@link LedgerApi}): where it is served on the event bus, under which HTTP route, with which
 * success status, and which {@link Scope} a bearer token needs to call it. The service binds each entry
 * to its handler (one table drives the event-bus consumer and the HTTP route), and the typed client
 * calls through the same entries.
 */
public interface ApiOperation {

  /** The event-bus address the operation is served on; null when it is served over HTTP only. */
  String address();

  /**
   * The value of {@link dev.rebound.common.Addresses#ACTION_HEADER} that selects it when several
   * operations share {@link #address()}; null when the address is the operation's own.
   */
  String action();

  /** The HTTP route; null when the operation is served on the event bus only. */
  HttpRoute route();

  /**
   * The scope a bearer token needs to call the operation over HTTP (the one router assembly enforces it);
   * the event bus is trusted inside the cluster and does not check it.
   */
  Scope scope();
}
