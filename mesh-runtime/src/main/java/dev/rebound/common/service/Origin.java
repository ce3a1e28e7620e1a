package dev.rebound.common.service;

/**
 * Who asked for an operation and under which correlation id: {@code http} for HTTP requests, the
 * {@code actor} header (or {@code event-bus}) for event-bus requests. Services record both (the
 * ledger in its task history).
 */
public record Origin(String actor, String correlationId) {

  public Origin {
    actor = actor == null || actor.isBlank() ? "anonymous" : actor;
  }
}
