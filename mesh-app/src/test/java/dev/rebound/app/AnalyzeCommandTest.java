package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rebound analyze}: offline, one JSON line out per line in, secrets redacted. */
class AnalyzeCommandTest {
  @TempDir
  Path dir;

  @Test
  void everyInputLineGetsExactlyOneVerdictLine() throws Exception {
    Path in = dir.resolve("errors.log");
    Files.write(in, List.of(
        "connect ECONNREFUSED 10.0.0.12:5432",
        "",
        "connect ECONNREFUSED 172.16.4.9:5432",
        "HTTP 429 Too Many Requests: please retry after 30 seconds",
        "fatal: could not read Username for 'https://github.com': terminal prompts disabled token=ghp_abcdefghijklmnopqrstuvwxyz0123456789"));
    Cli.Result r = Cli.run("analyze", "--input", in.toString());
    assertThat(r.exitCode()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(5);
    JsonObject first = new JsonObject(lines[0]);
    JsonObject third = new JsonObject(lines[2]);
    for (String key : List.of("fingerprint", "template", "category", "transient", "confidence", "severity", "recommendations", "redacted")) {
      assertThat(first.containsKey(key)).as(key).isTrue();
    }
    assertThat(first.containsKey("ruleId")).isTrue();
    assertThat(third.getString("fingerprint")).isEqualTo(first.getString("fingerprint"));
    assertThat(new JsonObject(lines[3]).getLong("retryAfterMs")).isEqualTo(30_000L);
    assertThat(lines[4]).doesNotContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789").contains("<redacted:");
    assertThat(first.containsKey("reasons")).isFalse();
  }

  @Test
  void explainAddsTheReasonsAndJsonInputCarriesStructuredSignals() throws Exception {
    Path in = dir.resolve("structured.ndjson");
    Files.write(in, List.of("{\"message\":\"FATAL: sorry, too many clients already\",\"sqlState\":\"53300\"}", "not json"));
    Cli.Result r = Cli.run("analyze", "--json-input", "--explain", "--input", in.toString());
    assertThat(r.exitCode()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(new JsonObject(lines[0]).getJsonArray("reasons")).isNotEmpty();
    assertThat(new JsonObject(lines[1]).getJsonObject("error").getString("code")).isEqualTo("BAD_REQUEST");
  }

  @Test
  void aJsonInputLineWithAnUnknownFieldIsAnsweredWithAnErrorNamingIt() throws Exception {
    Path in = dir.resolve("typo.ndjson");
    Files.write(in, List.of("{\"message\":\"OOMKilled\",\"exit\":137}", "{\"message\":\"OOMKilled\",\"exitCode\":137}"));
    Cli.Result r = Cli.run("analyze", "--json-input", "--input", in.toString());
    assertThat(r.exitCode()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(2);
    JsonObject refused = new JsonObject(lines[0]);
    assertThat(refused.getInteger("line")).isEqualTo(1);
    assertThat(refused.getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("exit");
    assertThat(new JsonObject(lines[1]).getString("category")).isNotBlank();
  }

  @Test
  void aMissingRuleFileIsAUsageError() {
    Cli.Result r = Cli.run("analyze", "--rules", dir.resolve("nope.yaml").toString(), "--input", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("nope.yaml");
  }
}
