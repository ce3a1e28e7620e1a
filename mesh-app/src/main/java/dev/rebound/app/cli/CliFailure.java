package dev.rebound.app.cli;

/** A command failed in a way the user should read; {@code exitCode} is 1 (failure) or 2 (usage). */
public class CliFailure extends RuntimeException {
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  private final int exitCode;

  public CliFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
