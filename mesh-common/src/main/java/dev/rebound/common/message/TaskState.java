package dev.rebound.common.message;

/** Task states; FAILED means dead-lettered. */
public enum TaskState {
  QUEUED, RUNNING, RETRY, BLOCKED, DONE, FAILED, CANCELLED;

  public boolean terminal() {
    return this == DONE || this == CANCELLED;
  }
}
