package dev.rebound.client;

import io.vertx.core.json.JsonObject;

/** A saved point of progress of a task: the handler's own {@code state} at {@code sequence}. */
public record Checkpoint(long sequence, JsonObject state) {

  /** Reads the ledger's {@code {sequence, state, ...}} as a claim hands it out; null for none. */
  static Checkpoint fromClaim(JsonObject checkpoint) {
    if (checkpoint == null || checkpoint.getValue("sequence") == null) {
      return null;
    }
    return new Checkpoint(checkpoint.getLong("sequence"), checkpoint.getJsonObject("state", new JsonObject()));
  }
}
