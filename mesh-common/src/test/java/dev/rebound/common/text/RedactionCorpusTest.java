package dev.rebound.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The secret formats the Redactor must recognise, one realistic failure message per format
 * ({@code redaction/corpus.jsonl}: format, kind, message, the exact secret — fake, but with the real
 * prefix, length and alphabet), and ordinary failure messages it must leave alone
 * ({@code redaction/negative.jsonl}: stack traces, hex addresses, UUIDs, SHAs, checksums, URLs without
 * credentials), because the analyzer's fingerprints are computed on the redacted text.
 */
class RedactionCorpusTest {

  private static final Redactor REDACTOR = new Redactor();
  /** No run of this many characters of a secret may survive (unless the message has it elsewhere too). */
  private static final int WINDOW = 8;

  static List<JsonObject> load(String resource) throws IOException {
    try (InputStream in = RedactionCorpusTest.class.getResourceAsStream("/redaction/" + resource)) {
      List<JsonObject> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          out.add(new JsonObject(line));
        }
      }
      return out;
    }
  }

  static Stream<Arguments> secrets() throws IOException {
    return load("corpus.jsonl").stream().map(e -> Arguments.of(e.getString("format"), e.getString("kind"),
        e.getString("message"), e.getString("secret")));
  }

  static Stream<Arguments> ordinary() throws IOException {
    return load("negative.jsonl").stream().map(e -> Arguments.of(e.getString("what"), e.getString("message")));
  }

  @Test
  void theCorpusCoversAtLeastOneHundredDistinctFormats() throws IOException {
    List<JsonObject> corpus = load("corpus.jsonl");
    Set<String> formats = new HashSet<>();
    corpus.forEach(e -> formats.add(e.getString("format")));

    assertThat(formats).hasSize(corpus.size()).hasSizeGreaterThanOrEqualTo(100);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secrets")
  void theWholeSecretIsGoneAndTheTextAroundItStays(String format, String kind, String message, String secret) {
    String redacted = REDACTOR.redact(message);

    int at = message.indexOf(secret);
    String before = message.substring(0, at);
    String after = message.substring(at + secret.length());
    assertThat(redacted).as("the secret").doesNotContain(secret);
    String elsewhere = before + "\u0000" + after;
    String withoutMarkers = redacted.replaceAll("<redacted:[a-z0-9-]+>", "\u0000");
    for (int i = 0; i + WINDOW <= secret.length(); i++) {
      String piece = secret.substring(i, i + WINDOW);
      if (!elsewhere.contains(piece)) {
        assertThat(withoutMarkers).as("a piece of the secret").doesNotContain(piece);
      }
    }
    assertThat(redacted).as("the text before the secret").startsWith(before);
    assertThat(redacted).as("the text after the secret").endsWith(after);
    assertThat(redacted).as("the kind").contains("<redacted:" + kind + ">");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ordinary")
  void ordinaryFailureMessagesComeOutUnchanged(String what, String message) {
    assertThat(REDACTOR.redact(message)).isEqualTo(message);
  }
}
