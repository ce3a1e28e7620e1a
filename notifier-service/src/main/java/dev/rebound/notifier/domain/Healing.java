package dev.rebound.notifier.domain;

import java.util.Objects;

/**
 * Something that shows a failure healed by itself: the alerts it {@link #heals heals} are resolved without a
 * person. The service builds these from {@code rebound.events.tasks} (a transition to DONE) and from circuit
 * transitions (to CLOSED).
 */
public sealed interface Healing {

  /** True when this healing ends {@code alert}'s condition. */
  boolean heals(Alert alert);

  /** Why, for the alert's history. */
  String reason();

  /**
   * A task reached DONE: its dead-letter (or other per-task) alert is over, and so is a new-fingerprint
   * alert of the fingerprint it failed with, if the sender knows it.
   *
   * @param fingerprint the failure fingerprint the task last failed with, or null
   */
  record TaskSucceeded(String taskId, String fingerprint) implements Healing {
    public TaskSucceeded {
      Objects.requireNonNull(taskId, "taskId");
    }

    @Override
    public boolean heals(Alert alert) {
      AlertEvent e = alert.event();
      if (taskId.equals(e.label(AlertLabels.TASK))) {
        return true;
      }
      return fingerprint != null && !fingerprint.isEmpty() && AlertLabels.NEW_FINGERPRINT.equals(e.kind())
          && fingerprint.equals(e.label(AlertLabels.FINGERPRINT));
    }

    @Override
    public String reason() {
      return "task " + taskId + " succeeded";
    }
  }

  /**
   * A dead-lettered task left the dead-letter queue (the retry service's decision replaced the ledger's
   * provisional dead letter, or a person redrove it): its dead-letter alert is over. An alert resolved before
   * its group's first notification is never sent, so a provisional dead letter that a decision replaces
   * within the group wait pages no one.
   *
   * @param to where the task went (RETRY, BLOCKED, QUEUED…), for the alert's history
   */
  record TaskLeftDeadLetters(String taskId, String to) implements Healing {
    public TaskLeftDeadLetters {
      Objects.requireNonNull(taskId, "taskId");
    }

    @Override
    public boolean heals(Alert alert) {
      return AlertLabels.DEAD_LETTER.equals(alert.event().kind()) && taskId.equals(alert.event().label(AlertLabels.TASK));
    }

    @Override
    public String reason() {
      return "task " + taskId + " left the dead-letter queue (now " + to + ")";
    }
  }

  /** A circuit closed again: its circuit-open alert is over. */
  record CircuitClosed(String circuit) implements Healing {
    public CircuitClosed {
      Objects.requireNonNull(circuit, "circuit");
    }

    @Override
    public boolean heals(Alert alert) {
      return AlertLabels.CIRCUIT_OPEN.equals(alert.event().kind())
          && circuit.equals(alert.event().label(AlertLabels.CIRCUIT));
    }

    @Override
    public String reason() {
      return "circuit " + circuit + " closed";
    }
  }
}
