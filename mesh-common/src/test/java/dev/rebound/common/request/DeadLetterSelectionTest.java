package dev.rebound.common.request;

import static dev.rebound.common.request.Refusals.badField;
import static dev.rebound.common.request.Refusals.refused;
import static dev.rebound.common.request.Refusals.unknownField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeadLetterSelectionTest {
  private static final UUID ID = UUID.fromString("00000000-0000-4000-8000-000000000001");

  @Test
  void aSelectionByIdsSurvivesTheRoundTrip() {
    DeadLetterSelection r = DeadLetterSelection.ofIds(List.of(ID), "fixed upstream");
    assertThat(DeadLetterSelection.fromJson(r.toJson())).isEqualTo(r);
  }

  @Test
  void aSelectionByFilterSurvivesTheRoundTripWithItsLimit() {
    DeadLetterSelection r = DeadLetterSelection.matching(new DeadLetterSelection.Filter("build", "wf-1"), 50, null);
    assertThat(DeadLetterSelection.fromJson(r.toJson())).isEqualTo(r);
    DeadLetterSelection byStage = DeadLetterSelection.fromJson(new JsonObject().put("filter", new JsonObject().put("stage", "b")));
    assertThat(byStage.limit()).isEqualTo(1000);
  }

  @Test
  void eitherIdsOrAFilterIsNeededButNotBoth() {
    refused(() -> DeadLetterSelection.fromJson(new JsonObject()), ErrorCode.BAD_REQUEST, "give either 'ids' or 'filter'");
    refused(() -> DeadLetterSelection.fromJson(new JsonObject().put("ids", new JsonArray()).put("filter", new JsonObject())),
        ErrorCode.BAD_REQUEST, "give either 'ids' or 'filter'");
  }

  @Test
  void eachInvalidFieldIsRefusedWithItsName() {
    unknownField(() -> DeadLetterSelection.fromJson(new JsonObject().put("id", ID.toString())), "id");
    unknownField(() -> DeadLetterSelection.fromJson(new JsonObject().put("filter", new JsonObject().put("state", "FAILED"))),
        "filter.state");
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("ids", "all")), "ids", "'ids' must be a JSON array");
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("ids", new JsonArray().add(ID.toString()).add(7))),
        "ids[1]", "'ids[1]' must be a UUID string");
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("ids", new JsonArray().add("x"))), "ids[0]",
        "'ids[0]' must be a UUID, was 'x'");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i <= 10_000; i++) {
      tooMany.add(ID.toString());
    }
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("ids", tooMany)), "ids",
        "'ids' has more than 10000 items");
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("filter", "build")), "filter",
        "'filter' must be a JSON object");
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("filter", new JsonObject().put("stage", "a b"))),
        "stage", "'stage' may only contain letters, digits and . _ : / - (was 'a b')");
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("filter", new JsonObject()).put("limit", 10_001)),
        "limit", "'limit' must be between 1 and 10000, was 10001");
    badField(() -> DeadLetterSelection.fromJson(new JsonObject().put("ids", new JsonArray()).put("reason", 1)), "reason",
        "'reason' must be a string");
  }
}
