package dev.rebound.app.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * PLACEHOLDER — {@code rebound analyze} (offline classification: messages on stdin, one JSON line out
 * per line in) arrives with the analyzer (issue 3). Until then it says so and exits 2.
 */
@Command(name = "analyze", description = "Classify failure messages from stdin (not built yet: issue 3).")
public final class AnalyzeCommand implements Callable<Integer> {
  public static final String NOT_BUILT = "not built yet: the analyzer is being wired (issue 3)";

  @Spec
  CommandSpec spec;

  @Unmatched
  List<String> ignored;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(NOT_BUILT);
    spec.commandLine().getErr().flush();
    return CliFailure.USAGE;
  }
}
