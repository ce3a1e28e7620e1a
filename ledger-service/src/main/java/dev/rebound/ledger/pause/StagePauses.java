package dev.rebound.ledger.pause;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.Transition;
import dev.rebound.common.request.StageActionRequest;
import dev.rebound.common.service.Origin;
import dev.rebound.common.text.Redactor;
import dev.rebound.ledger.claim.ClaimWakeups;
import dev.rebound.ledger.domain.StagePause;
import dev.rebound.ledger.store.StagePauseStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage pauses, from circuit transitions ({@code rebound.events.circuits}) and from people: applies
 * what {@link StagePause} says to the stored pause, chooses a half-open stage's probe, and releases the
 * parked tasks of resumed stages at the configured rate (the sweep, {@link #releaseStep()}). After a
 * commit it publishes the tasks' transitions and wakes the claims the change concerns.
 */
public final class StagePauses {
  private static final Logger LOG = LoggerFactory.getLogger(StagePauses.class);
  private static final Origin UNPARKER = new Origin("ledger:unpark", null);

  private final StagePauseStore store;
  private final ClaimWakeups wakeups;
  private final Consumer<List<Transition>> publish;
  private final Clock clock;
  private final int releaseBatch;
  private final Redactor redactor = new Redactor();

  /** @param perSecond the most parked tasks released per second, over all instances */
  public StagePauses(StagePauseStore store, ClaimWakeups wakeups, Consumer<List<Transition>> publish, Clock clock,
                     int perSecond) {
    this.store = store;
    this.wakeups = wakeups;
    this.publish = publish;
    this.clock = clock;
    this.releaseBatch = StagePause.releaseBatch(perSecond, StagePause.RELEASE_WINDOW);
  }

  // ---------------------------------------------------------------- circuit transitions

  /** An observed circuit transition; anything the ledger does not act on is logged (redacted) and ignored. */
  public Future<Void> onCircuitTransition(JsonObject event) {
    StagePause.Verdict verdict;
    try {
      verdict = StagePause.judge(text(event, "name"), text(event, "to"), time(event), text(event, "reason"),
          text(event, "actor"));
    } catch (ReboundException | ClassCastException e) {
      verdict = new StagePause.Ignored("malformed event: " + e.getMessage());
    }
    if (verdict instanceof StagePause.Ignored ignored) {
      LOG.info("circuit transition ignored ({}): {}", ignored.why(),
          JsonFields.abbreviate(redactor.redact(event.encode()), 300));
      return Future.succeededFuture();
    }
    StagePause.Change change = (StagePause.Change) verdict;
    return apply(new StagePause.Change(change.stage(), change.step(), redactor.redact(change.reason()),
        change.actor(), change.at()), new Origin(change.actor(), null)).mapEmpty();
  }

  private static String text(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw ReboundException.invalidField(field, "must be a string");
    }
    return (String) v;
  }

  private static Instant time(JsonObject o) {
    String at = text(o, "at");
    try {
      return at == null ? null : Instant.parse(at);
    } catch (DateTimeParseException e) {
      throw ReboundException.invalidField("at", "is not an ISO-8601 instant");
    }
  }

  /** Applies a change once (across instances); the pause as changed, or null when it was not newer. */
  private Future<StagePauseStore.Pause> apply(StagePause.Change change, Origin origin) {
    return store.apply(change).compose(pause -> {
      if (pause == null) {
        return Future.succeededFuture(null);
      }
      LOG.info("stage {} is {} ({}, by {})", change.stage(), pause.state(), change.reason(), change.actor());
      Future<?> then = switch (change.step()) {
        case PAUSE -> Future.succeededFuture();
        case PROBE -> probe(change.stage(), origin);
        case RELEASE -> {
          wakeups.claimable(change.stage(), null);  // its waiting tasks are claimable again
          yield releaseStep();
        }
      };
      return then.map(pause);
    });
  }

  /** Lets the stage's one probe through (a parked task is released for it), if it is still to be chosen. */
  private Future<Void> probe(String stage, Origin origin) {
    return store.releaseProbe(stage, "probe: circuit stage:" + stage + " is half-open", origin).map(probe -> {
      if (probe != null) {
        publish.accept(probe.released().transitions());
        wakeups.claimable(stage, null);
        LOG.info("stage {}: task {} is the probe", stage, probe.task());
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- the release sweep

  /**
   * One step: releases at most the configured batch of parked tasks of resumed stages whose release
   * is due (shared pace across instances), ends the release of stages with nothing parked left, and
   * chooses the probe of half-open stages that had none to choose from before.
   *
   * @return how many tasks were released
   */
  public Future<Integer> releaseStep() {
    return store.unparkStep(releaseBatch, StagePause.RELEASE_WINDOW, "released: the stage resumed", UNPARKER).compose(changed -> {
      publish.accept(changed.transitions());
      Map<String, Integer> perStage = new LinkedHashMap<>();
      changed.transitions().forEach(t -> perStage.merge(t.stage(), 1, Integer::sum));
      perStage.forEach((stage, n) -> wakeups.claimable(stage, null, null, n));
      return store.endReleases()
          .compose(ended -> store.stagesAwaitingProbe())
          .compose(stages -> {
            Future<Void> all = Future.succeededFuture();
            for (String stage : stages) {
              all = all.compose(v -> probe(stage, UNPARKER));
            }
            return all;
          })
          .map(changed.tasks().size());
    });
  }

  // ---------------------------------------------------------------- people

  public Future<JsonObject> pause(StageActionRequest request, Origin origin) {
    String reason = request.reason() == null ? "paused by hand" : redactor.redact(request.reason());
    StagePause.Change change = new StagePause.Change(request.stage(), StagePause.Step.PAUSE, reason, origin.actor(),
        clock.instant());
    return apply(change, origin).compose(p -> p != null ? Future.succeededFuture(p) : store.pauseOf(request.stage()))
        .map(StagePauses::toJson);
  }

  /** Resumes a paused stage (409 when it is not paused) and starts releasing its parked tasks. */
  public Future<JsonObject> resume(StageActionRequest request, Origin origin) {
    return store.pauseOf(request.stage()).compose(current -> {
      if (current == null || !current.state().holdsClaims()) {
        return Future.failedFuture(new ReboundException(ErrorCode.ILLEGAL_TRANSITION, "stage " + request.stage()
            + " is not paused", new JsonObject().put("stage", request.stage())
            .put("state", current == null ? "RUNNING" : current.state().name())));
      }
      String reason = request.reason() == null ? "resumed by hand" : redactor.redact(request.reason());
      StagePause.Change change = new StagePause.Change(request.stage(), StagePause.Step.RELEASE, reason, origin.actor(),
          clock.instant());
      return apply(change, origin).compose(p -> store.pauseOf(request.stage()))
          .map(p -> p == null ? new JsonObject().put("stage", request.stage()).put("state", "RUNNING") : toJson(p));
    });
  }

  public Future<JsonObject> list() {
    return store.pauses(false).map(pauses -> {
      List<Object> out = new ArrayList<>();
      pauses.forEach(p -> out.add(toJson(p)));
      return new JsonObject().put("stages", new JsonArray(out));
    });
  }

  static JsonObject toJson(StagePauseStore.Pause p) {
    JsonObject o = new JsonObject().put("stage", p.stage()).put("state", p.state().name())
        .put("pausedBy", p.pausedBy()).put("since", p.since().toString());
    if (p.reason() != null) {
      o.put("reason", p.reason());
    }
    if (p.probeTask() != null) {
      o.put("probeTask", p.probeTask().toString());
    }
    return o;
  }
}
