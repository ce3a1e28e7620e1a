package dev.rebound.common;

/**
 * Event-bus addresses of the mesh. Point-to-point {@code send}/{@code request} carries work (one
 * instance of a service handles each message); {@code publish} is only used for observers
 * ({@code rebound.events.*}).
 */
public final class Addresses {
  private Addresses() {
  }

  /** {@code FailureEvent} request/reply into the ledger; the reply comes after the commit. */
  public static final String FAILURES = "rebound.failures";
  /** The ledger's task API for {@code LedgerClient}; the operation is the {@link #ACTION_HEADER}. */
  public static final String LEDGER = "rebound.ledger";
  /** {@code Decision}s from the retry service to the ledger. */
  public static final String LEDGER_DECIDE = "rebound.ledger.decide";
  /** Recorded failures ({@code FailureEvent}, with their id and attempt) from the ledger's outbox to the analyzer. */
  public static final String ANALYZER_FAILURES = "rebound.analyzer.failures";
  /** The analyzer's queries (fingerprints) for {@code AnalyzerClient}; the operation is the {@link #ACTION_HEADER}. */
  public static final String ANALYZER = "rebound.analyzer";
  /** Request/reply classification of a message. */
  public static final String ANALYZER_CLASSIFY = "rebound.analyzer.classify";
  /** {@code FailureClassified} from the analyzer to the retry service. */
  public static final String RETRY_CLASSIFIED = "rebound.retry.classified";
  /**
   * A task's outcomes for the retry service, sent point-to-point by the ledger after their commit (so that one
   * retry-service instance counts each): every transition to DONE, and every return to QUEUED or RETRY from
   * FAILED, BLOCKED or RETRY (an operator's redrive, resume or retry-now among them), as {@code Transition}s.
   */
  public static final String RETRY_OUTCOMES = "rebound.retry.outcomes";
  /** The retry service's API (policies, circuits, budgets) for {@code RetryApi}; the operation is the {@link #ACTION_HEADER}. */
  public static final String RETRY = "rebound.retry";
  /**
   * Alert events (an opened circuit, an exhausted budget, an aborted workflow) for the notifier, sent
   * point-to-point: {@code {labels:{kind, stage, workflow, category, fingerprint, severity}, summary, details, at}}.
   */
  public static final String NOTIFIER_ALERTS = "rebound.notifier.alerts";
  /**
   * The notifier's API (alerts, silences, deliveries, routes) for {@code NotifierClient}; the operation is the
   * {@link #ACTION_HEADER}.
   */
  public static final String NOTIFIER = "rebound.notifier";

  /** Published: every task transition ({@code Transition}). */
  public static final String EVENTS_TASKS = "rebound.events.tasks";
  /** Published: every classification. */
  public static final String EVENTS_CLASSIFIED = "rebound.events.classified";
  /**
   * Published: every circuit transition, {@code {name, from, to, reason, at, actor?}}; {@code name}
   * is {@code stage:<stage>}, {@code agent:<agent>} or {@code dependency:<name>}. Workers and the
   * ledger follow it.
   */
  public static final String EVENTS_CIRCUITS = "rebound.events.circuits";
  /** Published: every notification the notifier decided to send (group, receiver, status, alerts), for in-cluster receivers. */
  public static final String EVENTS_ALERTS = "rebound.events.alerts";

  /** Header naming the operation on {@link #LEDGER}, {@link #RETRY}, {@link #ANALYZER} and {@link #NOTIFIER}. */
  public static final String ACTION_HEADER = "action";
  /** Optional header naming who asks (recorded in the task history); {@code event-bus} when absent. */
  public static final String ACTOR_HEADER = "actor";
  /**
   * Optional header: how long (ms) the requester waits for the reply. A service that cannot answer
   * in time counts the requester as gone — a long-poll claim then hands its tasks back instead of
   * leasing them to nobody. The typed clients send their timeout.
   */
  public static final String REPLY_WITHIN_HEADER = "reply-within-ms";
}
