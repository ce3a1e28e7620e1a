package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.PersonActionRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No secret reaches the ledger's tables: failures (message, stack trace, errorType, source, details by
 * key and by value), decision reasons and people's reasons are redacted before they are written. Task
 * payloads are stored as sent, and a ledger with {@code ledger.refuse-credential-payloads} refuses one
 * that holds a credential.
 */
class SecretsInTheLedgerTest {
  static LedgerHarness h;
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("secrets", Map.of("ledger.refuse-credential-payloads", "true"));
    pool = h.db.pool(h.vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
  }

  private static TaskView claimOne(String stage) throws Exception {
    await(h.client.enqueue(EnqueueRequest.builder(stage).build()));
    return await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
  }

  private static String everythingStored() throws Exception {
    return await(pool.query("""
        SELECT concat_ws(' ',
          (SELECT string_agg(concat_ws(' ', message, stack_trace, details::text, error_type, source), ' ') FROM ledger.failures),
          (SELECT string_agg(last_error, ' ') FROM ledger.tasks),
          (SELECT string_agg(concat_ws(' ', reason, error), ' ') FROM ledger.history))""").execute())
        .iterator().next().getString(0);
  }

  @Test
  void secretsInEveryFieldOfAFailureAndInReasonsAreRedactedBeforeTheyAreStored() throws Exception {
    String stage = "secret-" + UUID.randomUUID().toString().substring(0, 6);
    TaskView c = claimOne(stage);
    String slack = "xoxb-" + "1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
    await(h.client.fail(FailureEvent.builder()
        .taskId(c.id()).attempt(c.attempt()).leaseToken(c.leaseToken())
        .source("worker DB_PASSWORD=Src0Secret9")
        .errorType("AuthError(" + slack + ")")
        .message("login failed: {\"password\": \"plain words here\"}")
        .stackTrace("at login(Authorization: Basic ZGVwbG95OnMzY3IzdA==)")
        .details(new JsonObject().put("password", "just words").put("nested", new JsonObject()
            .put("Cookie", "sid=c00kieValue42")).put("url", "https://app:UrlPw77x@db/x").put("attempt", 2))
        .build()));
    await(h.client.decide(new Decision(c.id(), 1, DecisionAction.RETRY, Instant.now(),
        "retry: token=D3cisionTok9 was rejected", "retry-service")));
    TaskView other = claimOne(stage + "-b");
    await(h.client.block(PersonActionRequest.of(other.id(), "waiting for api_key=Bl0ckKey55 to be rotated")));

    String stored = everythingStored();

    assertThat(stored).contains("<redacted:").doesNotContain("Src0Secret9", slack, "plain words here",
        "ZGVwbG95OnMzY3IzdA", "just words", "c00kieValue42", "UrlPw77x", "D3cisionTok9", "Bl0ckKey55");
    assertThat(stored).contains("login failed", "retry: token=<redacted:token> was rejected", "\"attempt\": 2");
  }

  @Test
  void aPayloadHoldingACredentialIsRefusedNamingItsFieldAndReferencesAreAccepted() throws Exception {
    JsonObject withSecret = new JsonObject().put("stage", "deploy").put("payload", new JsonObject()
        .put("repo", "acme/api").put("db", new JsonObject().put("host", "db").put("password", "hunter2")));
    JsonObject withShape = new JsonObject().put("stage", "deploy").put("payload", new JsonObject()
        .put("steps", new io.vertx.core.json.JsonArray().add("echo ok").add("git push https://ci:S3cret99@git.acme.dev/x")));
    JsonObject withReference = new JsonObject().put("stage", "deploy").put("payload", new JsonObject()
        .put("repo", "acme/api").put("db", new JsonObject().put("password", "vault:secret/data/db#password"))
        .put("token", "${DEPLOY_TOKEN}"));

    HttpResponse<Buffer> refused = await(h.request(HttpMethod.POST, "/v1/tasks", withSecret));
    HttpResponse<Buffer> refusedByShape = await(h.request(HttpMethod.POST, "/v1/tasks", withShape));
    HttpResponse<Buffer> accepted = await(h.request(HttpMethod.POST, "/v1/tasks", withReference));

    assertThat(refused.statusCode()).isEqualTo(400);
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("BAD_REQUEST");
    assertThat(error.getString("message")).contains("'payload.db.password'", "reference").doesNotContain("hunter2");
    assertThat(error.getJsonObject("details").getString("field")).isEqualTo("payload.db.password");
    assertThat(refusedByShape.statusCode()).isEqualTo(400);
    assertThat(refusedByShape.bodyAsJsonObject().getJsonObject("error").getJsonObject("details").getString("field"))
        .isEqualTo("payload.steps[1]");
    assertThat(accepted.statusCode()).isEqualTo(201);
    JsonObject body = accepted.bodyAsJsonObject();
    assertThat(body.getJsonObject("task").getJsonObject("payload").getJsonObject("db").getString("password"))
        .as("a payload is stored as sent").isEqualTo("vault:secret/data/db#password");
  }
}
