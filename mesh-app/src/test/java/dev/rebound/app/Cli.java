package dev.rebound.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code rebound} command line in-process and captures what it prints. */
final class Cli {
  record Result(int exitCode, String out, String err) {
  }

  private Cli() {
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ReboundCli.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
