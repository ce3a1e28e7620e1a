package dev.rebound.app;

import dev.rebound.app.cli.AlertsCommand;
import dev.rebound.app.cli.AnalyzeCommand;
import dev.rebound.app.cli.CircuitsCommand;
import dev.rebound.app.cli.CliFailure;
import dev.rebound.app.cli.CompletionCommand;
import dev.rebound.app.cli.DemoCommand;
import dev.rebound.app.cli.DlqCommand;
import dev.rebound.app.cli.EmitCommand;
import dev.rebound.app.cli.FailuresCommand;
import dev.rebound.app.cli.Progress;
import dev.rebound.app.cli.RunCommand;
import dev.rebound.app.cli.StagesCommand;
import dev.rebound.app.cli.SilenceCommand;
import dev.rebound.app.cli.TasksCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code rebound} command line. Exit codes: 0 success, 1 the server (or the start) failed —
 * the server's error code and message are printed — 2 a usage error.
 */
@Command(name = "rebound", mixinStandardHelpOptions = true, version = "rebound 0.1.0-SNAPSHOT",
    description = "Rebound, a resilience mesh for Vert.x: run it, inspect its tasks and dead letters, pause stages, set circuits, handle alerts, emit failures and watch a demo.",
    subcommands = {RunCommand.class, TasksCommand.class, FailuresCommand.class, DlqCommand.class, StagesCommand.class, CircuitsCommand.class,
        AlertsCommand.class, SilenceCommand.class, EmitCommand.class, DemoCommand.class, AnalyzeCommand.class,
        CompletionCommand.class, HelpCommand.class})
public final class ReboundCli implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: run, tasks, failures, dlq, stages, circuits, alerts, silence, emit, demo, analyze or completion");
  }

  /** The configured command line; tests call {@code setOut/setErr} on it and then {@code execute}. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ReboundCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(ReboundCli::onFailure);
    return cli;
  }

  public static void main(String[] args) {
    Progress.detectTerminal();
    System.exit(commandLine().execute(args));
  }

  private static int onFailure(Exception e, CommandLine command, ParseResult parsed) {
    PrintWriter err = command.getErr();
    if (e instanceof CliFailure failure) {
      err.println("error: " + failure.getMessage());
      err.flush();
      return failure.exitCode();
    }
    err.println("error: " + e);
    err.flush();
    return CliFailure.FAILED;
  }
}
