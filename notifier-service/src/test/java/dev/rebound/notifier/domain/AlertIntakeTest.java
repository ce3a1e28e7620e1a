package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.classification.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertIntakeTest {

  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");

  @Test
  void theLabelFingerprintIsPrometheusFnvOverSortedLabels() {
    // the vector of prometheus/common model/signature_test.go
    assertThat(LabelFingerprint.of(Map.of("name", "garland, briggs", "fear", "love is not enough")))
        .isEqualTo("507a62d79ee76c9a");
    assertThat(LabelFingerprint.of(Map.of())).isEqualTo("cbf29ce484222325");
  }

  @Test
  void aReboundDeadLetterEventBecomesAnAlertKeyedByItsTask() {
    AlertEvent e = AlertIntake.fromRebound(Map.of("kind", "dead-letter", "summary", "task t-1 dead-lettered",
        "stage", "tests", "workflow", "wf-9", "category", "network", "fingerprint", "fp-1", "task", "t-1",
        "severity", "critical", "details", Map.of("rootCause", "DNS")), NOW);

    assertThat(e.dedupKey()).isEqualTo("dead-letter:t-1");
    assertThat(e.labels()).containsEntry("kind", "dead-letter").containsEntry("stage", "tests")
        .containsEntry("workflow", "wf-9").containsEntry("category", "network").containsEntry("fingerprint", "fp-1");
    assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(e.details()).containsEntry("rootCause", "DNS");
    assertThat(e.startsAt()).isEqualTo(NOW);
    assertThat(e.source()).isEqualTo(AlertSource.REBOUND);
  }

  @Test
  void aFailureAlertIsKeyedByItsSignatureWhenItHasOneElseByItsFingerprint() {
    AlertEvent withSignature = AlertIntake.fromRebound(Map.of("kind", "failure", "summary", "connect ECONNREFUSED",
        "fingerprint", "fp-1", "signature", "sig-1"), NOW);
    AlertEvent otherTemplate = AlertIntake.fromRebound(Map.of("kind", "failure", "summary", "[Errno 111] Connection refused",
        "fingerprint", "fp-2", "signature", "sig-1"), NOW);
    AlertEvent without = AlertIntake.fromRebound(Map.of("kind", "failure", "summary", "connect ECONNREFUSED",
        "fingerprint", "fp-1"), NOW);

    assertThat(withSignature.dedupKey()).isEqualTo("failure:sig-1").isEqualTo(otherTemplate.dedupKey());
    assertThat(withSignature.labels()).containsEntry("signature", "sig-1").containsEntry("fingerprint", "fp-1");
    assertThat(without.dedupKey()).isEqualTo("failure:fp-1");
  }

  @Test
  void theRetryServicesShapeWithAtAndSourceIsAccepted() {
    AlertEvent e = AlertIntake.fromRebound(Map.of("labels", Map.of("kind", "workflow-aborted", "workflow", "wf-9",
        "severity", "critical"), "summary", "workflow wf-9 aborted", "at", "2025-03-01T10:00:00Z", "source", "retry"), NOW);
    assertThat(e.dedupKey()).isEqualTo("workflow-aborted:wf-9");
    assertThat(e.startsAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00Z"));
    assertThat(e.details()).containsEntry("source", "retry");
  }

  @Test
  void aReboundEventWithoutKindOrSummaryIsRefusedByField() {
    assertThatThrownBy(() -> AlertIntake.fromRebound(Map.of("summary", "x"), NOW))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("kind"));
    assertThatThrownBy(() -> AlertIntake.fromRebound(Map.of("kind", "dead-letter"), NOW))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("summary"));
    assertThatThrownBy(() -> AlertIntake.fromRebound(Map.of("kind", "x", "summary", "y", "colour", "red"), NOW))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("colour"));
  }

  @Test
  void anApiAlertIsKeyedByTheFingerprintOfItsOwnLabelsUnlessItGivesAKey() {
    AlertEvent e = AlertIntake.fromApi(Map.of("labels", Map.of("service", "billing"), "summary", "down"), NOW);
    assertThat(e.dedupKey()).isEqualTo(LabelFingerprint.of(Map.of("service", "billing")));
    assertThat(e.kind()).isEqualTo("external");

    AlertEvent keyed = AlertIntake.fromApi(Map.of("labels", Map.of("service", "billing"), "summary", "down",
        "dedupKey", "billing-down"), NOW);
    assertThat(keyed.dedupKey()).isEqualTo("billing-down");
  }

  @Test
  void alertmanagerAlertsTakeTheirSummaryFromAnnotationsAndTheirKeyFromTheLabels() {
    List<AlertEvent> events = AlertIntake.fromAlertmanager(List.of(
        Map.of("labels", Map.of("alertname", "HighLatency", "job", "api"),
            "annotations", Map.of("summary", "p99 over 1s", "description", "for 5m"),
            "startsAt", "2025-03-01T09:55:00+01:00", "generatorURL", "http://prom/graph"),
        Map.of("labels", Map.of("alertname", "DiskFull"), "annotations", Map.of("description", "disk 95%"),
            "endsAt", "2025-03-01T09:59:00Z")), NOW, Duration.ofMinutes(5));

    AlertEvent latency = events.get(0);
    assertThat(latency.dedupKey()).isEqualTo(LabelFingerprint.of(Map.of("alertname", "HighLatency", "job", "api")));
    assertThat(latency.summary()).isEqualTo("p99 over 1s");
    assertThat(latency.details()).containsEntry("description", "for 5m").doesNotContainKey("summary");
    assertThat(latency.startsAt()).isEqualTo(Instant.parse("2025-03-01T08:55:00Z"));
    assertThat(latency.endsAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(latency.kind()).isEqualTo("prometheus");

    AlertEvent disk = events.get(1);
    assertThat(disk.summary()).isEqualTo("disk 95%");
    assertThat(disk.endedBy(NOW)).isTrue();
  }

  @Test
  void aMalformedAlertmanagerAlertIsRefusedWithItsIndex() {
    assertThatThrownBy(() -> AlertIntake.fromAlertmanager(List.of(Map.of("labels", Map.of("a", "b")),
        Map.of("labels", Map.of("a", "b"), "startsAt", "yesterday")), NOW, Duration.ofMinutes(5)))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("[1].startsAt"));
    assertThatThrownBy(() -> AlertIntake.fromAlertmanager(List.of(Map.of("labels", Map.of("bad-name", "b"))),
        NOW, Duration.ofMinutes(5)))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("[0].labels.bad-name"));
  }

  @Test
  void aValueTheDatabaseCannotStoreIsRefusedAtTheIntakeNamingItsField() {
    assertThatThrownBy(() -> AlertIntake.fromApi(Map.of("labels", Map.of("team", "a\u0000b"), "summary", "s"), NOW))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("labels.team"));
    assertThatThrownBy(() -> AlertIntake.fromApi(Map.of("labels", Map.of("team", "t"), "summary", "s",
        "details", Map.of("deep", List.of(Map.of("x", "\ud800")))), NOW))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("details.deep.x"));
    assertThatThrownBy(() -> AlertIntake.fromApi(Map.of("labels", Map.of("team", "t"), "summary", "s",
        "details", Map.of("n", Double.POSITIVE_INFINITY)), NOW))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("details.n"));
    assertThatThrownBy(() -> AlertIntake.fromRebound(Map.of("kind", "k", "summary", "a\u0000"), NOW))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("summary"));
    // the whole list is refused, naming the alert: none of it reaches the database
    assertThatThrownBy(() -> AlertIntake.fromAlertmanager(List.of(Map.of("labels", Map.of("alertname", "ok")),
        Map.of("labels", Map.of("alertname", "ok"), "annotations", Map.of("summary", "x\u0000"))), NOW, Duration.ofMinutes(5)))
        .isInstanceOfSatisfying(InvalidAlertException.class, e -> assertThat(e.field()).isEqualTo("[1].annotations.summary"));
    // a surrogate pair is one character, kept
    assertThat(AlertIntake.fromApi(Map.of("labels", Map.of("team", "\ud83d\udca5"), "summary", "s"), NOW).labels())
        .containsEntry("team", "\ud83d\udca5");
  }

  @Test
  void secretsInTheSummaryLabelsDetailsAndAnnotationsAreRedactedAtTheIntake() {
    String slack = "xoxb-" + "1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
    AlertEvent api = AlertIntake.fromApi(Map.of("labels", Map.of("service", "billing", "api_key", "plain", "note",
            "password=hunter2x"), "summary", "slack post failed with " + slack,
        "details", Map.of("request", Map.of("headers", Map.of("Authorization", "Bearer abc.def.ghi123")), "attempt", 3)), NOW);
    List<AlertEvent> am = AlertIntake.fromAlertmanager(List.of(Map.of("labels", Map.of("alertname", "DbDown"),
        "annotations", Map.of("summary", "db down: postgres://app:S3cretPw9@db:5432/x", "runbook", "token=abcdef123456"))),
        NOW, Duration.ofMinutes(5));

    assertThat(api.summary()).isEqualTo("slack post failed with <redacted:slack-token>");
    assertThat(api.labels()).containsEntry("api_key", "<redacted:api-key>").containsEntry("note", "password=<redacted:password>")
        .containsEntry("service", "billing");
    assertThat(api.details().toString()).contains("Authorization=<redacted:credentials>", "attempt=3").doesNotContain("abc.def");
    assertThat(am.get(0).summary()).isEqualTo("db down: postgres://app:<redacted:url-password>@db:5432/x");
    assertThat(am.get(0).details()).containsEntry("runbook", "token=<redacted:token>");
  }
}
