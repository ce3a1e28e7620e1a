package dev.rebound.app.cli;

import dev.rebound.common.message.TaskView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** How tasks, pages and histories look in a terminal. Tasks are read with {@link TaskView#fromJson}. */
final class TaskViews {
  private TaskViews() {
  }

  /** A page of {@code GET /v1/tasks} or {@code GET /v1/dlq}: a table, then the cursor of the next page. */
  static void page(PrintWriter out, JsonObject page, String empty) {
    JsonArray tasks = page.getJsonArray("tasks", new JsonArray());
    if (tasks.isEmpty()) {
      out.println(empty);
    } else {
      TextTable table = new TextTable("ID", "STATE", "STAGE", "WORKFLOW", "ATTEMPT", "UPDATED", "LAST ERROR");
      for (int i = 0; i < tasks.size(); i++) {
        TaskView t = TaskView.fromJson(tasks.getJsonObject(i));
        table.row(t.id().toString(), t.state().name(), t.stage(), t.workflowId() == null ? "-" : t.workflowId(),
            attempts(t), time(text(t.updatedAt())), t.lastError() == null ? "" : t.lastError());
      }
      out.print(table.render());
    }
    String next = page.getString("next");
    if (next != null) {
      out.println("more: --after " + next);
    }
    out.flush();
  }

  /** One task ({@code GET /v1/tasks/{id}}) as aligned "field value" lines. */
  static void task(PrintWriter out, JsonObject json) {
    TaskView t = TaskView.fromJson(json);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", t.id());
    fields.put("state", t.state());
    fields.put("stage", t.stage());
    fields.put("workflow", t.workflowId());
    fields.put("agent", t.agent());
    fields.put("type", t.type());
    fields.put("idempotency key", t.idempotencyKey());
    fields.put("priority", t.priority());
    fields.put("attempt", attempts(t));
    fields.put("run after", t.runAfter());
    fields.put("lease owner", t.leaseOwner());
    fields.put("lease expires", t.leaseExpiresAt());
    fields.put("blocked reason", t.blockedReason());
    fields.put("last error", t.lastError());
    fields.put("created", t.createdAt());
    fields.put("updated", t.updatedAt());
    fields.put("finished", t.finishedAt());
    fields.put("version", t.version());
    fields.put("payload", t.payload() == null ? null : encode(t.payload()));
    fields.put("result", t.result() == null ? null : encode(t.result()));
    fields(out, fields);
    out.flush();
  }

  /** "field value" lines, the values aligned; a null value leaves its line out. */
  static void fields(PrintWriter out, Map<String, Object> fields) {
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach((k, v) -> {
      if (v != null) {
        out.println(k + " ".repeat(width - k.length() + 2) + v);
      }
    });
  }

  /** {@code GET /v1/tasks/{id}/history}: one line per transition, oldest first. */
  static void history(PrintWriter out, JsonObject answer) {
    JsonArray history = answer.getJsonArray("history", new JsonArray());
    out.println("task " + answer.getString("taskId") + ": " + history.size() + " transition(s)");
    if (!history.isEmpty()) {
      TextTable table = new TextTable("AT", "FROM", "TO", "ATTEMPT", "ACTOR", "REASON", "ERROR");
      for (int i = 0; i < history.size(); i++) {
        JsonObject h = history.getJsonObject(i);
        table.row(time(h.getString("at")), h.getString("from", "-"), h.getString("to"), h.getValue("attempt"),
            h.getString("actor", ""), h.getString("reason", ""), h.getString("error", ""));
      }
      out.print(table.render());
    }
    out.flush();
  }

  private static String attempts(TaskView t) {
    return t.attempt() + "/" + t.maxAttempts();
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** ISO instants down to the second: {@code 2026-11-22T19:53:02Z}. */
  static String time(String iso) {
    if (iso == null) {
      return "-";
    }
    int dot = iso.indexOf('.');
    return dot > 0 && iso.endsWith("Z") ? iso.substring(0, dot) + "Z" : iso;
  }

  private static String encode(Object value) {
    return value instanceof JsonObject o ? o.encode()
        : value instanceof JsonArray a ? a.encode() : String.valueOf(value);
  }
}
