package dev.rebound.notifier.domain;

/** The label names and {@code kind} values every Rebound alert carries (a sender may add its own). */
public final class AlertLabels {
  private AlertLabels() {
  }

  public static final String KIND = "kind";
  public static final String STAGE = "stage";
  public static final String WORKFLOW = "workflow";
  public static final String CATEGORY = "category";
  public static final String FINGERPRINT = "fingerprint";
  /** The underlying error (the analyzer's signature): repeats of one error through different wrappers are one alert. */
  public static final String SIGNATURE = "signature";
  public static final String SEVERITY = "severity";
  /** The task behind a per-task alert: its success resolves the alert. */
  public static final String TASK = "task";
  /** The circuit behind a {@value #CIRCUIT_OPEN} alert: its closing resolves the alert. */
  public static final String CIRCUIT = "circuit";
  /** Prometheus's rule name, kept as Alertmanager-compatible receivers expect it. */
  public static final String ALERTNAME = "alertname";

  public static final String DEAD_LETTER = "dead-letter";
  public static final String CIRCUIT_OPEN = "circuit-open";
  public static final String BUDGET_EXHAUSTED = "budget-exhausted";
  public static final String WORKFLOW_ABORTED = "workflow-aborted";
  public static final String NEW_FINGERPRINT = "new-fingerprint";
  /** A failure not tied to a task, reported by an application onto {@code rebound.failures}. */
  public static final String FAILURE = "failure";
}
