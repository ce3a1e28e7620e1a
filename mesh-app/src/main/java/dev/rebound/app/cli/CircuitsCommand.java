package dev.rebound.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rebound circuits list|open|close|disable|reset}: the retry service's circuit breakers, over HTTP. */
@Command(name = "circuits", mixinStandardHelpOptions = true,
    description = {"List the circuit breakers of a running Rebound's retry service and set them by hand (over HTTP).",
        "Names are stage:<stage>, agent:<agent> or dependency:<name>."},
    subcommands = {CircuitsCommand.ListCircuits.class, CircuitsCommand.Open.class, CircuitsCommand.Close.class,
        CircuitsCommand.Disable.class, CircuitsCommand.Reset.class})
public final class CircuitsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: list, open, close, disable or reset");
  }

  /** A path the server has no route for means it runs no retry service: say so rather than "not found". */
  static JsonObject call(ClientOptions client, String what, Function<ReboundHttpClient, JsonObject> request) {
    ReboundHttpClient http = client.client();
    try {
      return request.apply(http);
    } catch (ServerError e) {
      if (e.status() == 404 && e.serverMessage().startsWith("no route for")) {
        throw new CliFailure(CliFailure.FAILED, "no retry service at " + http.baseUrl() + " (" + what + " answered "
            + e.code() + "): is it running, and is --url pointing at it?");
      }
      throw e;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List every circuit with its state.")
  static final class ListCircuits implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      JsonObject answer = CircuitsCommand.call(client, "GET /v1/circuits", http -> http.get("/v1/circuits", Map.of()));
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        JsonArray circuits = answer.getJsonArray("circuits", new JsonArray());
        if (circuits.isEmpty()) {
          out.println("no circuits yet");
        } else {
          TextTable table = new TextTable("NAME", "STATE", "SINCE", "REASON");
          for (int i = 0; i < circuits.size(); i++) {
            JsonObject c = circuits.getJsonObject(i);
            table.row(c.getString("name"), c.getString("state"), TaskViews.time(c.getString("since")),
                c.getString("reason", ""));
          }
          out.print(table.render());
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code POST /v1/circuits/{name}/<operation>}. */
  abstract static class CircuitAction implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(paramLabel = "NAME", description = "The circuit, e.g. stage:tests.")
    String name;
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded with the transition.")
    String reason;

    abstract String operation();

    @Override
    public Integer call() {
      String path = "/v1/circuits/" + ReboundHttpClient.segment(name) + "/" + operation();
      JsonObject body = reason == null ? new JsonObject() : new JsonObject().put("reason", reason);
      JsonObject answer = CircuitsCommand.call(client, "POST " + path, http -> http.post(path, body));
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        out.println("circuit " + answer.getString("name", name) + " is now " + answer.getString("state", "?"));
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "open", mixinStandardHelpOptions = true,
      description = "Force a circuit open (FORCED_OPEN) until it is closed or reset: its stage pauses, failures park.")
  static final class Open extends CircuitAction {
    @Override
    String operation() {
      return "open";
    }
  }

  @Command(name = "close", mixinStandardHelpOptions = true, description = "Close a circuit: work flows again.")
  static final class Close extends CircuitAction {
    @Override
    String operation() {
      return "close";
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Disable a circuit: work always flows and nothing is counted.")
  static final class Disable extends CircuitAction {
    @Override
    String operation() {
      return "disable";
    }
  }

  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = "Reset a circuit to CLOSED with its counts cleared.")
  static final class Reset extends CircuitAction {
    @Override
    String operation() {
      return "reset";
    }
  }
}
