package dev.rebound.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rebound failures list|get}: the failures the ledger recorded (a task's attempts and free-standing ones). */
@Command(name = "failures", mixinStandardHelpOptions = true,
    description = "Inspect the failures a running Rebound recorded (over HTTP): tasks' failed attempts and failures "
        + "reported by applications without a task.",
    subcommands = {FailuresCommand.ListFailures.class, FailuresCommand.GetFailure.class})
public final class FailuresCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: list or get");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List recorded failures, newest first.")
  static final class ListFailures implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Option(names = "--stage", paramLabel = "STAGE", description = "Only this stage's failures.")
    String stage;

    @Option(names = "--workflow", paramLabel = "WORKFLOW", description = "Only this workflow's failures.")
    String workflow;

    @Option(names = "--task", paramLabel = "ID", description = "Only this task's failed attempts.")
    String task;

    @Option(names = "--free", description = "Only failures reported without a task (by an application).")
    boolean free;

    @Option(names = "--limit", paramLabel = "N", description = "At most N failures (server default 100, at most 1000).")
    Integer limit;

    @Option(names = "--before", paramLabel = "CURSOR", description = "The page after this one (printed as `more:`).")
    String before;

    @Override
    public Integer call() {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("stage", stage);
      query.put("workflowId", workflow);
      query.put("taskId", task);
      query.put("freeStanding", free ? "true" : null);
      query.put("limit", limit == null ? null : limit.toString());
      query.put("before", before);
      JsonObject answer = client.client().get("/v1/failures", query);
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        JsonArray failures = answer.getJsonArray("failures", new JsonArray());
        if (failures.isEmpty()) {
          out.println("no failure recorded" + (query.values().stream().anyMatch(v -> v != null) ? " for these filters" : ""));
        } else {
          TextTable table = new TextTable("ID", "RECORDED", "STAGE", "WORKFLOW", "TASK", "ATTEMPT", "DECISION", "MESSAGE");
          for (int i = 0; i < failures.size(); i++) {
            JsonObject f = failures.getJsonObject(i);
            table.row(f.getString("failureId"), TaskViews.time(f.getString("recordedAt")), f.getString("stage", "-"),
                f.getString("workflowId", "-"), f.getString("taskId", "-"), f.getValue("attempt", "-"),
                f.getString("decision", f.getString("provisional", "-")), firstLine(f.getString("message")));
          }
          out.print(table.render());
        }
        if (answer.getString("next") != null) {
          out.println("more: --before " + answer.getString("next"));
        }
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one recorded failure with its stack trace.")
  static final class GetFailure implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "ID", description = "The failure's id.")
    String id;

    @Override
    public Integer call() {
      JsonObject answer = client.client().get("/v1/failures/" + ReboundHttpClient.segment(id), Map.of());
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String k : new String[] {"failureId", "taskId", "attempt", "stage", "workflowId", "source", "errorType",
            "httpStatus", "exitCode", "sqlState", "occurredAt", "recordedAt", "provisional", "decision", "decidedAt",
            "message"}) {
          fields.put(k, answer.getValue(k));
        }
        fields.put("details", answer.getJsonObject("details") == null ? null : answer.getJsonObject("details").encode());
        TaskViews.fields(out, fields);
        if (answer.getString("stackTrace") != null) {
          out.println("stack trace:");
          out.println(answer.getString("stackTrace"));
        }
        out.flush();
      }
      return 0;
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 120 ? line.substring(0, 117) + "..." : line;
  }
}
