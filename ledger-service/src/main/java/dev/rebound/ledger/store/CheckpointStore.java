package dev.rebound.ledger.store;

import static dev.rebound.ledger.store.Timestamps.instant;
import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.ledger.domain.CheckpointIntegrity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Checkpoints of running tasks: saved by the lease holder, the newest few kept, read back verified. */
public final class CheckpointStore {
  private final Pool pool;
  private final Clock clock;

  public CheckpointStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** The JSON shape of a checkpoint, in a claimed task and in the latest-checkpoint answer. */
  public static JsonObject toJson(CheckpointIntegrity.Stored c) {
    return new JsonObject().put("sequence", c.sequence()).put("state", new JsonObject(c.state()))
        .put("checksum", c.checksum()).put("attempt", c.attempt()).put("createdAt", c.createdAt());
  }

  public record Saved(UUID taskId, long sequence, String checksum) {
  }

  /** Saves a checkpoint for the lease holder and keeps the newest {@code keep}. */
  public Future<Saved> save(UUID taskId, UUID leaseToken, long sequence, String stateJson, String checksum, int keep) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(LedgerSql.INSERT_CHECKPOINT)
        .execute(Tuple.of(taskId, sequence, stateJson, checksum, ts(now), leaseToken))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Transitions.statesOf(conn, List.of(taskId)).compose(st -> {
              Row cur = st.get(taskId);
              if (cur != null && "RUNNING".equals(cur.getString("state")) && leaseToken.equals(cur.getUUID("lease_token"))) {
                return Future.failedFuture(new ReboundException(ErrorCode.CONFLICT,
                    "checkpoint " + sequence + " of task " + taskId + " already exists",
                    new JsonObject().put("sequence", sequence)));
              }
              return Future.failedFuture(Transitions.leaseRefusal(taskId, cur));
            });
          }
          return conn.preparedQuery(LedgerSql.TRIM_CHECKPOINTS).execute(Tuple.of(taskId, keep))
              .map(v -> new Saved(taskId, sequence, checksum));
        }));
  }

  /** The newest intact checkpoint of a task and the sequences found corrupt on the way. */
  public Future<CheckpointIntegrity.Selection> latest(UUID taskId) {
    return pool.preparedQuery(LedgerSql.CHECKPOINTS_OF_TASK).execute(Tuple.of(taskId)).map(rows -> {
      List<CheckpointIntegrity.Stored> all = new ArrayList<>();
      for (Row r : rows) {
        all.add(new CheckpointIntegrity.Stored(r.getLong("seq"), r.getString("state"), r.getString("checksum"),
            r.getInteger("attempt"), instant(r, "created_at").toString()));
      }
      return CheckpointIntegrity.select(all);
    });
  }
}
