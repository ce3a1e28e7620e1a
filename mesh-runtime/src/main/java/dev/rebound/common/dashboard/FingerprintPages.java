package dev.rebound.common.dashboard;

import static dev.rebound.common.dashboard.Dashboard.clip;
import static dev.rebound.common.dashboard.Dashboard.section;
import static dev.rebound.common.dashboard.Dashboard.when;
import static dev.rebound.common.dashboard.TaskPages.fact;

import dev.rebound.common.dashboard.Dashboard.Page;
import dev.rebound.common.dashboard.Dashboard.Section;
import dev.rebound.common.request.ClassifyRequest;
import dev.rebound.common.request.FingerprintRequest;
import dev.rebound.common.request.FingerprintsQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code /ui/fingerprints}: the analyzer's failure fingerprints, most frequent or most recent first, optionally of
 * one stage, with their counts and outcomes; {@code /ui/fingerprints/{fingerprint}}: one fingerprint's story —
 * counts, first and last seen, outcomes (healed by retry, dead-lettered, resolved by a person), stages, impact in
 * the last hour, root cause, what worked last, and similar fingerprints.
 */
final class FingerprintPages {
  private static final Set<String> SHOWN = Set.of("fingerprint", "template", "category", "transient", "severity",
      "occurrences", "firstSeen", "lastSeen", "outcomes", "stages", "impactLastHour", "similar", "rootCause",
      "averageAttemptsToHeal", "lastWorkingAction", "ruleId");
  private final Dashboard d;

  FingerprintPages(Dashboard d) {
    this.d = d;
  }

  void mount(Router router) {
    router.get("/ui/fingerprints").handler(ctx -> d.page(ctx, () -> list(ctx)));
    router.get("/ui/fingerprints/:fingerprint").handler(ctx -> d.page(ctx, () -> detail(ctx)));
  }

  private Future<Page> list(RoutingContext ctx) {
    FingerprintsQuery query = FingerprintsQuery.fromJson(Dashboard.query(ctx, "sort", "stage"));
    return section("analyzer", d.analyzer.fingerprints(query), FingerprintPages::table)
        .map(body -> Page.of("Fingerprints", Section.FINGERPRINTS, "classified", filters(query) + body));
  }

  private static String filters(FingerprintsQuery q) {
    Html h = new Html();
    h.raw("<form method=\"get\" action=\"/ui/fingerprints\" class=\"filters\"><label>sort <select name=\"sort\">");
    for (String sort : new String[] {"count", "recent"}) {
      h.raw("<option").attr("value", sort)
          .raw(sort.equals(q.sort().name().toLowerCase(java.util.Locale.ROOT)) ? " selected" : "").raw(">").text(sort)
          .raw("</option>");
    }
    h.raw("</select></label> ");
    TaskPages.input(h, "stage", q.stage());
    return h.raw("<button type=\"submit\">Show</button></form>").toString();
  }

  private static String table(JsonObject answer) {
    Html h = new Html();
    JsonArray list = answer.getJsonArray("fingerprints", new JsonArray());
    if (list.isEmpty()) {
      return h.raw("<p class=\"empty\">No failure has been analysed yet.</p>").toString();
    }
    h.raw("<table class=\"fingerprints\"><thead><tr><th>fingerprint</th><th>template</th><th>category</th>")
        .raw("<th>severity</th><th>count</th><th>healed by retry</th><th>dead-lettered</th><th>resolved by a person</th>")
        .raw("<th>last seen</th></tr></thead><tbody>");
    for (int i = 0; i < list.size(); i++) {
      JsonObject f = list.getJsonObject(i);
      JsonObject outcomes = f.getJsonObject("outcomes", new JsonObject());
      String fp = f.getString("fingerprint", "");
      h.raw("<tr").attr("data-fingerprint", fp).raw("><td>").link("/ui/fingerprints/" + Html.segment(fp), fp)
          .raw("</td><td class=\"template\">").text(clip(f.getString("template"), 200)).raw("</td>")
          .cell(f.getString("category")).cell(f.getString("severity")).cell(f.getValue("occurrences"))
          .cell(outcomes.getValue("healedByRetry")).cell(outcomes.getValue("deadLettered"))
          .cell(outcomes.getValue("resolvedByPerson")).cell(when(f.getString("lastSeen"))).raw("</tr>");
    }
    return h.raw("</tbody></table>").toString();
  }

  private Future<Page> detail(RoutingContext ctx) {
    FingerprintRequest request = FingerprintRequest.fromJson(new JsonObject().put("fingerprint",
        ctx.pathParam("fingerprint")));
    // the recommendations are the rule's: the template classified again by the analyzer (nothing is recorded)
    return d.analyzer.fingerprint(request).compose(f -> d.analyzer.classify(ClassifyRequest.ofMessage(
            f.getString("template", request.fingerprint()))).otherwise(new JsonObject())
        .map(verdict -> Page.of("Fingerprint " + request.fingerprint(), Section.FINGERPRINTS, "classified",
            detail(f, verdict))));
  }

  private static String detail(JsonObject f, JsonObject verdict) {
    Html h = new Html();
    h.raw("<h2>Template</h2><pre class=\"template\">").text(f.getString("template")).raw("</pre><dl class=\"facts\">");
    fact(h, "category", f.getString("category"));
    fact(h, "transient", f.getValue("transient"));
    fact(h, "severity", f.getString("severity"));
    fact(h, "rule", f.getString("ruleId"));
    fact(h, "occurrences", f.getValue("occurrences"));
    fact(h, "first seen", when(f.getString("firstSeen")));
    fact(h, "last seen", when(f.getString("lastSeen")));
    h.raw("</dl><h2>Root cause and recommendation</h2><dl class=\"facts\">");
    fact(h, "likely root cause", f.getString("rootCause"));
    fact(h, "what worked last", f.getString("lastWorkingAction"));
    fact(h, "attempts to heal (average)", f.getValue("averageAttemptsToHeal"));
    h.raw("</dl>");
    JsonArray recommendations = verdict.getJsonArray("recommendations", new JsonArray());
    if (!recommendations.isEmpty()) {
      h.raw("<ul class=\"recommendations\">");
      for (int i = 0; i < recommendations.size(); i++) {
        h.raw("<li>").text(recommendations.getValue(i)).raw("</li>");
      }
      h.raw("</ul>");
    }
    JsonObject outcomes = f.getJsonObject("outcomes", new JsonObject());
    h.raw("<h2>Outcomes</h2><dl class=\"facts\">");
    fact(h, "healed by retry", outcomes.getValue("healedByRetry"));
    fact(h, "dead-lettered", outcomes.getValue("deadLettered"));
    fact(h, "resolved by a person", outcomes.getValue("resolvedByPerson"));
    JsonObject impact = f.getJsonObject("impactLastHour");
    if (impact != null) {
      fact(h, "last hour", impact.getValue("failures") + " failures, " + impact.getValue("tasks") + " tasks, "
          + impact.getValue("workflows") + " workflows");
    }
    h.raw("</dl>");
    JsonArray stages = f.getJsonArray("stages", new JsonArray());
    h.raw("<h2>History by stage</h2>");
    if (stages.isEmpty()) {
      h.raw("<p class=\"empty\">Not tied to a stage.</p>");
    } else {
      h.raw("<table class=\"stages\"><thead><tr><th>stage</th><th>occurrences</th></tr></thead><tbody>");
      for (int i = 0; i < stages.size(); i++) {
        JsonObject s = stages.getJsonObject(i);
        h.raw("<tr><td>").link(Html.url("/ui", Html.query("stage", s.getString("stage"))), s.getString("stage"))
            .raw("</td>").cell(s.getValue("occurrences")).raw("</tr>");
      }
      h.raw("</tbody></table>");
    }
    JsonArray similar = f.getJsonArray("similar", new JsonArray());
    h.raw("<h2>Similar fingerprints</h2>");
    if (similar.isEmpty()) {
      h.raw("<p class=\"empty\">None.</p>");
    } else {
      h.raw("<table class=\"similar\"><thead><tr><th>fingerprint</th><th>template</th><th>details</th></tr></thead><tbody>");
      for (int i = 0; i < similar.size(); i++) {
        Object item = similar.getValue(i);
        JsonObject s = item instanceof JsonObject o ? o : new JsonObject().put("fingerprint", String.valueOf(item));
        String fp = s.getString("fingerprint", "");
        JsonObject rest = s.copy();
        rest.remove("fingerprint");
        rest.remove("template");
        h.raw("<tr><td>").link("/ui/fingerprints/" + Html.segment(fp), fp).raw("</td><td class=\"template\">")
            .text(clip(s.getString("template"), 200)).raw("</td>").cell(rest.isEmpty() ? "" : rest.encode()).raw("</tr>");
      }
      h.raw("</tbody></table>");
    }
    JsonObject more = new JsonObject();
    f.forEach(e -> {
      if (!SHOWN.contains(e.getKey())) {
        more.put(e.getKey(), e.getValue());
      }
    });
    if (!more.isEmpty()) {
      h.raw("<h2>More</h2>").json(more);
    }
    return h.toString();
  }
}
