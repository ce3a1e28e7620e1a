package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.Addresses;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.PersonActionRequest;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The transitions the ledger publishes on {@code rebound.events.tasks} name the task's agent, whatever moved it. */
class TransitionEventsTest {
  static LedgerHarness h;
  static final List<Transition> published = new CopyOnWriteArrayList<>();
  static MessageConsumer<JsonObject> observer;

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("events", Map.of("ledger.retry.base", "1s", "ledger.retry.jitter", "none"));
    observer = h.vertx.eventBus().consumer(Addresses.EVENTS_TASKS, m -> published.add(Transition.fromJson(m.body())));
    await(observer.completion());
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  @Test
  void everyTransitionOfATaskWithAnAgentNamesTheAgent() throws Exception {
    String stage = "ev-" + UUID.randomUUID().toString().substring(0, 8);
    TaskView t = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage).agent("agent-7").build()))
        .getJsonObject("task"));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    await(h.client.fail(FailureEvent.builder().taskId(c.id()).attempt(1).leaseToken(c.leaseToken()).message("boom").build()));
    await(h.client.decide(new Decision(t.id(), 1, DecisionAction.PARK, null, "circuit open", "retry-service")));
    await(h.client.unblock(PersonActionRequest.of(t.id(), "go")));
    h.clock().advance(Duration.ofSeconds(5));
    c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    await(h.client.complete(CompleteRequest.of(c.id(), c.leaseToken(), null)));

    Set<TaskState> expected = EnumSet.of(TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRY, TaskState.BLOCKED,
        TaskState.DONE);
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline && !statesOf(t.id()).containsAll(expected)) {
      Thread.sleep(20);
    }
    assertThat(statesOf(t.id())).containsAll(expected);
    assertThat(published.stream().filter(tr -> tr.taskId().equals(t.id())).map(Transition::agent))
        .containsOnly("agent-7");
  }

  @Test
  void aDeadLetterByTheRetryServicesDecisionCarriesTheFailureThatCausedIt() throws Exception {
    String stage = "ev-" + UUID.randomUUID().toString().substring(0, 8);
    TaskView t = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage).build())).getJsonObject("task"));
    TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
    await(h.client.fail(FailureEvent.builder().taskId(c.id()).attempt(1).leaseToken(c.leaseToken())
        .message("HttpError: Bad credentials").httpStatus(401).build()));
    await(h.client.decide(new Decision(t.id(), 1, DecisionAction.DEAD_LETTER, null, "permanent", "retry-service")));

    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline && !statesOf(t.id()).contains(TaskState.FAILED)) {
      Thread.sleep(20);
    }
    Transition deadLetter = published.stream().filter(tr -> tr.taskId().equals(t.id()) && tr.to() == TaskState.FAILED)
        .findFirst().orElseThrow();
    assertThat(deadLetter.error()).contains("Bad credentials");
  }

  static Set<TaskState> statesOf(UUID id) {
    return published.stream().filter(tr -> tr.taskId().equals(id)).map(Transition::to).collect(Collectors.toSet());
  }
}
