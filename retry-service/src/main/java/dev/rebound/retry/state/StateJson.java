package dev.rebound.retry.state;

import dev.rebound.retry.domain.BudgetSnapshot;
import dev.rebound.retry.domain.CircuitSnapshot;
import dev.rebound.retry.domain.CircuitState;
import dev.rebound.retry.domain.SlidingWindow;
import dev.rebound.retry.domain.WorkflowWindow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one JSON shape of the shared retry state: circuits, budgets and workflow windows as they are kept in
 * cluster-wide shared data (as text, so any cluster member reads them) and, for circuits, in
 * {@code retry.circuits}. Buckets are compact arrays ({@code [start, calls, failures]}).
 */
public final class StateJson {
  private StateJson() {
  }

  public static JsonObject circuit(CircuitSnapshot c) {
    JsonArray window = new JsonArray();
    c.window().buckets().forEach(b -> window.add(new JsonArray().add(b.start()).add(b.calls()).add(b.failures())));
    JsonObject o = new JsonObject().put("name", c.name()).put("state", c.state().name())
        .put("since", c.since().toString());
    if (c.openUntil() != null) {
      o.put("openUntil", c.openUntil().toString());
    }
    return o.put("consecutiveFailures", c.consecutiveFailures()).put("window", window).put("opens", c.opens())
        .put("probesAdmitted", c.probesAdmitted()).put("probeSuccesses", c.probeSuccesses())
        .put("reason", c.reason()).put("version", c.version());
  }

  public static CircuitSnapshot circuit(JsonObject o) {
    List<SlidingWindow.Bucket> buckets = new ArrayList<>();
    for (Object b : o.getJsonArray("window", new JsonArray())) {
      JsonArray a = (JsonArray) b;
      buckets.add(new SlidingWindow.Bucket(a.getLong(0), a.getInteger(1), a.getInteger(2)));
    }
    String until = o.getString("openUntil");
    return new CircuitSnapshot(o.getString("name"), CircuitState.valueOf(o.getString("state")),
        Instant.parse(o.getString("since")), until == null ? null : Instant.parse(until),
        o.getInteger("consecutiveFailures", 0), new SlidingWindow(buckets), o.getInteger("opens", 0),
        o.getInteger("probesAdmitted", 0), o.getInteger("probeSuccesses", 0), o.getString("reason"),
        o.getLong("version", 0L));
  }

  public static JsonObject budget(BudgetSnapshot b) {
    JsonArray buckets = new JsonArray();
    b.buckets().forEach(x -> buckets.add(new JsonArray().add(x.start()).add(x.firstAttempts()).add(x.retries())));
    JsonObject o = new JsonObject().put("key", b.key()).put("buckets", buckets);
    if (b.exhaustedSince() != null) {
      o.put("exhaustedSince", b.exhaustedSince().toString());
    }
    return o.put("version", b.version());
  }

  public static BudgetSnapshot budget(JsonObject o) {
    List<BudgetSnapshot.Bucket> buckets = new ArrayList<>();
    for (Object x : o.getJsonArray("buckets", new JsonArray())) {
      JsonArray a = (JsonArray) x;
      buckets.add(new BudgetSnapshot.Bucket(a.getLong(0), a.getLong(1), a.getLong(2)));
    }
    String since = o.getString("exhaustedSince");
    return new BudgetSnapshot(o.getString("key"), buckets, since == null ? null : Instant.parse(since),
        o.getLong("version", 0L));
  }

  public static JsonObject workflow(WorkflowWindow w) {
    JsonArray recent = new JsonArray();
    for (WorkflowWindow.Attempt a : w.recent()) {
      JsonObject x = new JsonObject().put("attempt", a.attempt()).put("failed", a.failed()).put("at", a.at().toString());
      putIfPresent(x, "taskId", a.taskId());
      putIfPresent(x, "stage", a.stage());
      putIfPresent(x, "fingerprint", a.fingerprint());
      putIfPresent(x, "category", a.category());
      recent.add(x);
    }
    JsonObject o = new JsonObject().put("workflowId", w.workflowId()).put("recent", recent);
    if (w.abortedAt() != null) {
      o.put("abortedAt", w.abortedAt().toString());
    }
    return o.put("version", w.version());
  }

  public static WorkflowWindow workflow(JsonObject o) {
    List<WorkflowWindow.Attempt> recent = new ArrayList<>();
    for (Object x : o.getJsonArray("recent", new JsonArray())) {
      JsonObject a = (JsonObject) x;
      recent.add(new WorkflowWindow.Attempt(a.getString("taskId"), a.getInteger("attempt"), a.getBoolean("failed"),
          a.getString("stage"), a.getString("fingerprint"), a.getString("category"), Instant.parse(a.getString("at"))));
    }
    String aborted = o.getString("abortedAt");
    return new WorkflowWindow(o.getString("workflowId"), recent, aborted == null ? null : Instant.parse(aborted),
        o.getLong("version", 0L));
  }

  private static void putIfPresent(JsonObject o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }
}
