package dev.rebound.common.dashboard;

import static dev.rebound.common.dashboard.Dashboard.form;
import static dev.rebound.common.dashboard.Dashboard.section;
import static dev.rebound.common.dashboard.Dashboard.when;

import dev.rebound.common.dashboard.Dashboard.Done;
import dev.rebound.common.dashboard.Dashboard.Page;
import dev.rebound.common.dashboard.Dashboard.Section;
import dev.rebound.common.request.AlertActionRequest;
import dev.rebound.common.request.AlertsQuery;
import dev.rebound.common.request.SilenceIdRequest;
import dev.rebound.common.request.SilenceRequest;
import dev.rebound.common.request.SilencesQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code /ui/alerts}: the notifier's alerts (open ones by default: firing or acknowledged) with their labels,
 * summary and state; each can be acknowledged (its escalation stops) or resolved. Below, the silences, a form
 * to add one (Alertmanager matchers, a duration, a comment) and a button to expire each. Every action is the
 * notifier's own operation ({@code alerts.ack|resolve}, {@code silences.add|expire}) with the request record the
 * contract parses; the actor is who acknowledged, resolved or silenced.
 */
final class AlertPage {
  private final Dashboard d;

  AlertPage(Dashboard d) {
    this.d = d;
  }

  void mount(Router router) {
    router.get("/ui/alerts").handler(ctx -> d.page(ctx, () -> list(ctx)));
    router.post("/ui/alerts/:id/ack").handler(ctx -> d.act(ctx, "/ui/alerts", actor ->
        d.notifier.as(actor).acknowledge(action(ctx, actor)).map(r -> Done.one("acknowledged"))));
    router.post("/ui/alerts/:id/resolve").handler(ctx -> d.act(ctx, "/ui/alerts", actor ->
        d.notifier.as(actor).resolve(action(ctx, actor)).map(r -> Done.one("resolved"))));
    router.post("/ui/silences").handler(ctx -> d.act(ctx, "/ui/alerts", actor ->
        d.notifier.as(actor).addSilence(silence(ctx, actor)).map(r -> Done.one("silenced"))));
    router.post("/ui/silences/:id/expire").handler(ctx -> d.act(ctx, "/ui/alerts", actor ->
        d.notifier.as(actor).expireSilence(SilenceIdRequest.fromJson(new JsonObject().put("id", ctx.pathParam("id"))))
            .map(r -> Done.one("unsilenced"))));
  }

  private static AlertActionRequest action(RoutingContext ctx, String actor) {
    JsonObject request = new JsonObject().put("id", ctx.pathParam("id")).put("by", actor);
    if (form(ctx, "comment") != null) {
      request.put("comment", form(ctx, "comment"));
    }
    return AlertActionRequest.fromJson(request);
  }

  private static SilenceRequest silence(RoutingContext ctx, String actor) {
    String matchers = form(ctx, "matchers");
    JsonArray list = new JsonArray();
    if (matchers != null) {
      Arrays.stream(matchers.split("\\R")).map(String::trim).filter(m -> !m.isEmpty()).forEach(list::add);
    }
    JsonObject request = new JsonObject().put("matchers", list).put("createdBy", actor)
        .put("duration", form(ctx, "duration") == null ? "2h" : form(ctx, "duration"));
    if (form(ctx, "comment") != null) {
      request.put("comment", form(ctx, "comment"));
    }
    return SilenceRequest.fromJson(request);
  }

  private Future<Page> list(RoutingContext ctx) {
    JsonObject q = Dashboard.query(ctx, "state", "labels");
    if (!q.containsKey("state")) {
      q.put("state", "open");
    }
    AlertsQuery query = AlertsQuery.fromJson(q);
    Future<String> alerts = section("notifier", d.notifier.alerts(query), AlertPage::alerts);
    Future<String> silences = section("notifier", d.notifier.silences(SilencesQuery.fromJson(new JsonObject())),
        AlertPage::silences);
    return Future.all(alerts, silences).map(all -> Page.of("Alerts", Section.ALERTS, "alerts tasks circuits",
        filters(query) + alerts.result() + "<h2>Silences</h2>" + silenceForm() + silences.result()));
  }

  private static String filters(AlertsQuery q) {
    Html h = new Html();
    h.raw("<form method=\"get\" action=\"/ui/alerts\" class=\"filters\"><label>state <select name=\"state\">");
    for (String state : new String[] {"open", "firing", "acknowledged", "resolved"}) {
      h.raw("<option").attr("value", state).raw(state.equals(q.state()) ? " selected" : "").raw(">").text(state)
          .raw("</option>");
    }
    h.raw("</select></label> ");
    TaskPages.input(h, "labels", String.join(",", q.labels().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
    return h.raw("<button type=\"submit\">Show</button></form>").toString();
  }

  private static String alerts(JsonObject answer) {
    Html h = new Html();
    JsonArray alerts = answer.getJsonArray("alerts", new JsonArray());
    if (alerts.isEmpty()) {
      return h.raw("<p class=\"empty\">No alert in this state.</p>").toString();
    }
    h.raw("<table class=\"alerts\"><thead><tr><th>state</th><th>severity</th><th>summary</th><th>labels</th>")
        .raw("<th>opened</th><th>seen</th><th>acknowledged</th><th></th></tr></thead><tbody>");
    for (int i = 0; i < alerts.size(); i++) {
      JsonObject a = alerts.getJsonObject(i);
      String id = a.getString("id");
      String state = a.getString("state", "");
      h.raw("<tr").attr("data-alert", id).raw(">");
      TaskPages.state(h, state);
      h.cell(a.getString("severity")).cell(a.getString("summary")).raw("<td class=\"labels\">");
      JsonObject labels = a.getJsonObject("labels", new JsonObject());
      labels.fieldNames().stream().sorted().forEach(name -> h.raw("<span class=\"label\">").text(name).raw("=")
          .text(labels.getValue(name)).raw("</span> "));
      h.raw("</td>").cell(when(a.getString("openedAt"))).cell(a.getValue("occurrences") + "×, last "
          + when(a.getString("lastSeenAt")))
          .cell(a.getString("acknowledgedBy") == null ? "" : a.getString("acknowledgedBy") + " at "
              + when(a.getString("acknowledgedAt")))
          .raw("<td class=\"actions\">");
      String path = "/ui/alerts/" + Html.segment(id);
      if (state.toLowerCase(Locale.ROOT).equals("firing")) {
        Dashboard.button(h, path + "/ack", "/ui/alerts", "Acknowledge", null);
      }
      if (!state.toLowerCase(Locale.ROOT).equals("resolved")) {
        Dashboard.button(h, path + "/resolve", "/ui/alerts", "Resolve", null);
      }
      h.raw("</td></tr>");
    }
    return h.raw("</tbody></table>").toString();
  }

  private static String silenceForm() {
    return new Html().raw("<form method=\"post\" action=\"/ui/silences\" class=\"silence\">").hidden("back", "/ui/alerts")
        .raw("<label>matchers, one a line <textarea name=\"matchers\" rows=\"2\" required placeholder=\"stage=&quot;tests&quot;")
        .raw("\"></textarea></label> <label>for <input type=\"text\" name=\"duration\" value=\"2h\" size=\"5\"></label> ")
        .raw("<label>comment <input type=\"text\" name=\"comment\" required></label> ")
        .raw("<button type=\"submit\" class=\"btn silence\">Silence</button></form>").toString();
  }

  private static String silences(JsonObject answer) {
    Html h = new Html();
    JsonArray silences = answer.getJsonArray("silences", new JsonArray());
    if (silences.isEmpty()) {
      return h.raw("<p class=\"empty\">No silences.</p>").toString();
    }
    h.raw("<table class=\"silences\"><thead><tr><th>state</th><th>matchers</th><th>from</th><th>until</th><th>by</th>")
        .raw("<th>comment</th><th></th></tr></thead><tbody>");
    for (int i = 0; i < silences.size(); i++) {
      JsonObject s = silences.getJsonObject(i);
      h.raw("<tr").attr("data-silence", s.getString("id")).raw(">");
      TaskPages.state(h, s.getString("state", ""));
      h.cell(String.join(", ", s.getJsonArray("matchers", new JsonArray()).stream().map(String::valueOf).toList()))
          .cell(when(s.getString("startsAt"))).cell(when(s.getString("endsAt"))).cell(s.getString("createdBy"))
          .cell(s.getString("comment")).raw("<td class=\"actions\">");
      if (!"expired".equals(s.getString("state"))) {
        Dashboard.button(h, "/ui/silences/" + Html.segment(s.getString("id", "")) + "/expire", "/ui/alerts", "Expire", null);
      }
      h.raw("</td></tr>");
    }
    return h.raw("</tbody></table>").toString();
  }
}
