package dev.rebound.common.request;

import static dev.rebound.common.request.Refusals.LIMITS;
import static dev.rebound.common.request.Refusals.badField;
import static dev.rebound.common.request.Refusals.refused;
import static dev.rebound.common.request.Refusals.unknownField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The lease holder's and people's requests: heartbeat, checkpoint, complete, cancel/block/unblock. */
class TaskChangesTest {
  private static final UUID ID = UUID.fromString("00000000-0000-4000-8000-000000000001");
  private static final UUID TOKEN = UUID.fromString("00000000-0000-4000-8000-000000000002");

  private static JsonObject leased() {
    return new JsonObject().put("id", ID.toString()).put("leaseToken", TOKEN.toString());
  }

  @Test
  void aPersonsActionSurvivesTheRoundTripWithItsExpectedVersion() {
    PersonActionRequest r = new PersonActionRequest(ID, "waiting for a human", 4L);
    assertThat(PersonActionRequest.fromJson(r.toJson())).isEqualTo(r);
    assertThat(PersonActionRequest.fromJson(PersonActionRequest.of(ID, null).toJson())).isEqualTo(PersonActionRequest.of(ID, null));
  }

  @Test
  void aPersonsActionRefusesATypoThatWouldDropItsGuard() {
    unknownField(() -> PersonActionRequest.fromJson(new JsonObject().put("id", ID.toString()).put("expectedVerison", 1)),
        "expectedVerison");
    badField(() -> PersonActionRequest.fromJson(new JsonObject()), "id", "'id' is required");
    badField(() -> PersonActionRequest.fromJson(new JsonObject().put("id", ID.toString()).put("expectedVersion", 0)),
        "expectedVersion", "'expectedVersion' must be between 1 and 9223372036854775807, was 0");
    badField(() -> PersonActionRequest.fromJson(new JsonObject().put("id", ID.toString()).put("reason", "x".repeat(2001))),
        "reason", "'reason' is longer than 2000 characters");
  }

  @Test
  void aCompletionSurvivesTheRoundTripWithOrWithoutAResult() {
    CompleteRequest withResult = new CompleteRequest(ID, TOKEN, "{\"ok\":true}", "alice");
    assertThat(CompleteRequest.fromJson(withResult.toJson(), LIMITS)).isEqualTo(withResult);
    CompleteRequest bare = CompleteRequest.of(ID, TOKEN, null);
    assertThat(CompleteRequest.fromJson(bare.toJson(), LIMITS)).isEqualTo(bare);
  }

  @Test
  void aCompletionRefusesEachInvalidField() {
    unknownField(() -> CompleteRequest.fromJson(leased().put("results", 1), LIMITS), "results");
    badField(() -> CompleteRequest.fromJson(new JsonObject().put("leaseToken", TOKEN.toString()), LIMITS), "id",
        "'id' is required");
    badField(() -> CompleteRequest.fromJson(new JsonObject().put("id", ID.toString()), LIMITS), "leaseToken",
        "'leaseToken' is required");
    badField(() -> CompleteRequest.fromJson(leased().put("result", "a\u0000"), LIMITS), "result",
        "'result' contains a NUL character");
    refused(() -> CompleteRequest.fromJson(leased().put("result", "x".repeat(99)), LIMITS), ErrorCode.PAYLOAD_TOO_LARGE,
        "result is 101 bytes, over the limit of 100 bytes");
    badField(() -> CompleteRequest.fromJson(leased().put("actor", 1), LIMITS), "actor", "'actor' must be a string");
  }

  @Test
  void aCheckpointSurvivesTheRoundTrip() {
    CheckpointRequest r = CheckpointRequest.of(ID, TOKEN, 3, new JsonObject().put("offset", 42), "ab".repeat(32));
    assertThat(CheckpointRequest.fromJson(r.toJson(), LIMITS)).isEqualTo(r);
  }

  @Test
  void aCheckpointRefusesEachInvalidField() {
    JsonObject state = new JsonObject().put("offset", 1);
    unknownField(() -> CheckpointRequest.fromJson(leased().put("sequence", 1).put("state", state).put("seq", 1), LIMITS),
        "seq");
    badField(() -> CheckpointRequest.fromJson(leased().put("state", state), LIMITS), "sequence", "'sequence' is required");
    badField(() -> CheckpointRequest.fromJson(leased().put("sequence", -1).put("state", state), LIMITS), "sequence",
        "'sequence' must be between 0 and 9223372036854775807, was -1");
    badField(() -> CheckpointRequest.fromJson(leased().put("sequence", 1), LIMITS), "state",
        "'state' is required (a JSON object)");
    refused(() -> CheckpointRequest.fromJson(leased().put("sequence", 1)
            .put("state", new JsonObject().put("k", "x".repeat(100))), LIMITS), ErrorCode.PAYLOAD_TOO_LARGE,
        "checkpoint state is 108 bytes, over the limit of 100 bytes");
    badField(() -> CheckpointRequest.fromJson(leased().put("sequence", 1).put("state", state).put("checksum", "0".repeat(65)),
        LIMITS), "checksum", "'checksum' is longer than 64 characters");
  }

  @Test
  void aHeartbeatCarriesItsCheckpointWithoutRepeatingTheTaskAndLease() {
    CheckpointRequest checkpoint = CheckpointRequest.of(ID, TOKEN, 7, new JsonObject().put("offset", 4200), null);
    HeartbeatRequest r = new HeartbeatRequest(ID, TOKEN, 5_000L, checkpoint);
    assertThat(r.toJson().getJsonObject("checkpoint").fieldNames()).containsExactlyInAnyOrder("sequence", "state");
    assertThat(HeartbeatRequest.fromJson(r.toJson(), LIMITS)).isEqualTo(r);
    assertThat(HeartbeatRequest.fromJson(HeartbeatRequest.of(ID, TOKEN).toJson(), LIMITS)).isEqualTo(HeartbeatRequest.of(ID, TOKEN));
  }

  @Test
  void aHeartbeatRefusesEachInvalidFieldItsCheckpointsIncluded() {
    unknownField(() -> HeartbeatRequest.fromJson(leased().put("lease", 1), LIMITS), "lease");
    badField(() -> HeartbeatRequest.fromJson(new JsonObject().put("leaseToken", TOKEN.toString()), LIMITS), "id",
        "'id' is required");
    badField(() -> HeartbeatRequest.fromJson(leased().put("leaseMs", 99), LIMITS), "leaseMs",
        "'leaseMs' must be between 100 and 60000, was 99");
    badField(() -> HeartbeatRequest.fromJson(leased().put("checkpoint", 1), LIMITS), "checkpoint",
        "'checkpoint' must be a JSON object");
    unknownField(() -> HeartbeatRequest.fromJson(leased().put("checkpoint", new JsonObject().put("sequence", 1)
        .put("state", new JsonObject()).put("id", UUID.randomUUID().toString())), LIMITS), "checkpoint.id");
    badField(() -> HeartbeatRequest.fromJson(leased().put("checkpoint", new JsonObject().put("sequence", 1)), LIMITS),
        "state", "'state' is required (a JSON object)");
  }

  @Test
  void aHeartbeatsCheckpointMustBeForTheSameTaskAndLease() {
    CheckpointRequest other = CheckpointRequest.of(ID, UUID.randomUUID(), 1, new JsonObject(), null);
    assertThatThrownBy(() -> new HeartbeatRequest(ID, TOKEN, null, other)).isInstanceOf(IllegalArgumentException.class);
  }
}
