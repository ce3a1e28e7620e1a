package dev.rebound.ledger.domain;

import dev.rebound.common.message.TaskState;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Whether a reported failure of a task is admitted. Judged under the task's row lock, from the
 * locked row and what the reporter claims; a repeat of a recorded failure is a duplicate, not an
 * error, so that every hop can be at-least-once.
 */
public final class FailureAdmission {
  /** The locked task, as far as admission needs it. */
  public record LockedTask(UUID id, TaskState state, int attempt, UUID leaseToken, Instant leaseExpiresAt) {
  }

  /**
   * What the reporter says.
   *
   * @param attempt            the failed attempt, or null for the task's current one
   * @param leaseToken         the reporter's lease token, or null when it gave only the attempt
   * @param onlyIfLeaseExpired the lease rescuer's report: only valid while the lease is still expired
   */
  public record Report(Integer attempt, UUID leaseToken, boolean onlyIfLeaseExpired) {
  }

  public enum Refusal {
    /** Only a running attempt can fail. */
    NOT_RUNNING,
    /** The report is about an attempt that is not the current one. */
    NOT_CURRENT_ATTEMPT,
    /** The rescuer saw an expired lease, but a heartbeat extended it before the lock was taken. */
    LEASE_EXTENDED,
    /** The reporter's lease token is not the task's: someone else holds the task now. */
    NOT_LEASE_HOLDER
  }

  public sealed interface Verdict permits Admitted, Duplicate, Refused {
  }

  /** Record it, as a failure of {@code attempt}. */
  public record Admitted(int attempt) implements Verdict {
  }

  /** Already recorded (same failure id, or same task and attempt): change nothing, answer with the recorded one. */
  public record Duplicate(UUID recordedFailureId) implements Verdict {
  }

  public record Refused(Refusal reason, String message) implements Verdict {
  }

  private final Clock clock;

  public FailureAdmission(Clock clock) {
    this.clock = clock;
  }

  /** The attempt a report is about: the one it names, else the task's current one. */
  public static int attemptOf(LockedTask task, Report report) {
    return report.attempt() != null ? report.attempt() : task.attempt();
  }

  /**
   * @param recordedFailureId a failure already recorded with the report's failure id or for the same
   *                          task and {@link #attemptOf attempt}, or null
   */
  public Verdict judge(LockedTask task, Report report, UUID recordedFailureId) {
    return judge(task, report, recordedFailureId, clock.instant());
  }

  /** @param leaseNow the instant a lease's expiry is judged against (the database's clock in production) */
  public Verdict judge(LockedTask task, Report report, UUID recordedFailureId, Instant leaseNow) {
    if (recordedFailureId != null) {
      return new Duplicate(recordedFailureId);
    }
    if (task.state() != TaskState.RUNNING) {
      return new Refused(Refusal.NOT_RUNNING, TaskOperation.FAIL.refusal(task.state()) + ": task " + task.id());
    }
    int attempt = attemptOf(task, report);
    if (attempt != task.attempt()) {
      return new Refused(Refusal.NOT_CURRENT_ATTEMPT, "attempt " + attempt + " of task " + task.id()
          + " is not the current one (" + task.attempt() + ")");
    }
    if (report.onlyIfLeaseExpired() && task.leaseExpiresAt() != null && task.leaseExpiresAt().isAfter(leaseNow)) {
      return new Refused(Refusal.LEASE_EXTENDED, "the lease on task " + task.id() + " was extended: not expired any more");
    }
    if (report.leaseToken() != null && !report.leaseToken().equals(task.leaseToken())) {
      return new Refused(Refusal.NOT_LEASE_HOLDER, "the lease on task " + task.id() + " is no longer yours");
    }
    return new Admitted(attempt);
  }
}
