package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;

class JsonLogEncoderTest {

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  private String encode(LoggingEvent event) {
    JsonLogEncoder encoder = new JsonLogEncoder();
    encoder.setContext(context);
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }

  private LoggingEvent event(String message, Throwable error, Object... args) {
    return new LoggingEvent("test", context.getLogger("dev.rebound.Test"), Level.WARN, message, error, args);
  }

  @Test
  void eachEventIsOneLineOfValidJsonWithQuotesNewlinesAndControlCharactersEscaped() {
    String nasty = "said \"hi\"\nsecond line\ttab \\ back\u0001slash \u2028 end";
    String line = encode(event("{}", null, nasty));
    assertThat(line).endsWith("\n");
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("msg")).isEqualTo(nasty);
    assertThat(json.getString("level")).isEqualTo("WARN");
    assertThat(json.getString("logger")).isEqualTo("dev.rebound.Test");
    assertThat(json.getString("thread")).isEqualTo(Thread.currentThread().getName());
    assertThat(json.getString("ts")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  }

  @Test
  void mdcValuesTheCorrelationIdAndKeyValuePairsBecomeFields() {
    MDC.put(Correlation.MDC_KEY, "corr-1");
    MDC.put("taskId", "t-9");
    LoggingEvent event = event("claimed", null);
    event.addKeyValuePair(new KeyValuePair("count", 3));
    event.addKeyValuePair(new KeyValuePair("stage", "build \"x\""));
    event.addKeyValuePair(new KeyValuePair("msg", "cannot replace the message"));
    JsonObject json = new JsonObject(encode(event));
    assertThat(json.getString("correlationId")).isEqualTo("corr-1");
    assertThat(json.getString("taskId")).isEqualTo("t-9");
    assertThat(json.getInteger("count")).isEqualTo(3);
    assertThat(json.getString("stage")).isEqualTo("build \"x\"");
    assertThat(json.getString("msg")).isEqualTo("claimed");
  }

  @Test
  void anExceptionIsWrittenWithItsClassMessageAndStackIncludingCauses() {
    Exception error = new IllegalStateException("outer \"boom\"", new IOException("disk\nfull"));
    JsonObject json = new JsonObject(encode(event("failed", error)));
    JsonObject e = json.getJsonObject("error");
    assertThat(e.getString("class")).isEqualTo("java.lang.IllegalStateException");
    assertThat(e.getString("message")).isEqualTo("outer \"boom\"");
    assertThat(e.getString("stack")).contains("JsonLogEncoderTest").contains("Caused by: java.io.IOException: disk\nfull");
  }

  @Test
  void secretsInTheMessageInKeyValuePairsAndInALoggedExceptionNeverReachTheLog() {
    String pat = "ghp_" + "R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s12";
    LoggingEvent event = event("push failed with {}", new IllegalStateException("connect to postgres://app:Hunter2Pw@db:5432/x",
        new RuntimeException("Authorization: Basic ZGVwbG95OnMzY3IzdA==")), "DB_PASSWORD=Tr0ub4dor&3");
    event.addKeyValuePair(new KeyValuePair("api_key", "plainwords"));
    event.addKeyValuePair(new KeyValuePair("note", "token " + pat));

    String line = encode(event);

    assertThat(line).doesNotContain("Tr0ub4dor", "plainwords", pat, "Hunter2Pw", "ZGVwbG95OnMzY3IzdA")
        .contains("push failed with DB_PASSWORD=<redacted:password>", "<redacted:api-key>", "IllegalStateException",
            "postgres://app:<redacted:url-password>@db:5432/x");
    assertThat(new JsonObject(line).getJsonObject("error").getString("stack")).contains("RuntimeException");
  }
}
