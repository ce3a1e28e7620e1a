package dev.rebound.common.service;

import io.vertx.core.Future;

/**
 * Who asked for an operation and under which correlation id: {@code http} for HTTP requests, the
 * {@code actor} header (or {@code event-bus}) for event-bus requests. Services record both (the
 * ledger in its task history).
 *
 * <p>{@code gone}, when the edge can tell, completes (on the service's context) once nobody will
 * read the reply: the HTTP client disconnected before it, or the event-bus requester's timeout
 * (its {@code reply-within-ms} header) is about to pass. Null when the edge cannot tell. A long-poll
 * claim ends its wait then and hands back what it had claimed.
 */
public record Origin(String actor, String correlationId, Future<Void> gone) {

  public Origin {
    actor = actor == null || actor.isBlank() ? "anonymous" : actor;
  }

  public Origin(String actor, String correlationId) {
    this(actor, correlationId, null);
  }

  /** True once the requester is known to be gone. */
  public boolean requesterGone() {
    return gone != null && gone.isComplete();
  }
}
