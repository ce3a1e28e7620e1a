package dev.rebound.common.dashboard;

import static dev.rebound.common.dashboard.Dashboard.clip;
import static dev.rebound.common.dashboard.Dashboard.form;
import static dev.rebound.common.dashboard.Dashboard.section;

import dev.rebound.common.dashboard.Dashboard.Done;
import dev.rebound.common.dashboard.Dashboard.Page;
import dev.rebound.common.dashboard.Dashboard.Section;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.DeadLetterQuery;
import dev.rebound.common.request.DeadLetterSelection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /ui/dlq}: the dead letters (FAILED tasks) with their last error, a page at a time, filtered by stage,
 * workflow or agent; each can be redriven (back to QUEUED with a fresh attempt budget, audited) or purged, and
 * with a stage or workflow filter so can all that match. The actions are the ledger's {@code dlq.redrive} and
 * {@code dlq.purge} with a {@link DeadLetterSelection} read by the contract's own parser.
 */
final class DeadLetterPage {
  private static final int PAGE_SIZE = 50;
  private final Dashboard d;

  DeadLetterPage(Dashboard d) {
    this.d = d;
  }

  void mount(Router router) {
    router.get("/ui/dlq").handler(ctx -> d.page(ctx, () -> list(ctx)));
    router.post("/ui/dlq/redrive").handler(ctx -> d.act(ctx, "/ui/dlq", actor ->
        d.ledger.as(actor).redrive(selection(ctx)).map(r -> new Done("redriven", r.getInteger("redriven", 0)))));
    router.post("/ui/dlq/purge").handler(ctx -> d.act(ctx, "/ui/dlq", actor ->
        d.ledger.as(actor).purge(selection(ctx)).map(r -> new Done("purged", r.getInteger("purged", 0)))));
  }

  /** The tasks named by the form's {@code id} fields, or those matching its stage and workflow. */
  private static DeadLetterSelection selection(RoutingContext ctx) {
    List<String> ids = ctx.request().formAttributes().getAll("id");
    JsonObject request = new JsonObject();
    if (!ids.isEmpty()) {
      request.put("ids", new JsonArray(List.copyOf(ids)));
    } else {
      JsonObject filter = new JsonObject();
      putIfPresent(filter, "stage", form(ctx, "stage"));
      putIfPresent(filter, "workflowId", form(ctx, "workflowId"));
      request.put("filter", filter);
    }
    putIfPresent(request, "reason", form(ctx, "reason"));
    return DeadLetterSelection.fromJson(request);
  }

  private static void putIfPresent(JsonObject o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  private Future<Page> list(RoutingContext ctx) {
    DeadLetterQuery query = DeadLetterQuery.fromJson(Dashboard.query(ctx, "stage", "workflowId", "agent", "after")
        .put("limit", PAGE_SIZE));
    return section("ledger", d.ledger.deadLetters(query), page -> render(page, query))
        .map(body -> Page.of("Dead letters", Section.DLQ, "tasks", filters(query) + body));
  }

  private static String filters(DeadLetterQuery q) {
    Html h = new Html();
    h.raw("<form method=\"get\" action=\"/ui/dlq\" class=\"filters\">");
    TaskPages.input(h, "stage", q.stage());
    TaskPages.input(h, "workflowId", q.workflowId());
    TaskPages.input(h, "agent", q.agent());
    h.raw("<button type=\"submit\">Filter</button> <a href=\"/ui/dlq\">clear</a></form>");
    if (q.stage() != null || q.workflowId() != null) {
      h.raw("<form method=\"post\" action=\"/ui/dlq/redrive\" class=\"bulk\"").attr("data-confirm",
          "Redrive every dead letter matching this filter?").raw(">");
      bulkFields(h, q);
      h.raw("<button type=\"submit\" class=\"btn redrive\">Redrive all matching</button></form>");
      h.raw("<form method=\"post\" action=\"/ui/dlq/purge\" class=\"bulk\"").attr("data-confirm",
          "Purge (delete) every dead letter matching this filter?").raw(">");
      bulkFields(h, q);
      h.raw("<button type=\"submit\" class=\"btn purge\">Purge all matching</button></form>");
    }
    return h.toString();
  }

  private static void bulkFields(Html h, DeadLetterQuery q) {
    h.hidden("back", "/ui/dlq");
    if (q.stage() != null) {
      h.hidden("stage", q.stage());
    }
    if (q.workflowId() != null) {
      h.hidden("workflowId", q.workflowId());
    }
    h.raw("<input type=\"text\" name=\"reason\" placeholder=\"reason (audited)\"> ");
  }

  private static String render(JsonObject page, DeadLetterQuery q) {
    Html h = new Html();
    JsonArray tasks = page.getJsonArray("tasks", new JsonArray());
    if (tasks.isEmpty()) {
      return h.raw("<p class=\"empty\">The dead-letter queue is empty.</p>").toString();
    }
    h.raw("<table class=\"dlq\"><thead><tr><th>task</th><th>stage</th><th>workflow</th><th>agent</th><th>attempts</th>")
        .raw("<th>failed</th><th>error</th><th></th></tr></thead><tbody>");
    for (int i = 0; i < tasks.size(); i++) {
      TaskView t = TaskView.fromJson(tasks.getJsonObject(i));
      h.raw("<tr").attr("data-task", t.id()).raw("><td>").link("/ui/tasks/" + t.id(), t.id().toString().substring(0, 8))
          .raw("</td>").cell(t.stage()).cell(t.workflowId()).cell(t.agent()).cell(t.attempt())
          .cell(TaskPages.at(t.finishedAt()))
          .raw("<td class=\"error-text\">").text(clip(t.lastError(), 300)).raw("</td><td class=\"actions\">");
      Dashboard.button(h, "/ui/dlq/redrive", "/ui/dlq", "Redrive", null, "id", t.id().toString());
      Dashboard.button(h, "/ui/dlq/purge", "/ui/dlq", "Purge", "Purge (delete) this dead letter?", "id", t.id().toString());
      h.raw("</td></tr>");
    }
    h.raw("</tbody></table>");
    if (page.getString("next") != null) {
      Map<String, String> next = new LinkedHashMap<>();
      next.put("stage", q.stage());
      next.put("workflowId", q.workflowId());
      next.put("agent", q.agent());
      next.put("after", page.getString("next"));
      h.raw("<p class=\"paging\">").link(Html.url("/ui/dlq", next), "Next page →").raw("</p>");
    }
    return h.toString();
  }
}
