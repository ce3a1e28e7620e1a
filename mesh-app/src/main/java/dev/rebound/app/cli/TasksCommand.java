package dev.rebound.app.cli;

import dev.rebound.common.message.TaskState;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rebound tasks list|get|history|retry|park|resume}: the ledger's tasks, over HTTP. */
@Command(name = "tasks", mixinStandardHelpOptions = true,
    description = "Inspect the tasks of a running Rebound, and retry, park or resume one (over HTTP).",
    subcommands = {TasksCommand.ListTasks.class, TasksCommand.GetTask.class, TasksCommand.History.class,
        TasksCommand.Retry.class, TasksCommand.Park.class, TasksCommand.Resume.class})
public final class TasksCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "Missing subcommand: list, get, history, retry, park or resume");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List tasks in id (creation) order, filtered by state, stage, workflow or agent; one page at a time.")
  static final class ListTasks implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Mixin
    PageOptions page;

    @Option(names = "--state", paramLabel = "STATE",
        description = "Only tasks in this state: ${COMPLETION-CANDIDATES}.")
    TaskState state;

    @Override
    public Integer call() {
      Map<String, String> query = page.query();
      query.put("state", state == null ? null : state.name());
      JsonObject answer = client.client().get("/v1/tasks", query);
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        TaskViews.page(out, answer, "no tasks match");
      }
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one task.")
  static final class GetTask implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(paramLabel = "ID", description = "The task id.")
    String id;

    @Override
    public Integer call() {
      JsonObject answer = client.client().get("/v1/tasks/" + ReboundHttpClient.segment(id), Map.of());
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        TaskViews.task(out, answer);
      }
      return 0;
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true, description = "Show every state transition of a task.")
  static final class History implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(paramLabel = "ID", description = "The task id.")
    String id;

    @Override
    public Integer call() {
      JsonObject answer = client.client().get("/v1/tasks/" + ReboundHttpClient.segment(id) + "/history", Map.of());
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        TaskViews.history(out, answer);
      }
      return 0;
    }
  }

  /** A person's operation on one task: {@code POST /v1/tasks/{id}/<operation>}, audited in its history. */
  abstract static class TaskAction implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(paramLabel = "ID", description = "The task id.")
    String id;
    @Option(names = "--reason", paramLabel = "TEXT", description = "Recorded in the task's history.")
    String reason;

    abstract String operation();

    abstract String done();

    @Override
    public Integer call() {
      JsonObject body = reason == null ? new JsonObject() : new JsonObject().put("reason", reason);
      JsonObject answer = client.client().post("/v1/tasks/" + ReboundHttpClient.segment(id) + "/" + operation(), body);
      PrintWriter out = spec.commandLine().getOut();
      if (!client.printedJson(out, answer)) {
        out.println("task " + answer.getString("id", id) + " " + done() + ": now " + answer.getString("state")
            + " (version " + answer.getValue("version") + ")");
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = {"Force a retry now: a task waiting in RETRY or BLOCKED is QUEUED, due now.",
          "A dead-lettered (FAILED) task is redriven with a fresh attempt budget."})
  static final class Retry extends TaskAction {
    @Override
    String operation() {
      return "retry";
    }

    @Override
    String done() {
      return "retried";
    }
  }

  @Command(name = "park", mixinStandardHelpOptions = true,
      description = "Park a task (QUEUED, RUNNING or RETRY to BLOCKED) until someone resumes it; a running lease is lost.")
  static final class Park extends TaskAction {
    @Override
    String operation() {
      return "park";
    }

    @Override
    String done() {
      return "parked";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a parked (BLOCKED) task: it is QUEUED again.")
  static final class Resume extends TaskAction {
    @Override
    String operation() {
      return "resume";
    }

    @Override
    String done() {
      return "resumed";
    }
  }

  /** Filters and keyset paging shared by {@code tasks list} and {@code dlq list}. */
  static final class PageOptions {
    @Option(names = "--stage", paramLabel = "STAGE", description = "Only tasks of this stage.")
    String stage;

    @Option(names = "--workflow", paramLabel = "WORKFLOW", description = "Only tasks of this workflow id.")
    String workflow;

    @Option(names = "--agent", paramLabel = "AGENT", description = "Only tasks of this agent.")
    String agent;

    @Option(names = "--limit", paramLabel = "N", description = "Page size, 1 to 1000 (server default 100).")
    Integer limit;

    @Option(names = "--after", paramLabel = "CURSOR",
        description = "Continue after this cursor (printed as 'more: --after ...' under a full page).")
    String after;

    Map<String, String> query() {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("stage", stage);
      q.put("workflowId", workflow);
      q.put("agent", agent);
      q.put("limit", limit == null ? null : limit.toString());
      q.put("after", after);
      return q;
    }
  }
}
