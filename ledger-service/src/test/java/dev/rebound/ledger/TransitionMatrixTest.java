package dev.rebound.ledger;

import static dev.rebound.ledger.LedgerHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.DecisionAction;
import dev.rebound.common.message.Decision;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.DeadLetterSelection;
import dev.rebound.common.request.EnqueueRequest;
import dev.rebound.common.request.HeartbeatRequest;
import dev.rebound.common.request.PersonActionRequest;
import dev.rebound.ledger.domain.TaskOperation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operation from every state, against the real ledger: what {@link TaskOperation} allows
 * happens and lands in the target state; everything else is refused with the current state named
 * (or, for lease-holder operations, as a lost lease) and changes nothing.
 */
class TransitionMatrixTest {
  static LedgerHarness h;

  enum Op { CLAIM, COMPLETE, HEARTBEAT, FAIL, CANCEL, BLOCK, UNBLOCK, REDRIVE, DECIDE_RETRY, DECIDE_PARK, DECIDE_DEAD_LETTER,
    MANUAL_RETRY, MANUAL_PARK, MANUAL_RESUME }

  @BeforeAll
  static void start() throws Exception {
    h = LedgerHarness.start("matrix", Map.of("ledger.retry.base", "1h", "ledger.retry.cap", "1h",
        "ledger.retry.jitter", "none"));
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static Stream<Arguments> everyStateAndOperation() {
    List<Arguments> all = new ArrayList<>();
    for (TaskState s : TaskState.values()) {
      for (Op op : Op.values()) {
        all.add(Arguments.of(s, op));
      }
    }
    return all.stream();
  }

  /** A task in {@code state}, with the lease token of its last claim (null if never claimed). */
  record Subject(TaskView task, UUID lastToken) {
  }

  static Subject taskIn(TaskState state) throws Exception {
    String stage = "m-" + UUID.randomUUID().toString().substring(0, 8);
    int maxAttempts = state == TaskState.FAILED ? 1 : 5;
    TaskView t = TaskView.fromJson(await(h.client.enqueue(EnqueueRequest.builder(stage).maxAttempts(maxAttempts).build())).getJsonObject("task"));
    UUID token = null;
    switch (state) {
      case QUEUED -> { }
      case BLOCKED -> await(h.client.block(PersonActionRequest.of(t.id(), "test")));
      case CANCELLED -> await(h.client.cancel(PersonActionRequest.of(t.id(), "test")));
      default -> {
        TaskView c = await(h.client.claim(ClaimRequest.builder("w").stage(stage).build())).get(0);
        token = c.leaseToken();
        if (state == TaskState.DONE) {
          await(h.client.complete(CompleteRequest.of(c.id(), token, null)));
        } else if (state == TaskState.RETRY || state == TaskState.FAILED) {
          await(h.client.fail(failure(c.id(), c.attempt(), token)));
        }
      }
    }
    TaskView now = await(h.client.get(t.id()));
    assertThat(now.state()).as("setting up a task in " + state).isEqualTo(state);
    return new Subject(now, token);
  }

  static FailureEvent failure(UUID id, int attempt, UUID token) {
    return FailureEvent.builder().taskId(id).attempt(attempt).leaseToken(token).source("w").message("boom").build();
  }

  static TaskOperation operationOf(Op op) {
    return switch (op) {
      case CLAIM -> TaskOperation.CLAIM;
      case COMPLETE, HEARTBEAT -> TaskOperation.COMPLETE;  // both need the running lease
      case FAIL -> TaskOperation.FAIL;
      case CANCEL -> TaskOperation.CANCEL;
      case BLOCK -> TaskOperation.BLOCK;
      case UNBLOCK -> TaskOperation.UNBLOCK;
      case REDRIVE -> TaskOperation.REDRIVE;
      case DECIDE_RETRY -> TaskOperation.RETRY_AT;
      case DECIDE_PARK -> TaskOperation.PARK;
      case DECIDE_DEAD_LETTER -> TaskOperation.DEAD_LETTER;
      case MANUAL_RETRY -> TaskOperation.MANUAL_RETRY;
      case MANUAL_PARK -> TaskOperation.MANUAL_PARK;
      case MANUAL_RESUME -> TaskOperation.MANUAL_RESUME;
    };
  }

  @ParameterizedTest(name = "{1} from {0}")
  @MethodSource("everyStateAndOperation")
  void anOperationHappensExactlyWhenTheStateMachineAllowsIt(TaskState from, Op op) throws Exception {
    Subject s = taskIn(from);
    TaskView t = s.task();
    UUID token = s.lastToken() != null ? s.lastToken() : UUID.randomUUID();
    // a forced retry of a dead letter is its redrive
    boolean allowed = operationOf(op).allowedFrom(from) || op == Op.MANUAL_RETRY && TaskOperation.REDRIVE.allowedFrom(from);
    if (op == Op.CLAIM && from == TaskState.RETRY) {
      h.clock().advance(Duration.ofHours(2));  // a retry is claimable once it is due
    }
    Future<?> call = switch (op) {
      case CLAIM -> h.client.claim(ClaimRequest.builder("w2").stage(t.stage()).build());
      case COMPLETE -> h.client.complete(CompleteRequest.of(t.id(), token, null));
      case HEARTBEAT -> h.client.heartbeat(HeartbeatRequest.of(t.id(), token));
      case FAIL -> h.client.fail(failure(t.id(), Math.max(1, t.attempt()), token));
      case CANCEL -> h.client.cancel(PersonActionRequest.of(t.id(), "matrix"));
      case BLOCK -> h.client.block(PersonActionRequest.of(t.id(), "matrix"));
      case UNBLOCK -> h.client.unblock(PersonActionRequest.of(t.id(), "matrix"));
      case REDRIVE -> h.client.redrive(DeadLetterSelection.ofIds(List.of(t.id()), null));
      case DECIDE_RETRY -> h.client.decide(new Decision(t.id(), Math.max(1, t.attempt()), DecisionAction.RETRY, Instant.now(), "m", "m"));
      case DECIDE_PARK -> h.client.decide(new Decision(t.id(), Math.max(1, t.attempt()), DecisionAction.PARK, null, "m", "m"));
      case DECIDE_DEAD_LETTER -> h.client.decide(new Decision(t.id(), Math.max(1, t.attempt()), DecisionAction.DEAD_LETTER, null, "m", "m"));
      case MANUAL_RETRY -> h.client.retryNow(PersonActionRequest.of(t.id(), "matrix"));
      case MANUAL_PARK -> h.client.park(PersonActionRequest.of(t.id(), "matrix"));
      case MANUAL_RESUME -> h.client.resume(PersonActionRequest.of(t.id(), "matrix"));
    };
    Object outcome;
    try {
      outcome = await(call);
    } catch (ExecutionException e) {
      outcome = e.getCause();
    }
    TaskView after = await(h.client.get(t.id()));
    // a heartbeat extends the lease but is no transition: it leaves the version alone
    boolean moved = op == Op.HEARTBEAT ? !Objects.equals(after.leaseExpiresAt(), t.leaseExpiresAt())
        : after.version() != t.version();
    if (allowed && !(op.name().startsWith("DECIDE") && t.attempt() == 0)) {
      assertThat(outcome).as("%s from %s should succeed", op, from).isNotInstanceOf(Throwable.class);
      assertThat(moved).as("%s from %s moved the task", op, from).isTrue();
      TaskState target = operationOf(op).to();
      if (target != null && op != Op.HEARTBEAT) {
        assertThat(after.state()).isEqualTo(target);
      }
      return;
    }
    // refused: nothing changed, and the refusal says why
    assertThat(moved).as("%s from %s must change nothing", op, from).isFalse();
    switch (op) {
      case CLAIM -> assertThat((List<?>) outcome).isEmpty();
      case REDRIVE -> assertThat(((JsonObject) outcome).getInteger("redriven")).isZero();
      case DECIDE_RETRY, DECIDE_PARK, DECIDE_DEAD_LETTER -> {
        if (outcome instanceof ReboundException re) {
          assertThat(re.code()).isIn(ErrorCode.CONFLICT, ErrorCode.NOT_FOUND);  // no attempt yet
        } else {
          assertThat(((JsonObject) outcome).getBoolean("applied")).isFalse();
        }
      }
      case COMPLETE, HEARTBEAT -> assertThat(((ReboundException) outcome).code()).isEqualTo(ErrorCode.LEASE_LOST);
      case FAIL -> {
        if (outcome instanceof JsonObject repeat) {
          // the attempt already failed (that is how the task got here): a repeat is recognised, not applied
          assertThat(repeat.getBoolean("duplicate")).isTrue();
        } else {
          assertThat(((ReboundException) outcome).code()).isIn(ErrorCode.ILLEGAL_TRANSITION, ErrorCode.LEASE_LOST);
        }
      }
      default -> {
        assertThat(outcome).as("%s from %s is refused", op, from).isInstanceOf(ReboundException.class);
        ReboundException re = (ReboundException) outcome;
        assertThat(re.code()).isIn(ErrorCode.ILLEGAL_TRANSITION, ErrorCode.LEASE_LOST);
        if (re.code() == ErrorCode.ILLEGAL_TRANSITION) {
          assertThat(re.getMessage()).contains(from.name());
        }
      }
    }
  }
}
