package dev.rebound.ledger.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.message.TaskState;
import dev.rebound.ledger.domain.FailureAdmission.Admitted;
import dev.rebound.ledger.domain.FailureAdmission.Duplicate;
import dev.rebound.ledger.domain.FailureAdmission.LockedTask;
import dev.rebound.ledger.domain.FailureAdmission.Refusal;
import dev.rebound.ledger.domain.FailureAdmission.Refused;
import dev.rebound.ledger.domain.FailureAdmission.Report;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which failure reports the ledger records, judged under the task's row lock. */
class FailureAdmissionTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final UUID TASK = UUID.fromString("00000000-0000-0000-0000-000000000001");
  private static final UUID TOKEN = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
  private static final UUID OTHER_TOKEN = UUID.fromString("00000000-0000-0000-0000-0000000000bb");

  private final FailureAdmission admission = new FailureAdmission(Clock.fixed(NOW, ZoneOffset.UTC));

  private static LockedTask running(int attempt, Instant leaseExpiresAt) {
    return new LockedTask(TASK, TaskState.RUNNING, attempt, TOKEN, leaseExpiresAt);
  }

  @Test
  void aFailureOfTheCurrentAttemptByTheLeaseHolderIsAdmitted() {
    assertThat(admission.judge(running(3, NOW.plusSeconds(30)), new Report(3, TOKEN, false), null))
        .isEqualTo(new Admitted(3));
  }

  @Test
  void aReportWithoutAnAttemptIsAboutTheCurrentOne() {
    Report report = new Report(null, TOKEN, false);
    assertThat(FailureAdmission.attemptOf(running(4, null), report)).isEqualTo(4);
    assertThat(admission.judge(running(4, null), report, null)).isEqualTo(new Admitted(4));
  }

  @Test
  void aReportWithOnlyTheAttemptNeedsNoLeaseToken() {
    assertThat(admission.judge(running(2, null), new Report(2, null, false), null)).isEqualTo(new Admitted(2));
  }

  @Test
  void aFailureAlreadyRecordedIsADuplicateWhateverTheTaskDidSince() {
    UUID recorded = UUID.randomUUID();
    LockedTask movedOn = new LockedTask(TASK, TaskState.RETRY, 3, null, null);
    assertThat(admission.judge(movedOn, new Report(3, OTHER_TOKEN, false), recorded)).isEqualTo(new Duplicate(recorded));
  }

  @Test
  void aTaskThatIsNotRunningCannotFail() {
    LockedTask queued = new LockedTask(TASK, TaskState.QUEUED, 1, null, null);
    assertThat(admission.judge(queued, new Report(1, null, false), null))
        .isInstanceOfSatisfying(Refused.class, r -> {
          assertThat(r.reason()).isEqualTo(Refusal.NOT_RUNNING);
          assertThat(r.message()).contains("QUEUED").contains(TASK.toString());
        });
  }

  @Test
  void aFailureForAnOldAttemptIsRefused() {
    assertThat(admission.judge(running(3, null), new Report(2, null, false), null))
        .isInstanceOfSatisfying(Refused.class, r -> {
          assertThat(r.reason()).isEqualTo(Refusal.NOT_CURRENT_ATTEMPT);
          assertThat(r.message()).contains("attempt 2").contains("(3)");
        });
  }

  @Test
  void aFailureForAFutureAttemptIsRefused() {
    assertThat(admission.judge(running(3, null), new Report(4, null, false), null))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).isEqualTo(Refusal.NOT_CURRENT_ATTEMPT));
  }

  @Test
  void aFailureReportedWithSomeoneElsesLeaseTokenIsRefused() {
    assertThat(admission.judge(running(1, NOW.plusSeconds(30)), new Report(1, OTHER_TOKEN, false), null))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).isEqualTo(Refusal.NOT_LEASE_HOLDER));
  }

  @Test
  void theRescuersReportIsAdmittedWhileTheLeaseIsStillExpired() {
    assertThat(admission.judge(running(1, NOW.minusMillis(1)), new Report(1, TOKEN, true), null))
        .isEqualTo(new Admitted(1));
  }

  @Test
  void theRescuersReportIsAdmittedWhenTheLeaseExpiresExactlyNow() {
    assertThat(admission.judge(running(1, NOW), new Report(1, TOKEN, true), null)).isEqualTo(new Admitted(1));
  }

  @Test
  void theRescuersReportIsRefusedWhenAHeartbeatExtendedTheLeaseMeanwhile() {
    assertThat(admission.judge(running(1, NOW.plusMillis(1)), new Report(1, TOKEN, true), null))
        .isInstanceOfSatisfying(Refused.class, r -> {
          assertThat(r.reason()).isEqualTo(Refusal.LEASE_EXTENDED);
          assertThat(r.message()).contains("extended");
        });
  }

  @Test
  void aWorkersReportIsAdmittedEvenAfterItsLeaseExpired() {
    // the token is still the current one and no one else holds the task: the late report counts
    assertThat(admission.judge(running(1, NOW.minusSeconds(60)), new Report(1, TOKEN, false), null))
        .isEqualTo(new Admitted(1));
  }

  @Test
  void theRescuersReportIsRefusedWhenTheTaskWasClaimedAgainUnderAnotherToken() {
    assertThat(admission.judge(running(1, NOW.minusSeconds(1)), new Report(1, OTHER_TOKEN, true), null))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).isEqualTo(Refusal.NOT_LEASE_HOLDER));
  }
}
