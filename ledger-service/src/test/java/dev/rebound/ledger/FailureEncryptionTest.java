package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.domain.FailureCipher;
import dev.rebound.ledger.outbox.OutboxStore;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Encryption at rest of failure texts ({@code ledger.encryption.key-file}) against a real PostgreSQL:
 * the stored bytes are not the plaintext, the ledger reads them back, and after a key rotation (a new
 * key first in the file, the old one kept) old rows stay readable while new ones use the new key.
 */
class FailureEncryptionTest {
  static LedgerHarness h;
  static Pool pool;
  static Path dir;
  static Path keyFile;
  static final String OLD_KEY = key();
  static final String NEW_KEY = key();

  static String key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("rebound-keys");
    keyFile = dir.resolve("ledger.keys");
    Files.writeString(keyFile, "# the first key encrypts\nk2023:" + OLD_KEY + "\n");
    h = LedgerHarness.start("encrypted", Map.of("ledger.encryption.key-file", keyFile.toString()));
    pool = h.db.pool(h.vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    h.close();
    Files.deleteIfExists(keyFile);
    Files.deleteIfExists(dir);
  }

  private static UUID fail(String message) throws Exception {
    String stage = "enc-" + UUID.randomUUID().toString().substring(0, 6);
    await(h.client.enqueue(EnqueueRequest.builder(stage).build()));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    return UUID.fromString(await(h.client.fail(FailureEvent.builder()
        .taskId(c.id()).attempt(c.attempt()).leaseToken(c.leaseToken()).source("w")
        .message(message).stackTrace("at deploy(" + message + ")")
        .details(new JsonObject().put("host", "db.internal").put("step", 3))
        .build())).getString("failureId"));
  }

  private static Row stored(UUID failureId) throws Exception {
    return await(pool.preparedQuery("SELECT message, stack_trace, details::text AS details FROM ledger.failures WHERE id = $1")
        .execute(Tuple.of(failureId))).iterator().next();
  }

  /** What the ledger reads back: the outbox's view of every failure still without a decision. */
  private static Map<UUID, FailureEvent> readBack(FailureCipher cipher) throws Exception {
    h.clock().advance(Duration.ofHours(1));
    List<FailureEvent> due = await(new OutboxStore(pool, h.clock(), cipher).takeDue(100, n -> Duration.ofHours(1), 100));
    Map<UUID, FailureEvent> out = new java.util.HashMap<>();
    due.forEach(f -> out.put(f.failureId(), f));
    return out;
  }

  private static FailureCipher cipherOf(String keyLines) {
    return FailureCipher.fromLines(List.of(keyLines.split("\n")));
  }

  @Test
  void storedFailureTextsAreCiphertextAndReadBackAsPlaintextAcrossAKeyRotation() throws Exception {
    UUID before = fail("deploy of orders-api failed: connection reset by db.internal");

    Row row = stored(before);
    assertThat(row.getString("message")).startsWith("rbenc:v1:k2023:").doesNotContain("orders-api", "connection reset");
    assertThat(row.getString("stack_trace")).startsWith("rbenc:v1:k2023:").doesNotContain("deploy(");
    assertThat(row.getString("details")).contains("rbenc").doesNotContain("db.internal");
    Map<UUID, FailureEvent> read = readBack(cipherOf("k2023:" + OLD_KEY));
    assertThat(read.get(before).message()).isEqualTo("deploy of orders-api failed: connection reset by db.internal");
    assertThat(read.get(before).stackTrace()).isEqualTo("at deploy(deploy of orders-api failed: connection reset by db.internal)");
    assertThat(read.get(before).details()).isEqualTo(new JsonObject().put("host", "db.internal").put("step", 3));
    // the read API answers plaintext too
    JsonObject viaApi = await(h.client.failure(before));
    assertThat(viaApi.getString("message")).isEqualTo("deploy of orders-api failed: connection reset by db.internal");
    assertThat(viaApi.getString("stackTrace")).isEqualTo("at deploy(deploy of orders-api failed: connection reset by db.internal)");
    assertThat(viaApi.getJsonObject("details")).isEqualTo(new JsonObject().put("host", "db.internal").put("step", 3));

    // rotation: a new key first, the old one kept; a ledger started on the new file
    String rotated = "k2024:" + NEW_KEY + "\nk2023:" + OLD_KEY;
    Files.writeString(keyFile, rotated + "\n");
    LedgerHarness.Deployed next = h.deployAnother(); // reads the key file again at its start
    try {
      UUID after = UUID.fromString(await(h.http.post(next.verticle().actualPort(), "127.0.0.1", "/v1/failures")
          .sendJsonObject(new JsonObject().put("source", "cron").put("message", "nightly export failed: disk full")))
          .bodyAsJsonObject().getString("failureId"));

      assertThat(stored(after).getString("message")).startsWith("rbenc:v1:k2024:").doesNotContain("disk full");
      Map<UUID, FailureEvent> both = readBack(cipherOf(rotated));
      assertThat(both.get(before).message()).isEqualTo("deploy of orders-api failed: connection reset by db.internal");
      assertThat(both.get(after).message()).isEqualTo("nightly export failed: disk full");
    } finally {
      await(h.vertx.undeploy(next.id()));
    }
  }

  @Test
  void aRowWhoseKeyWasDroppedOrWhoseCiphertextWasAlteredIsReportedNotMisread() {
    FailureCipher old = cipherOf("a:" + OLD_KEY);
    String sealed = old.encrypt("message", "boom");

    assertThatThrownBy(() -> cipherOf("b:" + NEW_KEY).decrypt("message", sealed))
        .hasMessageContaining("key 'a'").hasMessageContaining("ledger.encryption.key-file");
    String altered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertThatThrownBy(() -> old.decrypt("message", altered)).hasMessageContaining("does not decrypt");
    assertThatThrownBy(() -> old.decrypt("stack_trace", sealed)).as("bound to its column")
        .hasMessageContaining("does not decrypt");
    assertThat(old.decrypt("message", "written before encryption")).isEqualTo("written before encryption");
  }

  @Test
  void aMissingOrMalformedKeyFileStopsTheStartNamingTheSettingButNeverAKey() throws Exception {
    Path bad = dir.resolve("bad.keys");
    Files.writeString(bad, "k1:" + Base64.getEncoder().encodeToString(new byte[7]) + "\n");
    try {
      for (String file : List.of(bad.toString(), dir.resolve("missing.keys").toString())) {
        Settings s = Settings.load(Map.of(), Optional.empty()).withOverrides(Map.of("ledger.encryption.key-file", file));
        assertThatThrownBy(() -> LedgerConfig.from(s)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("ledger.encryption.key-file").hasMessageNotContaining("AAAAAAAAAA");
      }
    } finally {
      Files.deleteIfExists(bad);
    }
  }
}
