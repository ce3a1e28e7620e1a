package dev.rebound.common.dashboard;

import static dev.rebound.common.dashboard.Dashboard.form;
import static dev.rebound.common.dashboard.Dashboard.section;
import static dev.rebound.common.dashboard.Dashboard.when;

import dev.rebound.common.ReboundException;
import dev.rebound.common.client.RetryApi;
import dev.rebound.common.dashboard.Dashboard.Done;
import dev.rebound.common.dashboard.Dashboard.Page;
import dev.rebound.common.dashboard.Dashboard.Section;
import dev.rebound.common.request.CircuitAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code /ui/circuits}: the retry service's circuit breakers (stage, agent, dependency) with their state, since
 * when, why, and their failure counts; each can be opened, closed or reset by hand (the retry service's
 * {@code circuits.open|close|reset} with a {@link CircuitAction}: the transition is recorded with the actor and
 * published like any other), and a circuit can be opened by name before it saw a failure.
 */
final class CircuitPage {
  private static final Map<String, RetryApi> OPERATIONS = Map.of(
      "open", RetryApi.OPEN_CIRCUIT, "close", RetryApi.CLOSE_CIRCUIT, "reset", RetryApi.RESET_CIRCUIT);
  private final Dashboard d;

  CircuitPage(Dashboard d) {
    this.d = d;
  }

  void mount(Router router) {
    router.get("/ui/circuits").handler(ctx -> d.page(ctx, () -> section("retry service", d.retry.circuits(),
        CircuitPage::render).map(body -> Page.of("Circuits", Section.CIRCUITS, "circuits", body))));
    router.post("/ui/circuits/:operation").handler(ctx -> d.act(ctx, "/ui/circuits", actor -> {
      RetryApi operation = OPERATIONS.get(ctx.pathParam("operation"));
      if (operation == null) {
        throw ReboundException.badRequest("unknown circuit operation (open, close or reset)");
      }
      return d.retry.as(actor).operate(operation, action(ctx, actor)).map(r -> Done.one("circuit"));
    }));
  }

  private static CircuitAction action(RoutingContext ctx, String actor) {
    JsonObject request = new JsonObject().put("actor", actor);
    if (form(ctx, "name") != null) {
      request.put("name", form(ctx, "name"));
    }
    if (form(ctx, "reason") != null) {
      request.put("reason", form(ctx, "reason"));
    }
    return CircuitAction.fromJson(request);
  }

  private static String render(JsonObject answer) {
    Html h = new Html();
    JsonArray circuits = answer.getJsonArray("circuits", new JsonArray());
    if (circuits.isEmpty()) {
      h.raw("<p class=\"empty\">No circuit has seen a failure yet: every circuit is CLOSED.</p>");
    } else {
      h.raw("<table class=\"circuits\"><thead><tr><th>circuit</th><th>state</th><th>since</th><th>open until</th>")
          .raw("<th>reason</th><th>consecutive failures</th><th>calls</th><th>failure rate</th><th>opens</th>")
          .raw("<th></th></tr></thead><tbody>");
      for (int i = 0; i < circuits.size(); i++) {
        JsonObject c = circuits.getJsonObject(i);
        String name = c.getString("name");
        h.raw("<tr").attr("data-circuit", name).raw(">").cell(name);
        TaskPages.state(h, c.getString("state", "?"));
        h.cell(when(c.getString("since"))).cell(when(c.getString("openUntil"))).cell(c.getString("reason"))
            .cell(c.getValue("consecutiveFailures")).cell(c.getValue("calls")).cell(rate(c.getValue("failureRate")))
            .cell(c.getValue("opens")).raw("<td class=\"actions\">");
        for (String op : new String[] {"open", "close", "reset"}) {
          Dashboard.button(h, "/ui/circuits/" + op, "/ui/circuits", capitalized(op), null, "name", name);
        }
        h.raw("</td></tr>");
      }
      h.raw("</tbody></table>");
    }
    h.raw("<h2>Open a circuit by hand</h2><form method=\"post\" action=\"/ui/circuits/open\" class=\"filters\">")
        .hidden("back", "/ui/circuits")
        .raw("<label>name <input type=\"text\" name=\"name\" placeholder=\"stage:tests, agent:a1, dependency:db\" required>")
        .raw("</label> <label>reason <input type=\"text\" name=\"reason\"></label> ")
        .raw("<button type=\"submit\" class=\"btn open\">Open</button></form>");
    return h.toString();
  }

  private static String rate(Object value) {
    return value instanceof Number n ? Math.round(n.doubleValue() * 100) + " %" : value == null ? "" : value.toString();
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
