package dev.rebound.ledger.store;

import dev.rebound.common.message.Transition;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Tasks a committed statement changed, and the transitions to publish for them. */
public record Changed(List<JsonObject> tasks, List<Transition> transitions) {
  public static final Changed NOTHING = new Changed(List.of(), List.of());

  public boolean empty() {
    return tasks.isEmpty();
  }
}
