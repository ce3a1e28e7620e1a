package dev.rebound.app.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** What every client command shares: where Rebound is, whom to trust over HTTPS, which token to send, and whether
 * to print raw JSON. */
public final class ClientOptions {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";

  @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:REBOUND_URL:-" + DEFAULT_URL + "}",
      description = "Base URL of a running Rebound (env REBOUND_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--ca-file", paramLabel = "PEM", defaultValue = "${env:REBOUND_CA_FILE}",
      description = "For an https URL: the PEM file of the CA that signed Rebound's certificate, trusted instead of "
          + "the JDK's default store (env REBOUND_CA_FILE).")
  String caFile;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Bearer token to send (env REBOUND_TOKEN, which keeps it out of the process list and the shell"
          + " history); needed when the server has auth.tokens.")
  String token;

  @Option(names = "--json", description = "Print the server's JSON answer as is (one line) instead of a table.")
  boolean json;

  ReboundHttpClient client() {
    return new ReboundHttpClient(url, token(), caFile);
  }

  /** With --json prints the answer and returns true: the caller then prints nothing else. */
  boolean printedJson(PrintWriter out, JsonObject answer) {
    if (json) {
      out.println(answer.encode());
      out.flush();
    }
    return json;
  }

  /** The bearer token to send: {@code --token}, else {@code REBOUND_TOKEN}, else none. */
  String token() {
    return token != null ? token : System.getenv(ReboundHttpClient.TOKEN_ENV);
  }
}
