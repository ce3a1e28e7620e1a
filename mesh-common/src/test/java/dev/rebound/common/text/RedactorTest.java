package dev.rebound.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

public class RedactorTest {

  private static final String GHP = "ghp_" + "R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s12";
  private static final String GHS = "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a";
  private static final String PAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF";
  private static final String SLACK = "xoxb-" + "1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
  private static final String AKIA = "AKIA" + "IOSFODNN7EXAMPLE";
  private static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  private static final String OPENAI = "sk-proj-" + "Abc123Def456Ghi789Jkl012Mno345Pqr678";
  private static final String ANTHROPIC = "sk-ant-api03-" + "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFG";
  private static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7V0zR1n\nq8w9Zk2L\n-----END RSA PRIVATE KEY-----";

  public static Stream<Arguments> secrets() {
    return Stream.of(
        Arguments.of("github-token", "remote: Invalid username or password. fatal: Authentication failed for 'https://" + GHP + "@github.com/acme/app.git/'", GHP),
        Arguments.of("github-token", "HttpError: Bad credentials (token " + GHS + ")", GHS),
        Arguments.of("github-token", "GH_TOKEN=" + PAT + " gh pr create failed: HTTP 403", PAT),
        Arguments.of("slack-token", "slack: chat.postMessage failed with invalid_auth using " + SLACK, SLACK),
        Arguments.of("aws-access-key", "An error occurred (InvalidClientTokenId) when calling GetCallerIdentity for key " + AKIA, AKIA),
        Arguments.of("aws-secret", "aws_secret_access_key = " + AWS_SECRET + " rejected: SignatureDoesNotMatch", AWS_SECRET),
        Arguments.of("bearer-token", "401 Unauthorized: Authorization: Bearer abc123DEF456ghi789JKL0 rejected", "abc123DEF456ghi789JKL0"),
        Arguments.of("jwt", "invalid signature for token " + JWT + " (kid=k1)", JWT),
        Arguments.of("private-key", "failed to parse key:\n" + PEM + "\nasn1: structure error", "MIIEowIBAAKCAQEA7V0zR1n"),
        Arguments.of("api-key", "openai.AuthenticationError: Incorrect API key provided: " + OPENAI, OPENAI),
        Arguments.of("api-key", "anthropic 401 authentication_error x-api-key " + ANTHROPIC, ANTHROPIC),
        Arguments.of("url-password", "psql: error: connection to server failed for postgres://app:S3cr3tPa55@db.internal:5432/orders", "S3cr3tPa55"),
        Arguments.of("url-password", "Could not connect to amqp://guest:hunter2@rabbit:5672/ ECONNREFUSED", "hunter2"),
        Arguments.of("password", "jdbc connect failed: user=app password=Tr0ub4dor&3 host=db", "Tr0ub4dor"),
        Arguments.of("password", "config rejected: {\"user\": \"app\", \"password\": \"correct horse battery\"}", "correct horse battery"),
        Arguments.of("secret", "OAuth token request failed: client_secret=9f8e7d6c5b4a invalid_client", "9f8e7d6c5b4a"),
        Arguments.of("token", "webhook call failed: POST /hooks?token=abcDEF123456 returned 404", "abcDEF123456"),
        Arguments.of("api-key", "request failed: api_key=live_5f4dcc3b5aa765d61d8327deb882cf99 quota exceeded", "live_5f4dcc3b5aa765d61d8327deb882cf99"));
  }

  @ParameterizedTest(name = "{0} in \"{1}\" is redacted")
  @MethodSource("secrets")
  void secretsAreReplacedByTheirKind(String kind, String message, String secret) {
    String redacted = new Redactor().redact(message);

    assertThat(redacted).doesNotContain(secret).contains("<redacted:" + kind + ">");
  }



  @Test
  void urlPasswordsKeepTheUserAndTheHost() {
    assertThat(new Redactor().redact("connect to postgres://app:pw123456@db.internal:5432/orders failed"))
        .isEqualTo("connect to postgres://app:<redacted:url-password>@db.internal:5432/orders failed");
  }

  @Test
  void urlPasswordsContainingSlashesAreRedactedButPortsBeforeScopedPathsAreNot() {
    Redactor r = new Redactor();

    assertThat(r.redact("redis://default:a/b+c=@cache:6379 refused")).isEqualTo("redis://default:<redacted:url-password>@cache:6379 refused");
    assertThat(r.redact("GET http://localhost:4873/@acme%2fpkg 404")).isEqualTo("GET http://localhost:4873/@acme%2fpkg 404");
    assertThat(r.redact("clone https://github.com/acme/app.git failed")).isEqualTo("clone https://github.com/acme/app.git failed");
  }

  @Test
  void ordinaryMessagesAreLeftAlone() {
    String message = "connect ECONNREFUSED 10.0.0.7:5432 after 3 attempts; password authentication failed for user \"app\"";

    assertThat(new Redactor().redact(message)).isEqualTo(message);
  }

  @Test
  void valuesUnderSecretKeysAreRedactedAtAnyDepthWhateverTheyLookLike() {
    JsonObject details = new JsonObject()
        .put("password", "plain words")
        .put("request", new JsonObject()
            .put("headers", new JsonObject().put("Authorization", "Basic dXNlcjpwYXNz").put("Accept", "application/json"))
            .put("env", new JsonArray().add(new JsonObject().put("DB_PASSWORD", "hunter2").put("DB_HOST", "db"))))
        .put("credentials", new JsonObject().put("user", "ci").put("pin", 1234))
        .put("x-api-key", "abc")
        .put("token_type", "bearer")
        .put("max_tokens", 4096)
        .put("password_file", "/run/secrets/pg")
        .put("attempts", 3);

    JsonObject out = new Redactor().redact(details);

    assertThat(out.getString("password")).isEqualTo("<redacted:password>");
    assertThat(out.getJsonObject("request").getJsonObject("headers").getString("Authorization"))
        .isEqualTo("<redacted:credentials>");
    assertThat(out.getJsonObject("request").getJsonObject("headers").getString("Accept")).isEqualTo("application/json");
    assertThat(out.getJsonObject("request").getJsonArray("env").getJsonObject(0).getString("DB_PASSWORD"))
        .isEqualTo("<redacted:password>");
    assertThat(out.getJsonObject("request").getJsonArray("env").getJsonObject(0).getString("DB_HOST")).isEqualTo("db");
    assertThat(out.getJsonObject("credentials").getString("user")).isEqualTo("<redacted:credentials>");
    assertThat(out.getJsonObject("credentials").getValue("pin")).isEqualTo("<redacted:credentials>");
    assertThat(out.getString("x-api-key")).isEqualTo("<redacted:api-key>");
    assertThat(out.getString("token_type")).isEqualTo("bearer");
    assertThat(out.getInteger("max_tokens")).isEqualTo(4096);
    assertThat(out.getString("password_file")).isEqualTo("/run/secrets/pg");
    assertThat(out.getInteger("attempts")).isEqualTo(3);
    assertThat(details.getString("password")).as("the input is not changed").isEqualTo("plain words");
  }

  @Test
  void plainMapsAndListsAreRedactedLikeJson() {
    Object out = new Redactor().redactTree(Map.of("alert", List.of(Map.of("secret", "s3", "note", "token=abcdef123456"))));

    assertThat(out.toString()).contains("secret=<redacted:secret>", "note=token=<redacted:token>").doesNotContain("s3,");
  }

  @Test
  void secretNamesInAnyNotationAreRecognisedAndDescriptionsOfSecretsAreNot() {
    assertThat(List.of("password", "DB_PASSWORD", "client_secret", "clientSecret", "X-Api-Key", "access_token",
        "AccountKey", "Authorization", "Cookie", "Set-Cookie", "credentials", "private_key", "sig", "sessionid",
        "spring.datasource.password", "webhook_url"))
        .allMatch(SecretKeys::isSecretDotted);
    assertThat(List.of("token_type", "max_tokens", "password_file", "secretName", "secretRef", "key_id", "tokenUrl",
        "expires_in", "key", "primary_key", "io.jsonwebtoken.ExpiredJwtException", "KeyError", "pwd_policy",
        "prompt_tokens", "tokens"))
        .noneMatch(SecretKeys::isSecretDotted);
    assertThat(SecretKeys.isSecret("routing_key", "orders.created")).isFalse();
    assertThat(SecretKeys.isSecret("routing_key", "R0ut1ngKeyOf32CharactersExactly1")).isTrue();
  }
}
