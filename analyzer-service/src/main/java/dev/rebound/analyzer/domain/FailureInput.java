package dev.rebound.analyzer.domain;

import java.util.Locale;

/**
 * One failure as reported by a worker or service. Only {@code message} is required; every structured
 * field that is present makes the verdict more specific (and more confident).
 *
 * @param message       the error message as reported (may contain secrets: it is redacted first)
 * @param exceptionType exception class, e.g. {@code java.net.ConnectException} or {@code KeyError}
 * @param stackTrace    stack trace / traceback text, any language
 * @param httpStatus    HTTP status of the failed call, 100..599
 * @param exitCode      process exit code, 0..255
 * @param signal        terminating signal, normalized to {@code SIGKILL} style ({@code "9"} and {@code "kill"} are accepted)
 * @param sqlState      five-character SQLSTATE, e.g. {@code 40001}
 * @param stage         the pipeline stage that failed (informational; not used for matching)
 */
public record FailureInput(String message, String exceptionType, String stackTrace, Integer httpStatus,
                           Integer exitCode, String signal, String sqlState, String stage) {

  public FailureInput {
    message = message == null ? "" : message;
    exceptionType = blankToNull(exceptionType);
    stackTrace = blankToNull(stackTrace);
    stage = blankToNull(stage);
    if (httpStatus != null && (httpStatus < 100 || httpStatus > 599)) {
      throw new IllegalArgumentException("httpStatus must be within 100..599, was " + httpStatus);
    }
    if (exitCode != null && (exitCode < 0 || exitCode > 255)) {
      throw new IllegalArgumentException("exitCode must be within 0..255, was " + exitCode);
    }
    signal = blankToNull(signal) == null ? null : Signals.normalize(signal);
    sqlState = blankToNull(sqlState);
    if (sqlState != null) {
      sqlState = sqlState.toUpperCase(Locale.ROOT);
      if (!sqlState.matches("[0-9A-Z]{5}")) {
        throw new IllegalArgumentException("sqlState must be five letters or digits, was '" + sqlState + "'");
      }
    }
  }

  /** A failure known only by its message. */
  public static FailureInput ofMessage(String message) {
    return new FailureInput(message, null, null, null, null, null, null, null);
  }

  public static Builder builder(String message) {
    return new Builder(message);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Fluent construction for callers that know only some fields. */
  public static final class Builder {
    private final String message;
    private String exceptionType;
    private String stackTrace;
    private Integer httpStatus;
    private Integer exitCode;
    private String signal;
    private String sqlState;
    private String stage;

    private Builder(String message) {
      this.message = message;
    }

    public Builder exceptionType(String v) { this.exceptionType = v; return this; }
    public Builder stackTrace(String v) { this.stackTrace = v; return this; }
    public Builder httpStatus(Integer v) { this.httpStatus = v; return this; }
    public Builder exitCode(Integer v) { this.exitCode = v; return this; }
    public Builder signal(String v) { this.signal = v; return this; }
    public Builder sqlState(String v) { this.sqlState = v; return this; }
    public Builder stage(String v) { this.stage = v; return this; }

    public FailureInput build() {
      return new FailureInput(message, exceptionType, stackTrace, httpStatus, exitCode, signal, sqlState, stage);
    }
  }
}
