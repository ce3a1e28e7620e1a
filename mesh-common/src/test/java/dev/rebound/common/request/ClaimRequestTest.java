package dev.rebound.common.request;

import static dev.rebound.common.request.Refusals.LIMITS;
import static dev.rebound.common.request.Refusals.badField;
import static dev.rebound.common.request.Refusals.unknownField;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ClaimRequestTest {
  private static JsonObject valid() {
    return new JsonObject().put("worker", "w-1");
  }

  @Test
  void aFullRequestSurvivesTheRoundTripThroughJson() {
    ClaimRequest r = ClaimRequest.builder("w-1").stage("build").type("compile").limit(5).leaseMs(2_000).waitMs(1_000)
        .build();
    assertThat(ClaimRequest.fromJson(r.toJson(), LIMITS)).isEqualTo(r);
  }

  @Test
  void aBareClaimTakesOneTaskWithTheDefaultLeaseAndDoesNotWait() {
    ClaimRequest r = ClaimRequest.fromJson(valid(), LIMITS);
    assertThat(r.limit()).isEqualTo(1);
    assertThat(r.leaseMs()).isNull();
    assertThat(r.waitMs()).isZero();
  }

  @Test
  void anUnknownFieldIsRefusedByName() {
    unknownField(() -> ClaimRequest.fromJson(valid().put("leaseMS", 1000), LIMITS), "leaseMS");
  }

  @Test
  void eachInvalidFieldIsRefusedWithTheLedgersBounds() {
    badField(() -> ClaimRequest.fromJson(new JsonObject(), LIMITS), "worker", "'worker' is required");
    badField(() -> ClaimRequest.fromJson(valid().put("leaseMs", 60_001), LIMITS), "leaseMs",
        "'leaseMs' must be between 100 and 60000, was 60001");
    badField(() -> ClaimRequest.fromJson(valid().put("stage", "a b"), LIMITS), "stage",
        "'stage' may only contain letters, digits and . _ : / - (was 'a b')");
    badField(() -> ClaimRequest.fromJson(valid().put("type", "a b"), LIMITS), "type",
        "'type' may only contain letters, digits and . _ : / - (was 'a b')");
    badField(() -> ClaimRequest.fromJson(valid().put("limit", 11), LIMITS), "limit",
        "'limit' must be between 1 and 10, was 11");
    badField(() -> ClaimRequest.fromJson(valid().put("waitMs", 1.5), LIMITS), "waitMs",
        "'waitMs' must be an integer between 0 and 30000");
  }
}
