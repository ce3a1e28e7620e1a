package dev.rebound.common.dashboard;

import static dev.rebound.common.dashboard.Dashboard.clip;
import static dev.rebound.common.dashboard.Dashboard.section;
import static dev.rebound.common.dashboard.Dashboard.when;

import dev.rebound.common.JsonFields;
import dev.rebound.common.dashboard.Dashboard.Page;
import dev.rebound.common.dashboard.Dashboard.Section;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ListTasksRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code /ui}: the tasks by state and stage (counts from the ledger's stats, each a link to that filter), a
 * filter form, and a page of tasks with keyset paging ({@code after} = the last id of the previous page);
 * {@code /ui/tasks/{id}}: one task with its history, attempts, failures and latest checkpoint.
 */
final class TaskPages {
  private static final int PAGE_SIZE = 50;
  private final Dashboard d;

  TaskPages(Dashboard d) {
    this.d = d;
  }

  void mount(Router router) {
    router.get("/ui").handler(ctx -> d.page(ctx, () -> list(ctx)));
    router.get("/ui/").handler(ctx -> d.page(ctx, () -> list(ctx)));
    router.get("/ui/tasks/:id").handler(ctx -> d.page(ctx, () -> detail(ctx)));
  }

  private Future<Page> list(RoutingContext ctx) {
    JsonObject q = Dashboard.query(ctx, "state", "stage", "workflowId", "agent", "after");
    if (q.containsKey("state")) {
      q.put("state", q.getString("state").toUpperCase(Locale.ROOT));
    }
    ListTasksRequest request = ListTasksRequest.fromJson(q.put("limit", PAGE_SIZE));
    Future<String> counts = section("ledger", d.ledger.stats(), TaskPages::counts);
    Future<String> tasks = section("ledger", d.ledger.list(request), page -> tasks(page, request));
    return Future.all(counts, tasks).map(all -> Page.of("Tasks", Section.TASKS, "tasks",
        counts.result() + filters(request) + tasks.result()));
  }

  private static String counts(JsonObject stats) {
    Html h = new Html();
    JsonObject byStage = stats.getJsonObject("byStage", new JsonObject());
    JsonObject byState = stats.getJsonObject("byState", new JsonObject());
    h.raw("<h2>By state and stage</h2><table class=\"counts\"><thead><tr><th>stage</th>");
    for (TaskState s : TaskState.values()) {
      h.raw("<th>").text(s.name()).raw("</th>");
    }
    h.raw("<th>total</th></tr></thead><tbody>");
    for (String stage : new TreeMap<>(byStage.getMap()).keySet()) {
      JsonObject perState = byStage.getJsonObject(stage, new JsonObject());
      long total = 0;
      h.raw("<tr><th>").link(Html.url("/ui", Html.query("stage", stage)), stage).raw("</th>");
      for (TaskState s : TaskState.values()) {
        long n = perState.getLong(s.name(), 0L);
        total += n;
        countCell(h, n, Html.query("stage", stage, "state", s.name()));
      }
      h.raw("<td>").text(total).raw("</td></tr>");
    }
    h.raw("<tr class=\"total\"><th>all stages</th>");
    for (TaskState s : TaskState.values()) {
      countCell(h, byState.getLong(s.name(), 0L), Html.query("state", s.name()));
    }
    h.raw("<td>").text(stats.getLong("total", 0L)).raw("</td></tr></tbody></table>");
    return h.toString();
  }

  private static void countCell(Html h, long n, Map<String, String> filter) {
    h.raw("<td>");
    if (n > 0) {
      h.link(Html.url("/ui", filter), n);
    } else {
      h.raw("<span class=\"zero\">0</span>");
    }
    h.raw("</td>");
  }

  private static String filters(ListTasksRequest r) {
    Html h = new Html();
    h.raw("<form method=\"get\" action=\"/ui\" class=\"filters\"><label>state <select name=\"state\"><option value=\"\">any</option>");
    for (TaskState s : TaskState.values()) {
      h.raw("<option").attr("value", s.name()).raw(s == r.state() ? " selected" : "").raw(">").text(s.name()).raw("</option>");
    }
    h.raw("</select></label>");
    input(h, "stage", r.stage());
    input(h, "workflowId", r.workflowId());
    input(h, "agent", r.agent());
    return h.raw("<button type=\"submit\">Filter</button> <a href=\"/ui\">clear</a></form>").toString();
  }

  static void input(Html h, String name, String value) {
    h.raw("<label>").text(name).raw(" <input type=\"text\"").attr("name", name).attr("value", value).raw("></label> ");
  }

  private static String tasks(JsonObject page, ListTasksRequest r) {
    Html h = new Html();
    JsonArray tasks = page.getJsonArray("tasks", new JsonArray());
    h.raw("<h2>Tasks</h2>");
    if (tasks.isEmpty()) {
      return h.raw("<p class=\"empty\">No tasks match.</p>").toString();
    }
    h.raw("<table class=\"tasks\"><thead><tr><th>task</th><th>state</th><th>stage</th><th>workflow</th><th>agent</th>")
        .raw("<th>attempt</th><th>updated</th><th>last error</th></tr></thead><tbody>");
    for (int i = 0; i < tasks.size(); i++) {
      TaskView t = TaskView.fromJson(tasks.getJsonObject(i));
      h.raw("<tr").attr("data-task", t.id()).raw("><td>").link("/ui/tasks/" + t.id(), t.id().toString().substring(0, 8))
          .raw("</td>");
      state(h, t.state().name());
      h.cell(t.stage()).cell(t.workflowId()).cell(t.agent())
          .cell(t.attemptsThisRun() + " / " + t.maxAttempts())
          .cell(at(t.updatedAt()))
          .raw("<td class=\"error-text\">").text(clip(t.lastError(), 160)).raw("</td></tr>");
    }
    h.raw("</tbody></table>");
    if (page.getString("next") != null) {
      Map<String, String> next = new LinkedHashMap<>();
      next.put("state", r.state() == null ? null : r.state().name());
      next.put("stage", r.stage());
      next.put("workflowId", r.workflowId());
      next.put("agent", r.agent());
      next.put("after", page.getString("next"));
      h.raw("<p class=\"paging\">").link(Html.url("/ui", next), "Next page →").raw("</p>");
    }
    return h.toString();
  }

  static void state(Html h, String state) {
    h.raw("<td><span").attr("class", "state " + state.toLowerCase(Locale.ROOT)).raw(">").text(state).raw("</span></td>");
  }

  // ------------------------------------------------------------------ one task

  private Future<Page> detail(RoutingContext ctx) {
    UUID id = JsonFields.parseUuid("id", ctx.pathParam("id"));
    Future<TaskView> task = d.ledger.get(id);
    Future<JsonArray> history = d.ledger.history(id);
    Future<JsonObject> checkpoint = d.ledger.latestCheckpoint(id);
    return task.compose(t -> Future.join(history, checkpoint).transform(ignored -> Future.succeededFuture(
        Page.of("Task " + id, Section.TASKS, "tasks", detail(t, history, checkpoint)))));
  }

  private static String detail(TaskView t, Future<JsonArray> history, Future<JsonObject> checkpoint) {
    Html h = new Html();
    String back = "/ui/tasks/" + t.id();
    h.raw("<dl class=\"facts\">");
    fact(h, "state", t.state().name());
    fact(h, "stage", t.stage());
    fact(h, "workflow", t.workflowId());
    fact(h, "agent", t.agent());
    fact(h, "type", t.type());
    fact(h, "priority", t.priority());
    fact(h, "attempt", t.attempt() + " (this run " + t.attemptsThisRun() + " of " + t.maxAttempts() + ")");
    fact(h, "lease", t.leaseOwner() == null ? null : t.leaseOwner() + " until " + at(t.leaseExpiresAt()));
    fact(h, "run after", at(t.runAfter()));
    fact(h, "created", at(t.createdAt()));
    fact(h, "updated", at(t.updatedAt()));
    fact(h, "finished", at(t.finishedAt()));
    fact(h, "blocked because", t.blockedReason());
    fact(h, "idempotency key", t.idempotencyKey());
    h.raw("</dl>");
    if (t.state() == TaskState.FAILED) {
      h.raw("<p class=\"actions\">");
      Dashboard.button(h, "/ui/dlq/redrive", back, "Redrive", null, "id", t.id().toString());
      h.raw("</p>");
    }
    if (t.lastError() != null) {
      h.raw("<h2>Last error</h2><pre class=\"error-text\">").text(t.lastError()).raw("</pre>");
    }
    h.raw("<h2>Payload</h2>").json(t.payload());
    if (t.result() != null) {
      h.raw("<h2>Result</h2>").json(t.result());
    }
    if (history.succeeded()) {
      attemptsAndFailures(h, history.result());
      historyTable(h, history.result());
    } else {
      h.raw("<h2>History</h2>").raw(Dashboard.unavailable("ledger", history.cause()));
    }
    h.raw("<h2>Checkpoint</h2>");
    if (checkpoint.failed()) {
      h.raw(Dashboard.unavailable("ledger", checkpoint.cause()));
    } else if (checkpoint.result().getJsonObject("checkpoint") == null) {
      h.raw("<p class=\"empty\">No checkpoint saved.</p>");
    } else {
      JsonObject c = checkpoint.result().getJsonObject("checkpoint");
      h.raw("<dl class=\"facts\">");
      fact(h, "sequence", c.getValue("sequence"));
      fact(h, "attempt", c.getValue("attempt"));
      fact(h, "saved", when(c.getString("createdAt")));
      JsonArray corrupt = checkpoint.result().getJsonArray("corruptSequences");
      fact(h, "corrupt (skipped)", corrupt == null || corrupt.isEmpty() ? null : corrupt.encode());
      h.raw("</dl>").json(c.getValue("state"));
    }
    return h.toString();
  }

  /** One row per attempt (from its history entries): when it started, how it ended, its error. */
  private static void attemptsAndFailures(Html h, JsonArray history) {
    Map<Integer, List<JsonObject>> byAttempt = new TreeMap<>();
    List<JsonObject> failures = new ArrayList<>();
    for (int i = 0; i < history.size(); i++) {
      JsonObject e = history.getJsonObject(i);
      byAttempt.computeIfAbsent(e.getInteger("attempt", 0), k -> new ArrayList<>()).add(e);
      if (e.getString("error") != null) {
        failures.add(e);
      }
    }
    h.raw("<h2>Attempts</h2><table class=\"attempts\"><thead><tr><th>attempt</th><th>started</th><th>outcome</th>")
        .raw("<th>at</th><th>error</th></tr></thead><tbody>");
    byAttempt.forEach((attempt, entries) -> {
      if (attempt == 0) {
        return;
      }
      JsonObject last = entries.get(entries.size() - 1);
      String started = entries.stream().filter(e -> "RUNNING".equals(e.getString("to"))).map(e -> e.getString("at"))
          .findFirst().orElse(null);
      String error = entries.stream().map(e -> e.getString("error")).filter(e -> e != null).reduce((a, b) -> b).orElse(null);
      h.raw("<tr>").cell(attempt).cell(when(started));
      state(h, last.getString("to"));
      h.cell(when(last.getString("at"))).raw("<td class=\"error-text\">").text(clip(error, 300)).raw("</td></tr>");
    });
    h.raw("</tbody></table>");
    h.raw("<h2>Failures</h2>");
    if (failures.isEmpty()) {
      h.raw("<p class=\"empty\">No failure recorded.</p>");
      return;
    }
    h.raw("<table class=\"failures\"><thead><tr><th>at</th><th>attempt</th><th>then</th><th>error</th></tr></thead><tbody>");
    for (JsonObject f : failures) {
      h.raw("<tr>").cell(when(f.getString("at"))).cell(f.getValue("attempt"));
      state(h, f.getString("to"));
      h.raw("<td><pre class=\"error-text\">").text(f.getString("error")).raw("</pre></td></tr>");
    }
    h.raw("</tbody></table>");
  }

  private static void historyTable(Html h, JsonArray history) {
    h.raw("<h2>History</h2><table class=\"history\"><thead><tr><th>at</th><th>from</th><th>to</th><th>attempt</th>")
        .raw("<th>actor</th><th>reason</th><th>correlation</th></tr></thead><tbody>");
    for (int i = 0; i < history.size(); i++) {
      JsonObject e = history.getJsonObject(i);
      h.raw("<tr>").cell(when(e.getString("at"))).cell(e.getString("from"));
      state(h, e.getString("to"));
      h.cell(e.getValue("attempt")).cell(e.getString("actor")).cell(clip(e.getString("reason"), 300))
          .cell(e.getString("correlationId")).raw("</tr>");
    }
    h.raw("</tbody></table>");
  }

  /** An instant as {@link Dashboard#when} shows it; null when absent. */
  static String at(java.time.Instant instant) {
    return instant == null ? null : when(instant.toString());
  }

  static void fact(Html h, String name, Object value) {
    if (value != null) {
      h.raw("<dt>").text(name).raw("</dt><dd>").text(value).raw("</dd>");
    }
  }
}
