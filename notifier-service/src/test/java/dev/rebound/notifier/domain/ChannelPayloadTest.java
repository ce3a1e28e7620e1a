package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.policy.PolicyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class ChannelPayloadTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private static AlertView alert(String task, String summary) {
    return AlertView.of(Alert.open("a-" + task, AlertIntake.fromRebound(Map.of("kind", "dead-letter",
        "summary", summary, "stage", "tests", "workflow", "wf-1", "task", task, "severity", "critical",
        "generatorURL", "https://ci.example/t/" + task, "details", Map.of("rootCause", "DNS <down>")), T0), T0));
  }

  private static GroupNotification.Message message(List<AlertView> firing, List<AlertView> resolved) {
    return new GroupNotification.Message("{}:{stage=\"tests\"}", "team-slack", Map.of("stage", "tests"), firing,
        resolved, false);
  }

  @Test
  void slackGetsBlocksAndAnEscapedTextFallback() {
    Map<String, Object> body = SlackMessage.build(message(List.of(alert("t-1", "a <b> & c")), List.of()), null);

    assertThat((String) body.get("text")).isEqualTo("[CRITICAL] Task t-1 of stage tests was dead-lettered: a &lt;b&gt; &amp; c");
    List<Map<String, Object>> blocks = (List<Map<String, Object>>) body.get("blocks");
    assertThat(blocks.get(0)).containsEntry("type", "header");
    assertThat(blocks.get(1)).containsEntry("type", "section");
    assertThat(((Map<String, Object>) blocks.get(1).get("text")).get("text").toString())
        .contains("Root cause: DNS &lt;down&gt;");
  }

  @Test
  void slackIsToldWhenTheGroupResolves() {
    AlertView resolved = AlertView.of(Alert.open("a-1", AlertIntake.fromRebound(Map.of("kind", "dead-letter",
        "summary", "x", "task", "t-1"), T0), T0).resolve("rebound", "task t-1 succeeded", T0));

    Map<String, Object> body = SlackMessage.build(message(List.of(), List.of(resolved)), null);

    assertThat((String) body.get("text")).startsWith("[RESOLVED] ");
  }

  @Test
  void pagerDutyTriggersWithTheDocumentedFieldsAndResolvesWithTheSameDedupKey() {
    AlertView a = alert("t-1", "x".repeat(2000));
    Map<String, Object> trigger = PagerDutyEvent.build(a, Secret.of("rk"), PagerDutyEvent.Action.TRIGGER, null,
        "https://rebound.example/alerts/a-t-1");

    assertThat(trigger).containsEntry("routing_key", "rk").containsEntry("event_action", "trigger")
        .containsEntry("dedup_key", "dead-letter:t-1").containsEntry("client", "Rebound")
        .containsEntry("client_url", "https://rebound.example/alerts/a-t-1");
    Map<String, Object> payload = (Map<String, Object>) trigger.get("payload");
    assertThat((String) payload.get("summary")).hasSize(1024);
    assertThat(payload).containsEntry("severity", "critical").containsEntry("source", "rebound/tests")
        .containsEntry("component", "tests").containsEntry("group", "wf-1").containsEntry("class", "dead-letter")
        .containsKeys("timestamp", "custom_details");
    assertThat((List<?>) trigger.get("links")).hasSize(2);

    Map<String, Object> resolve = PagerDutyEvent.build(a, Secret.of("rk"), PagerDutyEvent.Action.RESOLVE, null, null);
    assertThat(resolve).containsOnlyKeys("routing_key", "event_action", "dedup_key")
        .containsEntry("event_action", "resolve").containsEntry("dedup_key", "dead-letter:t-1");
    assertThat(PagerDutyEvent.Action.of(AlertState.ACKNOWLEDGED).label()).isEqualTo("acknowledge");
  }

  @Test
  void teamsGetsAnAdaptiveCardAttachmentThroughItsWorkflowWebhook() {
    Map<String, Object> body = TeamsCard.build(message(List.of(alert("t_1", "under_score")), List.of()), null);

    assertThat(body).containsEntry("type", "message");
    Map<String, Object> attachment = ((List<Map<String, Object>>) body.get("attachments")).get(0);
    assertThat(attachment).containsEntry("contentType", "application/vnd.microsoft.card.adaptive");
    Map<String, Object> card = (Map<String, Object>) attachment.get("content");
    assertThat(card).containsEntry("type", "AdaptiveCard").containsEntry("version", "1.4");
    assertThat(card.get("body").toString()).contains("under\\_score");
    assertThat(card.get("actions").toString()).contains("Action.OpenUrl");
  }

  @Test
  void theAlertmanagerWebhookPayloadHasVersionFourAndCommonLabels() {
    Map<String, Object> body = WebhookPayload.alertmanager(message(List.of(alert("t-1", "x"), alert("t-2", "y")),
        List.of()), "https://rebound.example");

    assertThat(body).containsEntry("version", "4").containsEntry("status", "firing")
        .containsEntry("receiver", "team-slack").containsEntry("externalURL", "https://rebound.example")
        .containsKeys("groupKey", "groupLabels", "commonAnnotations", "truncatedAlerts");
    assertThat((Map<String, String>) body.get("commonLabels")).containsEntry("stage", "tests").doesNotContainKey("task");
    Map<String, Object> first = ((List<Map<String, Object>>) body.get("alerts")).get(0);
    assertThat(first).containsEntry("endsAt", "0001-01-01T00:00:00Z").containsKey("fingerprint");
    assertThat(WebhookPayload.rebound(message(List.of(alert("t-1", "x")), List.of()))).containsEntry("status", "firing");
  }

  @Test
  void theWebhookSignatureIsAnHmacOfTimestampAndBody() {
    String sig = WebhookPayload.signature(Secret.of("key"), 1700000000L, "{}".getBytes(StandardCharsets.UTF_8));

    // HMAC-SHA256("key", "1700000000.{}"), computed independently with openssl
    assertThat(sig).isEqualTo("t=1700000000,sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
    assertThat(WebhookPayload.signature(Secret.of("key"), 1700000000L, "{}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(sig);
    assertThat(WebhookPayload.signature(Secret.of("other"), 1700000000L, "{}".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(sig);
  }

  @Test
  void anEmailHasASingleLineSubjectAndEscapedHtml() {
    EmailMessage mail = EmailMessage.build(message(List.of(alert("t-1", "boom\r\n<script>")), List.of()), null);

    assertThat(mail.subject()).startsWith("[FIRING:1] ").doesNotContain("\n").doesNotContain("\r");
    assertThat(mail.html()).contains("&lt;script&gt;").doesNotContain("<script>");
    assertThat(mail.text()).contains("stage: tests");
  }

  @Test
  void anOperatorTemplateOverridesTheDefaultAndUnknownPlaceholdersAreRefused() {
    Map<String, Object> body = SlackMessage.build(message(List.of(alert("t-1", "x")), List.of()),
        "{{label.stage}} broke: {{summary}} ({{details.rootCause}})");

    assertThat((String) body.get("text")).isEqualTo("[CRITICAL] tests broke: x (DNS &lt;down&gt;)");
    assertThatThrownBy(() -> MessageTemplate.parse("notifier.receivers[0].slack.template-file", "{{nope}}"))
        .isInstanceOfSatisfying(PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("notifier.receivers[0].slack.template-file"));
  }

  @Test
  void theDomainImportsNoVertx() throws Exception {
    Path dir = Path.of("src/main/java/dev/rebound/notifier/domain");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(f -> {
        try {
          return Files.readString(f).contains("import io.vertx");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).toList()).isEmpty();
    }
  }
}
