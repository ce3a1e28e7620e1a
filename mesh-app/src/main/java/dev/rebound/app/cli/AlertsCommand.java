package dev.rebound.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rebound alerts list|ack|resolve}: the notifier's alerts, over HTTP. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = "List, acknowledge and resolve the notifier's alerts (over HTTP).",
    subcommands = {AlertsCommand.ListAlerts.class, AlertsCommand.Ack.class, AlertsCommand.Resolve.class})
public final class AlertsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: list, ack or resolve");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List alerts, newest first.")
  static final class ListAlerts implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Option(names = "--state", paramLabel = "STATE", description = "firing, acknowledged, resolved or open.")
    String state;

    private static final Set<String> STATES = Set.of("firing", "acknowledged", "resolved", "open");

    @Option(names = "--label", paramLabel = "NAME=VALUE", description = "Only alerts with this label (repeatable).")
    Map<String, String> labels;

    @Option(names = "--limit", paramLabel = "N", description = "At most N alerts (server default 100).")
    Integer limit;

    @Override
    public Integer call() {
      if (state != null && !STATES.contains(state.toLowerCase(Locale.ROOT))) {
        throw new ParameterException(spec.commandLine(), "Invalid value for option '--state': '" + state
            + "' (expected firing, acknowledged, resolved or open)");
      }
      Map<String, String> query = new LinkedHashMap<>();
      query.put("state", state);
      if (labels != null && !labels.isEmpty()) {
        query.put("labels", String.join(",", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
      }
      query.put("limit", limit == null ? null : String.valueOf(limit));
      JsonObject answer = client.client().get("/v1/alerts", query);
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        JsonArray alerts = answer.getJsonArray("alerts", new JsonArray());
        if (alerts.isEmpty()) {
          out.println("no alerts");
        } else {
          TextTable table = new TextTable("ID", "STATE", "SEVERITY", "KIND", "OPENED", "SUMMARY");
          alerts.forEach(a -> {
            JsonObject o = (JsonObject) a;
            table.row(o.getString("id"), o.getString("state"), o.getString("severity"),
                o.getJsonObject("labels", new JsonObject()).getString("kind", ""), o.getString("openedAt", ""),
                o.getString("summary"));
          });
          out.print(table.render());
        }
        out.flush();
      }
      return 0;
    }
  }

  /** What ack and resolve share: the alert and an optional who and why. */
  abstract static class Change implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID", description = "The alert's id.")
    String id;

    @Option(names = "--by", paramLabel = "NAME", description = "Who acts (default: the server's caller name).")
    String by;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Recorded in the alert's history.")
    String comment;

    abstract String action();

    @Override
    public Integer call() {
      JsonObject body = new JsonObject();
      if (by != null) {
        body.put("by", by);
      }
      if (comment != null) {
        body.put("comment", comment);
      }
      JsonObject answer = client.client().post("/v1/alerts/" + ReboundHttpClient.segment(id) + "/" + action(), body);
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        out.println("alert " + answer.getString("id") + " is " + answer.getString("state"));
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "ack", mixinStandardHelpOptions = true, description = "Acknowledge a firing alert: escalation stops.")
  static final class Ack extends Change {
    @Override
    String action() {
      return "ack";
    }
  }

  @Command(name = "resolve", mixinStandardHelpOptions = true,
      description = "Resolve an alert: every channel that was told hears it resolved.")
  static final class Resolve extends Change {
    @Override
    String action() {
      return "resolve";
    }
  }
}
