package dev.rebound.ledger.store;

import static dev.rebound.ledger.store.Timestamps.instant;
import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.service.Origin;
import dev.rebound.ledger.domain.StagePause;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Stage pauses ({@code ledger.stage_pauses}): set by circuit transitions and people, honoured by the
 * claim statement. Every write is conditional, so several instances applying the same event change
 * the pause once.
 */
public final class StagePauseStore {
  private final Pool pool;
  private final Clock clock;

  public StagePauseStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** A stage's pause as stored. */
  public record Pause(String stage, StagePause.State state, String reason, String pausedBy, Instant since,
                      Instant eventAt, int probeAllowance, UUID probeTask) {
  }

  /** The probe chosen for a half-open stage: {@code released} when it was a parked task (null otherwise). */
  public record Probe(UUID task, Changed released) {
  }

  /**
   * Applies {@code change} if it is newer than the last change the stage's pause took.
   *
   * @return the pause as changed, or null when this change was not newer (a repeat, or late)
   */
  public Future<Pause> apply(StagePause.Change change) {
    StagePause.State state = StagePause.after(change.step());
    int allowance = change.step() == StagePause.Step.PROBE ? 1 : 0;
    Tuple args = Tuple.tuple(Arrays.asList(ts(clock.instant()), state.name(), change.reason(), change.actor(),
        allowance, ts(change.at()), change.stage()));
    return pool.preparedQuery(LedgerSql.SET_PAUSE).execute(args).map(StagePauseStore::first);
  }

  public Future<Pause> pauseOf(String stage) {
    return pool.preparedQuery(LedgerSql.PAUSE_OF_STAGE).execute(Tuple.of(stage)).map(StagePauseStore::first);
  }

  /** @param heldOnly only PAUSED and PROBING stages (not those still releasing their parked tasks) */
  public Future<List<Pause>> pauses(boolean heldOnly) {
    return pool.preparedQuery(LedgerSql.PAUSES).execute(Tuple.of(heldOnly)).map(rows -> {
      List<Pause> out = new ArrayList<>();
      rows.forEach(r -> out.add(pause(r)));
      return out;
    });
  }

  /** Chooses the probe of a half-open stage, once across instances; null when none was chosen. */
  public Future<Probe> releaseProbe(String stage, String reason, Origin origin) {
    Instant now = clock.instant();
    Tuple args = Tuple.tuple(Arrays.asList(ts(now), reason, origin.actor(), origin.correlationId(), null, stage));
    return pool.preparedQuery(LedgerSql.RELEASE_PROBE).execute(args).map(rows -> {
      Row r = rows.iterator().next();
      UUID probe = r.getUUID("probe");
      if (probe == null) {
        return null;
      }
      Changed released = r.getUUID("id") == null ? Changed.NOTHING : new Changed(List.of(TaskRows.view(r)),
          List.of(TaskRows.transition(r, reason, null, origin.actor(), origin.correlationId(), now)));
      return new Probe(probe, released);
    });
  }

  public Future<List<String>> stagesAwaitingProbe() {
    return pool.preparedQuery(LedgerSql.STAGES_AWAITING_PROBE).execute().map(StagePauseStore::stages);
  }

  /** Releases at most {@code limit} parked tasks of the resumed stages whose release is due; the next one is {@code every} later. */
  public Future<Changed> unparkStep(int limit, Duration every, String reason, Origin origin) {
    return Transitions.run(pool, clock.instant(), LedgerSql.UNPARK_STEP, Tuple.of(limit, every.toMillis()), reason,
        null, origin);
  }

  /** Ends the release of resumed stages that have nothing parked left. */
  public Future<List<String>> endReleases() {
    return pool.preparedQuery(LedgerSql.END_RELEASES).execute().map(StagePauseStore::stages);
  }

  private static List<String> stages(RowSet<Row> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getString("stage")));
    return out;
  }

  private static Pause first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : pause(rows.iterator().next());
  }

  private static Pause pause(Row r) {
    return new Pause(r.getString("stage"), StagePause.State.valueOf(r.getString("state")), r.getString("reason"),
        r.getString("paused_by"), instant(r, "since"), instant(r, "event_at"), r.getInteger("probe_allowance"),
        r.getUUID("probe_task"));
  }
}
