package dev.rebound.ledger.store;

import dev.rebound.common.service.Origin;
import static dev.rebound.ledger.store.Timestamps.ts;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.message.Transition;
import dev.rebound.ledger.domain.TaskOperation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the guarded transition statements of {@link LedgerSql#transition} (shared by tasks, failures
 * and decisions, on a pool or inside a transaction) and explains refusals.
 */
final class Transitions {
  private Transitions() {
  }

  /** Parameters $1..$5 are now, reason, actor, correlation id, error; {@code opArgs} follow from $6. */
  static Future<Changed> run(SqlClient client, Instant now, String sql, Tuple opArgs, String reason, String error,
                             Origin origin) {
    List<Object> args = new ArrayList<>(Arrays.asList(ts(now), reason, origin.actor(), origin.correlationId(), error));
    for (int i = 0; i < opArgs.size(); i++) {
      args.add(opArgs.getValue(i));
    }
    return client.preparedQuery(sql).execute(Tuple.tuple(args)).map(rows -> {
      List<TaskView> tasks = new ArrayList<>();
      List<Transition> transitions = new ArrayList<>();
      for (Row r : rows) {
        tasks.add(TaskRows.view(r));
        transitions.add(TaskRows.transition(r, reason, error, origin.actor(), origin.correlationId(), now));
      }
      return new Changed(tasks, transitions);
    });
  }

  static ReboundException illegal(TaskOperation op, UUID id, TaskState current) {
    return new ReboundException(ErrorCode.ILLEGAL_TRANSITION, op.refusal(current) + ": task " + id,
        new JsonObject().put("taskId", id.toString()).put("state", current.name()).put("operation", op.name()));
  }

  /** State and lease token of each task that exists. */
  static Future<Map<UUID, Row>> statesOf(SqlClient client, List<UUID> ids) {
    return client.preparedQuery(LedgerSql.STATES_BY_IDS).execute(Tuple.of(TaskRows.uuids(ids))).map(rows -> {
      Map<UUID, Row> m = new HashMap<>();
      for (Row r : rows) {
        m.put(r.getUUID("id"), r);
      }
      return m;
    });
  }

  /** A lease holder's operation was refused: the task is unknown (null) or someone else holds it now. */
  static ReboundException leaseRefusal(UUID id, Row current) {
    if (current == null) {
      return ReboundException.notFound("task", id);
    }
    String state = current.getString("state");
    return new ReboundException(ErrorCode.LEASE_LOST,
        "the lease on task " + id + " is no longer yours (task is " + state + ")",
        new JsonObject().put("taskId", id.toString()).put("state", state));
  }

  static String reasonOr(String reason, String def) {
    return reason == null || reason.isBlank() ? def : reason;
  }
}
