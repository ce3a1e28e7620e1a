package dev.rebound.ledger.store;

/** Who asked for a change and under which correlation id; both go into the task history. */
public record Origin(String actor, String correlationId) {

  public Origin {
    actor = actor == null || actor.isBlank() ? "anonymous" : actor;
  }
}
