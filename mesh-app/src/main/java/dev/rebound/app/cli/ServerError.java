package dev.rebound.app.cli;

/** The server answered with an error body {@code {"error":{"code","message"}}}. */
public final class ServerError extends CliFailure {
  private final int status;
  private final String code;
  private final String serverMessage;

  public ServerError(int status, String code, String serverMessage) {
    super(FAILED, code + " (HTTP " + status + "): " + serverMessage);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String serverMessage() {
    return serverMessage;
  }
}
