package dev.rebound.common.request;

import static dev.rebound.common.request.Refusals.badField;
import static dev.rebound.common.request.Refusals.unknownField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.message.TaskState;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The read-only requests: one task by id, task listings, the dead-letter queue, the stats. */
class TaskQueriesTest {
  private static final UUID ID = UUID.fromString("00000000-0000-4000-8000-000000000001");

  @Test
  void aTaskIdSurvivesTheRoundTripAndNothingElseIsAccepted() {
    TaskIdRequest r = new TaskIdRequest(ID);
    assertThat(TaskIdRequest.fromJson(r.toJson())).isEqualTo(r);
    badField(() -> TaskIdRequest.fromJson(new JsonObject()), "id", "'id' is required");
    badField(() -> TaskIdRequest.fromJson(new JsonObject().put("id", "nope")), "id", "'id' must be a UUID, was 'nope'");
    unknownField(() -> TaskIdRequest.fromJson(r.toJson().put("stage", "x")), "stage");
  }

  @Test
  void aListingSurvivesTheRoundTripAndDefaultsToAHundredTasks() {
    ListTasksRequest r = ListTasksRequest.builder().state(TaskState.RETRY).stage("build").workflowId("wf-1")
        .agent("bot").after(ID).limit(7).build();
    assertThat(ListTasksRequest.fromJson(r.toJson())).isEqualTo(r);
    assertThat(ListTasksRequest.fromJson(new JsonObject()).limit()).isEqualTo(100);
  }

  @Test
  void aListingRefusesEachInvalidFieldAndUnknownOnesByName() {
    badField(() -> ListTasksRequest.fromJson(new JsonObject().put("state", "DONEISH")), "state",
        "'state' must be one of [QUEUED, RUNNING, RETRY, BLOCKED, DONE, FAILED, CANCELLED], was 'DONEISH'");
    badField(() -> ListTasksRequest.fromJson(new JsonObject().put("stage", "a b")), "stage",
        "'stage' may only contain letters, digits and . _ : / - (was 'a b')");
    badField(() -> ListTasksRequest.fromJson(new JsonObject().put("workflowId", "a b")), "workflowId",
        "'workflowId' may only contain letters, digits and . _ : / - (was 'a b')");
    badField(() -> ListTasksRequest.fromJson(new JsonObject().put("agent", 3)), "agent", "'agent' must be a string");
    badField(() -> ListTasksRequest.fromJson(new JsonObject().put("after", "x")), "after", "'after' must be a UUID, was 'x'");
    badField(() -> ListTasksRequest.fromJson(new JsonObject().put("limit", 1001)), "limit",
        "'limit' must be between 1 and 1000, was 1001");
    unknownField(() -> ListTasksRequest.fromJson(new JsonObject().put("sort", "id")), "sort");
  }

  @Test
  void aDeadLetterPageIsATaskListingOfFailedTasks() {
    DeadLetterQuery q = new DeadLetterQuery("build", "wf-1", "bot", ID, 20);
    assertThat(DeadLetterQuery.fromJson(q.toJson())).isEqualTo(q);
    assertThat(q.toTaskQuery()).isEqualTo(new ListTasksRequest(TaskState.FAILED, "build", "wf-1", "bot", ID, 20));
    assertThat(DeadLetterQuery.ofStage("build").toTaskQuery().limit()).isEqualTo(100);
  }

  @Test
  void aDeadLetterPageRefusesAStateAndInvalidFields() {
    unknownField(() -> DeadLetterQuery.fromJson(new JsonObject().put("state", "DONE")), "state");
    badField(() -> DeadLetterQuery.fromJson(new JsonObject().put("stage", "a b")), "stage",
        "'stage' may only contain letters, digits and . _ : / - (was 'a b')");
    badField(() -> DeadLetterQuery.fromJson(new JsonObject().put("limit", 0)), "limit",
        "'limit' must be between 1 and 1000, was 0");
  }

  @Test
  void theStatsTakeNoArguments() {
    assertThat(StatsRequest.fromJson(new StatsRequest().toJson())).isEqualTo(new StatsRequest());
    unknownField(() -> StatsRequest.fromJson(new JsonObject().put("stage", "x")), "stage");
  }
}
