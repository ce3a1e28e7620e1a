package dev.rebound.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rebound dlq list|redrive}: the dead-letter queue (FAILED tasks), over HTTP. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = "Inspect and redrive the dead-letter queue of a running Rebound (over HTTP).",
    subcommands = {DlqCommand.ListDeadLetters.class, DlqCommand.Redrive.class})
public final class DlqCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: list or redrive");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead-lettered (FAILED) tasks.")
  static final class ListDeadLetters implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Mixin
    TasksCommand.PageOptions page;

    @Override
    public Integer call() {
      JsonObject answer = client.client().get("/v1/dlq", page.query());
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        TaskViews.page(out, answer, "the dead-letter queue is empty" + (page.query().values().stream()
            .anyMatch(v -> v != null) ? " for these filters" : ""));
      }
      return 0;
    }
  }

  @Command(name = "redrive", mixinStandardHelpOptions = true,
      customSynopsis = "rebound dlq redrive (--id ID... | [--stage STAGE] [--workflow WORKFLOW]) [--limit N]"
          + " [--reason TEXT] [--url URL] [--json]",
      description = {"Put dead-lettered tasks back to QUEUED with a fresh attempt budget.",
          "Give the ids, or a filter (stage and/or workflow) that selects them."})
  static final class Redrive implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Option(names = "--id", paramLabel = "ID", arity = "1..*", description = "Task ids to redrive (repeatable).")
    List<String> ids;

    @Option(names = "--stage", paramLabel = "STAGE", description = "Redrive the dead letters of this stage.")
    String stage;

    @Option(names = "--workflow", paramLabel = "WORKFLOW", description = "Redrive the dead letters of this workflow.")
    String workflow;

    @Option(names = "--limit", paramLabel = "N", description = "With a filter: at most N tasks (server default 1000).")
    Integer limit;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Recorded in each task's history.")
    String reason;

    @Override
    public Integer call() {
      boolean byIds = ids != null && !ids.isEmpty();
      boolean byFilter = stage != null || workflow != null;
      if (byIds == byFilter) {
        throw new ParameterException(spec.commandLine(), byIds
            ? "Give either --id or a filter (--stage/--workflow), not both"
            : "Say what to redrive: --id ID..., or --stage STAGE and/or --workflow WORKFLOW");
      }
      if (byIds && limit != null) {
        throw new ParameterException(spec.commandLine(), "--limit only applies to a filter (--stage/--workflow)");
      }
      JsonObject body = new JsonObject();
      if (byIds) {
        body.put("ids", new JsonArray(List.copyOf(ids)));
      } else {
        JsonObject filter = new JsonObject();
        if (stage != null) {
          filter.put("stage", stage);
        }
        if (workflow != null) {
          filter.put("workflowId", workflow);
        }
        body.put("filter", filter);
        if (limit != null) {
          body.put("limit", limit);
        }
      }
      if (reason != null) {
        body.put("reason", reason);
      }
      ReboundHttpClient http = client.client();
      JsonObject answer = Progress.around(spec.commandLine().getErr(), "redriving dead letters ...",
          () -> http.post("/v1/dlq/redrive", body));
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        JsonArray moved = answer.getJsonArray("ids", new JsonArray());
        if (moved.isEmpty()) {
          out.println("nothing redriven: no dead-lettered task matched");
        } else {
          out.println("redriven " + answer.getValue("redriven", moved.size()) + " task(s) back to QUEUED:");
          moved.forEach(id -> out.println("  " + id));
        }
        out.flush();
      }
      return 0;
    }
  }
}
