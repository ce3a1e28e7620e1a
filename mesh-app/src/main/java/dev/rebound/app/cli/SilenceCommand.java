package dev.rebound.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
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

/** {@code rebound silence add|list|expire}: the notifier's silences, over HTTP. */
@Command(name = "silence", mixinStandardHelpOptions = true,
    description = "Add, list and expire silences of the notifier (over HTTP).",
    subcommands = {SilenceCommand.Add.class, SilenceCommand.ListSilences.class, SilenceCommand.Expire.class})
public final class SilenceCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: add, list or expire");
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Silence alerts matching every matcher, e.g. rebound silence add 'stage=\"tests\"' --for 2h --by me --comment why")
  static final class Add implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Parameters(arity = "1..*", paramLabel = "MATCHER", description = "Alertmanager matchers: name=\"v\", !=, =~, !~.")
    List<String> matchers;

    @Option(names = "--for", paramLabel = "DURATION", defaultValue = "1h", description = "How long (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--by", paramLabel = "NAME", required = true, description = "Who silences.")
    String by;

    @Option(names = "--comment", paramLabel = "TEXT", required = true, description = "Why.")
    String comment;

    @Override
    public Integer call() {
      JsonObject answer = client.client().post("/v1/silences", new JsonObject()
          .put("matchers", new JsonArray(List.copyOf(matchers))).put("duration", duration).put("createdBy", by)
          .put("comment", comment));
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        out.println("silence " + answer.getString("id") + " until " + answer.getString("endsAt"));
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List silences, newest first.")
  static final class ListSilences implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Option(names = "--state", paramLabel = "STATE", description = "pending, active or expired.")
    String state;

    private static final Set<String> STATES = Set.of("pending", "active", "expired");

    @Override
    public Integer call() {
      if (state != null && !STATES.contains(state.toLowerCase(Locale.ROOT))) {
        throw new ParameterException(spec.commandLine(), "Invalid value for option '--state': '" + state
            + "' (expected pending, active or expired)");
      }
      JsonObject answer = client.client().get("/v1/silences", state == null ? Map.of() : Map.of("state", state));
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        JsonArray silences = answer.getJsonArray("silences", new JsonArray());
        if (silences.isEmpty()) {
          out.println("no silences");
        } else {
          TextTable table = new TextTable("ID", "STATE", "ENDS", "BY", "MATCHERS", "COMMENT");
          silences.forEach(s -> {
            JsonObject o = (JsonObject) s;
            table.row(o.getString("id"), o.getString("state"), o.getString("endsAt"), o.getString("createdBy"),
                String.join(",", o.getJsonArray("matchers").stream().map(String::valueOf).toList()),
                o.getString("comment"));
          });
          out.print(table.render());
        }
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "expire", mixinStandardHelpOptions = true, description = "End a silence now.")
  static final class Expire implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID", description = "The silence's id.")
    String id;

    @Override
    public Integer call() {
      JsonObject answer = client.client().delete("/v1/silences/" + ReboundHttpClient.segment(id));
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        out.println("silence " + answer.getString("id") + " is " + answer.getString("state"));
        out.flush();
      }
      return 0;
    }
  }
}
