package dev.rebound.common.dashboard;

import static dev.rebound.common.dashboard.Dashboard.clip;
import static dev.rebound.common.dashboard.Dashboard.section;
import static dev.rebound.common.dashboard.Dashboard.when;
import static dev.rebound.common.dashboard.TaskPages.fact;

import dev.rebound.common.JsonFields;
import dev.rebound.common.dashboard.Dashboard.Page;
import dev.rebound.common.dashboard.Dashboard.Section;
import dev.rebound.common.request.FailuresQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /ui/failures}: the failures the ledger recorded, newest first — tasks' failed attempts and the failures
 * applications reported without a task — filtered by stage, workflow, task or free-standing only; {@code
 * /ui/failures/{id}}: one failure with its stack trace and details. Both read the ledger's {@code failures.list} and
 * {@code failures.get}.
 */
final class FailurePages {
  private static final int PAGE_SIZE = 50;
  private final Dashboard d;

  FailurePages(Dashboard d) {
    this.d = d;
  }

  void mount(Router router) {
    router.get("/ui/failures").handler(ctx -> d.page(ctx, () -> list(ctx)));
    router.get("/ui/failures/:id").handler(ctx -> d.page(ctx, () -> detail(ctx)));
  }

  private Future<Page> list(RoutingContext ctx) {
    FailuresQuery query = FailuresQuery.fromJson(Dashboard.query(ctx, "stage", "workflowId", "taskId", "freeStanding",
        "before").put("limit", PAGE_SIZE));
    return section("ledger", d.ledger.failures(query), page -> table(page, query))
        .map(body -> Page.of("Failures", Section.FAILURES, "tasks", filters(query) + body));
  }

  private static String filters(FailuresQuery q) {
    Html h = new Html();
    h.raw("<form method=\"get\" action=\"/ui/failures\" class=\"filters\">");
    TaskPages.input(h, "stage", q.stage());
    TaskPages.input(h, "workflowId", q.workflowId());
    TaskPages.input(h, "taskId", q.taskId() == null ? null : q.taskId().toString());
    h.raw("<label><input type=\"checkbox\" name=\"freeStanding\" value=\"true\"").raw(q.freeStanding() ? " checked" : "")
        .raw("> without a task</label> ");
    return h.raw("<button type=\"submit\">Filter</button> <a href=\"/ui/failures\">clear</a></form>").toString();
  }

  private static String table(JsonObject page, FailuresQuery q) {
    Html h = new Html();
    JsonArray failures = page.getJsonArray("failures", new JsonArray());
    if (failures.isEmpty()) {
      return h.raw("<p class=\"empty\">No failure recorded").raw(q.stage() != null || q.workflowId() != null
          || q.taskId() != null || q.freeStanding() ? " for these filters" : "").raw(".</p>").toString();
    }
    h.raw("<table class=\"failures\"><thead><tr><th>failure</th><th>recorded</th><th>stage</th><th>workflow</th>")
        .raw("<th>task</th><th>attempt</th><th>source</th><th>decision</th><th>message</th></tr></thead><tbody>");
    for (int i = 0; i < failures.size(); i++) {
      JsonObject f = failures.getJsonObject(i);
      String id = f.getString("failureId");
      String task = f.getString("taskId");
      h.raw("<tr").attr("data-failure", id).raw("><td>").link("/ui/failures/" + id, id.substring(0, 8)).raw("</td>")
          .cell(when(f.getString("recordedAt"))).cell(f.getString("stage")).cell(f.getString("workflowId"));
      if (task == null) {
        h.raw("<td>—</td>");
      } else {
        h.raw("<td>").link("/ui/tasks/" + task, task.substring(0, 8)).raw("</td>");
      }
      h.cell(f.getValue("attempt")).cell(f.getString("source"))
          .cell(f.getString("decision", f.getString("provisional")))
          .raw("<td class=\"error-text\">").text(clip(f.getString("message"), 300)).raw("</td></tr>");
    }
    h.raw("</tbody></table>");
    if (page.getString("next") != null) {
      Map<String, String> next = new LinkedHashMap<>();
      next.put("stage", q.stage());
      next.put("workflowId", q.workflowId());
      next.put("taskId", q.taskId() == null ? null : q.taskId().toString());
      next.put("freeStanding", q.freeStanding() ? "true" : null);
      next.put("before", page.getString("next"));
      h.raw("<p class=\"paging\">").link(Html.url("/ui/failures", next), "Older →").raw("</p>");
    }
    return h.toString();
  }

  private Future<Page> detail(RoutingContext ctx) {
    UUID id = JsonFields.parseUuid("id", ctx.pathParam("id"));
    return d.ledger.failure(id).map(f -> Page.of("Failure " + id, Section.FAILURES, "tasks", detail(f)));
  }

  private static String detail(JsonObject f) {
    Html h = new Html();
    h.raw("<dl class=\"facts\">");
    fact(h, "failure", f.getString("failureId"));
    if (f.getString("taskId") != null) {
      h.raw("<dt>task</dt><dd>").link("/ui/tasks/" + f.getString("taskId"), f.getString("taskId")).raw("</dd>");
    }
    fact(h, "attempt", f.getValue("attempt"));
    fact(h, "stage", f.getString("stage"));
    fact(h, "workflow", f.getString("workflowId"));
    fact(h, "source", f.getString("source"));
    fact(h, "error type", f.getString("errorType"));
    fact(h, "HTTP status", f.getValue("httpStatus"));
    fact(h, "exit code", f.getValue("exitCode"));
    fact(h, "SQLSTATE", f.getString("sqlState"));
    fact(h, "occurred", when(f.getString("occurredAt")));
    fact(h, "recorded", when(f.getString("recordedAt")));
    fact(h, "provisional", f.getString("provisional"));
    fact(h, "decision", f.getString("decision"));
    fact(h, "decided", f.getString("decidedAt") == null ? null : when(f.getString("decidedAt")));
    h.raw("</dl><h2>Message</h2><pre class=\"error-text\">").text(f.getString("message")).raw("</pre>");
    if (f.getString("stackTrace") != null) {
      h.raw("<h2>Stack trace</h2><pre class=\"stack\">").text(f.getString("stackTrace")).raw("</pre>");
    }
    if (f.getJsonObject("details") != null) {
      h.raw("<h2>Details</h2>").json(f.getJsonObject("details"));
    }
    return h.toString();
  }
}
