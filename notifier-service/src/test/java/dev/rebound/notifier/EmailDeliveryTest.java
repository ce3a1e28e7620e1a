package dev.rebound.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.rebound.common.Addresses;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * E-mail over SMTP (vertx-mail-client) to a local {@link SmtpStub}: two receivers share one smarthost, one of them
 * with a username and password. The periodic sweeps are set to an hour; the test runs each pass itself.
 */
class EmailDeliveryTest {
  static final String SMTP_PASSWORD = "smtpSECRETpassw0rd";

  static Vertx vertx;
  static TestDatabase db;
  static NotifierVerticle notifier;
  static String deployment;
  static WebClient http;
  static final SmtpStub smtp = new SmtpStub();
  static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    vertx = Vertx.vertx();
    int port = await(smtp.start(vertx));
    db = await(TestDatabase.create(vertx, "notifiermail"));
    Path yaml = dir.resolve("rebound.yaml");
    Files.writeString(yaml, """
        notifier:
          sweep-interval: 1h
          receivers:
            - name: ops-mail
              email:
                to: [ops@example.com, oncall@example.com]
                from: rebound@example.com
                smarthost: 127.0.0.1:%1$d
                username: rebound
                password: %2$s
            - name: dev-mail
              email: {to: [dev@example.com], from: rebound@example.com, smarthost: 127.0.0.1:%1$d}
          route:
            receiver: ops-mail
            group-by: [kind, stage]
            group-wait: 0s
            group-interval: 100ms
            routes:
              - matchers: ['stage="dev"']
                receiver: dev-mail
        """.formatted(port, SMTP_PASSWORD));
    Map<String, String> o = new HashMap<>(db.settingsOverrides());
    o.put("http.port", "0");
    Settings settings = Settings.load(Map.of(), Optional.of(yaml)).withOverrides(o);
    settings.requireKnown(NotifierConfig.KEYS);
    notifier = new NotifierVerticle(NotifierConfig.from(settings), settings.pgConnectOptions(), Clock.systemUTC());
    deployment = await(vertx.deployVerticle(notifier));
    http = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    await(vertx.undeploy(deployment));
    await(smtp.stop());
    await(db.drop(vertx));
    await(vertx.close());
  }

  @Test
  void aDeadLetterIsMailedWithItsSummaryInTheSubjectAndTextAndHtmlPartsAndItsResolutionIsMailedToo() throws Exception {
    UUID task = UUID.randomUUID();
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new Transition(task, "wf-m", "m", TaskState.RUNNING,
        TaskState.FAILED, 3, "dead-lettered", "disk full on /var", "worker-1", null, Instant.now()).toJson());
    eventually(() -> mailsMentioning(task.toString()).size() == 1);
    JsonObject alert = alertOfTask(task);
    String summary = alert.getString("summary");
    assertThat(summary).contains(task.toString(), "disk full on /var");

    SmtpStub.Mail mail = mailsMentioning(task.toString()).get(0);
    assertThat(mail.from()).isEqualTo("rebound@example.com");
    assertThat(mail.to()).containsExactly("ops@example.com", "oncall@example.com");
    assertThat(mail.user()).isEqualTo("rebound");
    assertThat(mail.password()).isEqualTo(SMTP_PASSWORD); // the configured credentials are used
    assertThat(header(mail, "Subject")).startsWith("[FIRING:1] ").contains(summary);
    assertThat(header(mail, "Content-Type")).startsWith("multipart/alternative");
    assertThat(part(mail, "text/plain")).contains("[error] ", summary, "stage: m");
    assertThat(part(mail, "text/html")).contains("<html>", "<li><b>error</b>", summary);

    HttpResponse<Buffer> resolved = await(http.post(notifier.actualPort(), "127.0.0.1",
        "/v1/alerts/" + alert.getString("id") + "/resolve").sendJsonObject(new JsonObject().put("by", "carol")));
    assertThat(resolved.statusCode()).as(resolved.bodyAsString()).isEqualTo(200);
    eventually(() -> mailsMentioning(task.toString()).size() == 2);
    SmtpStub.Mail resolution = mailsMentioning(task.toString()).get(1);
    assertThat(resolution.to()).containsExactly("ops@example.com", "oncall@example.com");
    assertThat(header(resolution, "Subject")).startsWith("[RESOLVED] ").contains(summary);
    assertThat(part(resolution, "text/plain")).contains("[resolved] ", summary);
    assertThat(part(resolution, "text/html")).contains("<h2>RESOLVED</h2>", summary);
  }

  @Test
  void twoEmailReceiversOnOneSmarthostEachMailTheirOwnRecipients() throws Exception {
    UUID task = UUID.randomUUID();
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new Transition(task, "wf-dev", "dev", TaskState.RUNNING,
        TaskState.FAILED, 1, "dead-lettered", "compile error", "worker-2", null, Instant.now()).toJson());
    eventually(() -> mailsMentioning(task.toString()).size() == 1);
    SmtpStub.Mail mail = mailsMentioning(task.toString()).get(0);
    assertThat(mail.to()).containsExactly("dev@example.com");
    assertThat(mail.user()).isNull(); // dev-mail has no credentials: ops-mail's are not borrowed
    JsonArray endpoints = new JsonArray(get("/v1/routes").bodyAsJsonObject().getJsonArray("receivers").stream()
        .map(r -> ((JsonObject) r).getJsonArray("endpoints").getJsonObject(0).getString("endpoint")).toList());
    assertThat(endpoints.stream().distinct()).hasSize(2);
  }

  @Test
  void theSmtpPasswordIsInNoLogLineAndNoAnswer() throws Exception {
    UUID task = UUID.randomUUID();
    vertx.eventBus().publish(Addresses.EVENTS_TASKS, new Transition(task, "wf-s", "s", TaskState.RUNNING,
        TaskState.FAILED, 2, "dead-lettered", "secret test", "worker-3", null, Instant.now()).toJson());
    eventually(() -> mailsMentioning(task.toString()).size() == 1);
    String plainAuth = Base64.getEncoder().encodeToString(("\0rebound\0" + SMTP_PASSWORD)
        .getBytes(StandardCharsets.UTF_8));
    String logged = logs.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
        : ThrowableProxyUtil.asString(e.getThrowableProxy()))).collect(Collectors.joining("\n"));
    List<String> answers = List.of(get("/v1/routes").bodyAsString(), get("/v1/deliveries?limit=1000").bodyAsString(),
        get("/v1/alerts?limit=1000").bodyAsString());
    for (String secret : List.of(SMTP_PASSWORD, plainAuth)) {
      assertThat(logged).doesNotContain(secret);
      answers.forEach(a -> assertThat(a).doesNotContain(secret));
    }
  }

  // ------------------------------------------------------------------ helpers

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Polls for an outcome, running a pass of the notifier's sweeps before each look. */
  static void eventually(BooleanSupplier c) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!c.getAsBoolean() && System.currentTimeMillis() < deadline) {
      await(notifier.timers().flushDueGroups().compose(n -> notifier.drainOutbox()));
      Thread.sleep(20);
    }
    assertThat(c.getAsBoolean()).isTrue();
  }

  static HttpResponse<Buffer> get(String path) throws Exception {
    return await(http.get(notifier.actualPort(), "127.0.0.1", path).send());
  }

  static JsonObject alertOfTask(UUID task) throws Exception {
    JsonArray alerts = get("/v1/alerts?labels=task=" + task).bodyAsJsonObject().getJsonArray("alerts");
    assertThat(alerts).hasSize(1);
    return alerts.getJsonObject(0);
  }

  static List<SmtpStub.Mail> mailsMentioning(String text) {
    return smtp.mails.stream().filter(m -> decoded(m.data()).contains(text)).toList();
  }

  /** A header's value, folded lines joined. */
  static String header(SmtpStub.Mail mail, String name) {
    String headers = mail.data().substring(0, mail.data().indexOf("\r\n\r\n")).replaceAll("\r\n[ \t]+", " ");
    Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*)$").matcher(headers);
    assertThat(m.find()).as(name + " in " + headers).isTrue();
    return m.group(1).trim();
  }

  /** The decoded body of the MIME part of this content type. */
  static String part(SmtpStub.Mail mail, String contentType) {
    String data = mail.data();
    int at = data.toLowerCase(Locale.ROOT).indexOf("content-type: " + contentType);
    assertThat(at).as(contentType + " part in " + data).isNotNegative();
    int body = data.indexOf("\r\n\r\n", at) + 4;
    int end = data.indexOf("\r\n--", body);
    return decoded(data.substring(body, end < 0 ? data.length() : end));
  }

  /** Undoes quoted-printable (soft line breaks and =XX escapes of UTF-8 bytes). */
  static String decoded(String qp) {
    String joined = qp.replace("=\r\n", "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < joined.length(); i++) {
      char c = joined.charAt(i);
      if (c == '=' && i + 2 < joined.length() && isHex(joined.charAt(i + 1)) && isHex(joined.charAt(i + 2))) {
        out.write(Integer.parseInt(joined.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }
}
