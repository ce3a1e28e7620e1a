package dev.rebound.ledger.store;

import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import java.util.List;

/** Tasks a committed statement changed, and the transitions to publish for them. */
public record Changed(List<TaskView> tasks, List<Transition> transitions) {
  public static final Changed NOTHING = new Changed(List.of(), List.of());

  public boolean empty() {
    return tasks.isEmpty();
  }
}
