package dev.rebound.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rebound stages list|pause|resume}: the ledger's stage pauses, over HTTP. */
@Command(name = "stages", mixinStandardHelpOptions = true,
    description = "List, pause and resume the stages of a running Rebound (over HTTP). "
        + "While a stage is paused, claims hand out none of its tasks.",
    subcommands = {StagesCommand.ListStages.class, StagesCommand.Pause.class, StagesCommand.Resume.class})
public final class StagesCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: list, pause or resume");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List paused stages (and resumed ones still releasing their parked tasks): who, why, since when.")
  static final class ListStages implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      JsonObject answer = client.client().get("/v1/stages", Map.of());
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        JsonArray stages = answer.getJsonArray("stages", new JsonArray());
        if (stages.isEmpty()) {
          out.println("no stage is paused");
        } else {
          TextTable table = new TextTable("STAGE", "STATE", "SINCE", "BY", "REASON");
          for (int i = 0; i < stages.size(); i++) {
            JsonObject s = stages.getJsonObject(i);
            table.row(s.getString("stage"), s.getString("state"), TaskViews.time(s.getString("since")),
                s.getString("pausedBy"), s.getString("reason", ""));
          }
          out.print(table.render());
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code POST /v1/stages/{stage}/<operation>}. */
  abstract static class StageAction implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(paramLabel = "STAGE", description = "The stage.")
    String stage;
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; shown by 'rebound stages list'.")
    String reason;

    abstract String operation();

    @Override
    public Integer call() {
      JsonObject body = reason == null ? new JsonObject() : new JsonObject().put("reason", reason);
      JsonObject answer = client.client().post("/v1/stages/" + ReboundHttpClient.segment(stage) + "/" + operation(), body);
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        String state = answer.getString("state");
        out.println("stage " + answer.getString("stage", stage) + " is " + switch (state == null ? "" : state) {
          case "PAUSED" -> "paused: claims hand out none of its tasks";
          case "PROBING" -> "paused, letting one probe task through";
          case "RELEASING" -> "resumed: its parked tasks are being released";
          default -> "resumed";
        });
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Pause a stage: claims hand out none of its tasks until it is resumed.")
  static final class Pause extends StageAction {
    @Override
    String operation() {
      return "pause";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume a paused stage: its tasks are claimed again, parked ones released gradually.")
  static final class Resume extends StageAction {
    @Override
    String operation() {
      return "resume";
    }
  }
}
