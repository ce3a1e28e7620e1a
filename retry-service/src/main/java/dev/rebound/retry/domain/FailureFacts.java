package dev.rebound.retry.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The facts of one failed attempt the retry rules look at, independent of the wire messages (the service
 * layer maps {@code FailureClassified} — and the task behind it — onto this). Built with {@link #builder}.
 *
 * @param taskId           the task; seeds deterministic jitter and keys idempotency (with {@code attempt})
 * @param attempt          the failed attempt, 1-based over the task's life
 * @param attemptBase      attempts used before the task's last redrive: this run's attempt is
 *                         {@code attempt - attemptBase}
 * @param firstAttemptAt   when this run's first attempt started (a policy's deadline counts from here)
 * @param maxAttempts      the task's own attempt budget per run, overriding the stage policy's; 0 when none
 * @param stage            the task's stage (required)
 * @param agent            the task's agent (worker kind), or null
 * @param workflowId       the task's workflow, or null
 * @param dependency       the named dependency a worker blamed, or null
 * @param category         the analyzer's category ({@code NETWORK}, {@code RATE_LIMIT}…), null without a verdict
 * @param transientFailure the analyzer's verdict, null when there is none (degraded mode)
 * @param confidence       the analyzer's confidence in [0, 1]
 * @param severity         the analyzer's severity, or null
 * @param fingerprint      the failure's fingerprint, or null
 * @param retryAfter       a retry-after hint, or null
 * @param errorType        the exception type name as reported ({@code java.net.SocketTimeoutException})
 * @param causeTypes       the type names of the cause chain, outermost first (may be empty)
 * @param httpStatus       an HTTP status, or null
 * @param exitCode         a process exit code, or null
 * @param sqlState         a SQLSTATE, or null
 * @param message          the (redacted) message, or null
 * @param priorFreeRetries retries of this run that followed a free failure (e.g. a rate limit): they do not
 *                         count against the policy's retries
 */
public record FailureFacts(String taskId, int attempt, int attemptBase, Instant firstAttemptAt, int maxAttempts,
    String stage, String agent, String workflowId, String dependency, String category, Boolean transientFailure,
    double confidence, String severity, String fingerprint, Duration retryAfter, String errorType,
    List<String> causeTypes, Integer httpStatus, Integer exitCode, String sqlState, String message,
    int priorFreeRetries) {

  public FailureFacts {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    if (attemptBase < 0 || attemptBase >= attempt) {
      throw new IllegalArgumentException("attemptBase must be in [0, attempt), was " + attemptBase);
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must not be negative, was " + maxAttempts);
    }
    if (stage == null || stage.isBlank()) {
      throw new IllegalArgumentException("stage is required");
    }
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence must be in [0, 1], was " + confidence);
    }
    if (priorFreeRetries < 0) {
      throw new IllegalArgumentException("priorFreeRetries must not be negative, was " + priorFreeRetries);
    }
    causeTypes = causeTypes == null ? List.of() : List.copyOf(causeTypes);
  }

  public static Builder builder(String stage) {
    return new Builder(stage);
  }

  /** This run's attempt: 1 for the first attempt after enqueue or redrive. */
  public int runAttempt() {
    return attempt - attemptBase;
  }

  /** True when the analyzer gave a verdict. */
  public boolean hasVerdict() {
    return transientFailure != null;
  }

  /** The error type and the cause chain's types, outermost first. */
  public List<String> allTypes() {
    if (errorType == null) {
      return causeTypes;
    }
    if (causeTypes.isEmpty()) {
      return List.of(errorType);
    }
    ArrayList<String> all = new ArrayList<>(causeTypes.size() + 1);
    all.add(errorType);
    all.addAll(causeTypes);
    return all;
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Every field optional except the stage; {@code attempt} defaults to 1. */
  public static final class Builder {
    private String taskId;
    private int attempt = 1;
    private int attemptBase;
    private Instant firstAttemptAt;
    private int maxAttempts;
    private String stage;
    private String agent;
    private String workflowId;
    private String dependency;
    private String category;
    private Boolean transientFailure;
    private double confidence;
    private String severity;
    private String fingerprint;
    private Duration retryAfter;
    private String errorType;
    private List<String> causeTypes = List.of();
    private Integer httpStatus;
    private Integer exitCode;
    private String sqlState;
    private String message;
    private int priorFreeRetries;

    private Builder(String stage) {
      this.stage = stage;
    }

    private Builder(FailureFacts f) {
      taskId = f.taskId;
      attempt = f.attempt;
      attemptBase = f.attemptBase;
      firstAttemptAt = f.firstAttemptAt;
      maxAttempts = f.maxAttempts;
      stage = f.stage;
      agent = f.agent;
      workflowId = f.workflowId;
      dependency = f.dependency;
      category = f.category;
      transientFailure = f.transientFailure;
      confidence = f.confidence;
      severity = f.severity;
      fingerprint = f.fingerprint;
      retryAfter = f.retryAfter;
      errorType = f.errorType;
      causeTypes = f.causeTypes;
      httpStatus = f.httpStatus;
      exitCode = f.exitCode;
      sqlState = f.sqlState;
      message = f.message;
      priorFreeRetries = f.priorFreeRetries;
    }

    public Builder taskId(String taskId) {
      this.taskId = taskId;
      return this;
    }

    public Builder attempt(int attempt) {
      this.attempt = attempt;
      return this;
    }

    public Builder attemptBase(int attemptBase) {
      this.attemptBase = attemptBase;
      return this;
    }

    public Builder firstAttemptAt(Instant firstAttemptAt) {
      this.firstAttemptAt = firstAttemptAt;
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder stage(String stage) {
      this.stage = stage;
      return this;
    }

    public Builder agent(String agent) {
      this.agent = agent;
      return this;
    }

    public Builder workflowId(String workflowId) {
      this.workflowId = workflowId;
      return this;
    }

    public Builder dependency(String dependency) {
      this.dependency = dependency;
      return this;
    }

    /** The analyzer's verdict. */
    public Builder verdict(String category, boolean transientFailure, double confidence) {
      this.category = category;
      this.transientFailure = transientFailure;
      this.confidence = confidence;
      return this;
    }

    /** No verdict: the analyzer did not answer (degraded mode). */
    public Builder noVerdict() {
      this.category = null;
      this.transientFailure = null;
      this.confidence = 0;
      return this;
    }

    public Builder severity(String severity) {
      this.severity = severity;
      return this;
    }

    public Builder fingerprint(String fingerprint) {
      this.fingerprint = fingerprint;
      return this;
    }

    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = retryAfter;
      return this;
    }

    public Builder errorType(String errorType) {
      this.errorType = errorType;
      return this;
    }

    public Builder causeTypes(List<String> causeTypes) {
      this.causeTypes = Objects.requireNonNull(causeTypes, "causeTypes");
      return this;
    }

    public Builder httpStatus(Integer httpStatus) {
      this.httpStatus = httpStatus;
      return this;
    }

    public Builder exitCode(Integer exitCode) {
      this.exitCode = exitCode;
      return this;
    }

    public Builder sqlState(String sqlState) {
      this.sqlState = sqlState;
      return this;
    }

    public Builder message(String message) {
      this.message = message;
      return this;
    }

    public Builder priorFreeRetries(int priorFreeRetries) {
      this.priorFreeRetries = priorFreeRetries;
      return this;
    }

    /** @throws IllegalArgumentException on an impossible combination (attempt below 1, no stage…) */
    public FailureFacts build() {
      return new FailureFacts(taskId, attempt, attemptBase, firstAttemptAt, maxAttempts, stage, agent, workflowId,
          dependency, category, transientFailure, confidence, severity, fingerprint, retryAfter, errorType, causeTypes,
          httpStatus, exitCode, sqlState, message, priorFreeRetries);
    }
  }
}
