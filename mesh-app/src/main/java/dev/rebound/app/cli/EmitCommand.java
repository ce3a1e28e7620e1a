package dev.rebound.app.cli;

import dev.rebound.common.ReboundException;
import dev.rebound.common.message.FailureEvent;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rebound emit}: reports a failure from the shell to a running Rebound ({@code POST /v1/failures}, the
 * ledger's failure report, answered after the commit), then shows how the analyzer classifies it. Without
 * {@code --task} it is a failure not tied to a task: recorded, classified and alerted on all the same.
 */
@Command(name = "emit", mixinStandardHelpOptions = true,
    customSynopsis = {"rebound emit MESSAGE [--stage STAGE] [--workflow WORKFLOW] [--task ID --attempt N] [options]",
        "rebound emit --json-input < failures.ndjson      (one FailureEvent JSON object per line)"},
    description = {"Report a failure to a running Rebound (over HTTP) and print its id, what the ledger did and "
        + "how the analyzer classifies it.",
        "Without --task the failure is tied to no task: it is recorded, classified and alerted on all the same."})
public final class EmitCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", arity = "0..1", paramLabel = "MESSAGE", description = "The failure's message.")
  String message;

  @Option(names = "--stage", paramLabel = "STAGE", description = "The stage it happened in (e.g. tests).")
  String stage;

  @Option(names = "--workflow", paramLabel = "WORKFLOW", description = "The workflow (run, job) it belongs to.")
  String workflow;

  @Option(names = "--source", paramLabel = "NAME", defaultValue = "rebound-cli",
      description = "Who reports it (default ${DEFAULT-VALUE}).")
  String source;

  @Option(names = "--task", paramLabel = "ID", description = "The task whose attempt failed (needs --attempt).")
  UUID task;

  @Option(names = "--attempt", paramLabel = "N", description = "The attempt of --task that failed.")
  Integer attempt;

  @Option(names = "--error-type", paramLabel = "TYPE", description = "Exception or error type, e.g. java.net.SocketTimeoutException.")
  String errorType;

  @Option(names = "--http-status", paramLabel = "CODE", description = "HTTP status of the failed call.")
  Integer httpStatus;

  @Option(names = "--exit-code", paramLabel = "CODE", description = "Exit code of the failed process.")
  Integer exitCode;

  @Option(names = "--json-input", description = "Read FailureEvent JSON objects from stdin, one per line, and emit each.")
  boolean jsonInput;

  @Override
  public Integer call() {
    List<FailureEvent> events = jsonInput ? fromStdin() : List.of(fromFlags());
    ReboundHttpClient http = client.client();
    PrintWriter out = spec.commandLine().getOut();
    for (FailureEvent event : events) {
      JsonObject answer = http.post("/v1/failures", event.toJson());
      if (client.printedJson(out, answer)) {
        continue;
      }
      describe(out, event, answer, classify(http, event));
    }
    out.flush();
    return 0;
  }

  private FailureEvent fromFlags() {
    if (message == null || message.isBlank()) {
      throw new ParameterException(spec.commandLine(), "Give the failure's MESSAGE, or --json-input to read JSON from stdin");
    }
    if ((task == null) != (attempt == null)) {
      throw new ParameterException(spec.commandLine(), "--task and --attempt go together");
    }
    return valid(() -> FailureEvent.builder().failureId(UUID.randomUUID()).source(source).stage(stage)
        .workflowId(workflow).message(message).taskId(task).attempt(attempt).errorType(errorType)
        .httpStatus(httpStatus).exitCode(exitCode).build().toJson(), 0);
  }

  private List<FailureEvent> fromStdin() {
    if (message != null) {
      throw new ParameterException(spec.commandLine(), "--json-input reads the failures from stdin: give no MESSAGE");
    }
    List<FailureEvent> events = new ArrayList<>();
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String text = line;
        events.add(valid(() -> {
          JsonObject o = new JsonObject(text);
          if (o.getValue("failureId") == null) {
            o.put("failureId", UUID.randomUUID().toString()); // a retried emit of the same line stays one failure
          }
          return o;
        }, n));
      }
    } catch (IOException e) {
      throw new CliFailure(CliFailure.FAILED, "reading stdin failed: " + e.getMessage());
    }
    if (events.isEmpty()) {
      throw new CliFailure(CliFailure.USAGE, "--json-input: stdin held no failure (one JSON object per line)");
    }
    return events;
  }

  /** Validates with the contract's own parser, so a bad field is named before anything is sent. */
  private FailureEvent valid(java.util.function.Supplier<JsonObject> json, int line) {
    try {
      return FailureEvent.fromJson(json.get());
    } catch (DecodeException | ClassCastException e) {
      throw new CliFailure(CliFailure.USAGE, "line " + line + " of stdin is not a JSON object: " + e.getMessage());
    } catch (ReboundException e) {
      throw new CliFailure(CliFailure.USAGE, (line > 0 ? "line " + line + ": " : "") + e.getMessage());
    }
  }

  /** The analyzer's verdict on the same signals, or null when no analyzer answers at --url. */
  private static JsonObject classify(ReboundHttpClient http, FailureEvent e) {
    JsonObject request = new JsonObject().put("message", e.message());
    if (e.errorType() != null) {
      request.put("errorType", e.errorType());
    }
    if (e.httpStatus() != null) {
      request.put("httpStatus", e.httpStatus());
    }
    if (e.exitCode() != null) {
      request.put("exitCode", e.exitCode());
    }
    if (e.sqlState() != null) {
      request.put("sqlState", e.sqlState());
    }
    if (e.stage() != null) {
      request.put("stage", e.stage());
    }
    try {
      return http.post("/v1/classify", request);
    } catch (CliFailure notThere) {
      return null;
    }
  }

  private static void describe(PrintWriter out, FailureEvent event, JsonObject answer, JsonObject verdict) {
    String id = answer.getString("failureId");
    if (Boolean.TRUE.equals(answer.getBoolean("duplicate"))) {
      out.println("failure " + id + " was already recorded: nothing changed");
      return;
    }
    JsonObject provisional = answer.getJsonObject("provisional");
    if (provisional != null) {
      out.println("failure " + id + " recorded for task " + answer.getString("taskId") + " attempt "
          + answer.getValue("attempt") + ": the task is now " + provisional.getString("state")
          + ("RETRY".equals(provisional.getString("state")) ? " (runs again after " + provisional.getString("runAfter") + ")" : ""));
      out.println("  the retry service's decision follows: rebound tasks history " + answer.getString("taskId"));
    } else {
      out.println("failure " + id + " recorded (tied to no task"
          + (event.stage() == null ? "" : ", stage " + event.stage())
          + (event.workflowId() == null ? "" : ", workflow " + event.workflowId()) + ")");
    }
    if (verdict != null) {
      TextTable t = new TextTable("CLASSIFIED", "");
      t.row("category", verdict.getString("category") + (Boolean.TRUE.equals(verdict.getBoolean("transient"))
          ? " (transient: worth retrying)" : " (permanent: retrying will not help)"));
      t.row("severity", verdict.getString("severity"));
      t.row("confidence", verdict.getValue("confidence"));
      t.row("fingerprint", verdict.getString("fingerprint"));
      t.row("root cause", verdict.getString("rootCause"));
      Object recs = verdict.getValue("recommendations");
      if (recs instanceof io.vertx.core.json.JsonArray a && !a.isEmpty()) {
        t.row("recommended", a.getValue(0));
      }
      out.print(t.render());
    }
  }
}
