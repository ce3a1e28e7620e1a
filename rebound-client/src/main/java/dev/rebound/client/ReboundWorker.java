package dev.rebound.client;

import dev.rebound.common.Addresses;
import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.classification.Category;
import dev.rebound.common.message.FailureEvent;
import dev.rebound.common.message.TaskView;
import dev.rebound.common.request.ClaimRequest;
import dev.rebound.common.request.CompleteRequest;
import dev.rebound.common.request.HeartbeatRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Works the tasks of one stage: long-polls claims for as many tasks as it has free slots, runs each
 * on its Vert.x context under the attempt timeout, heartbeats while it runs, and completes it or
 * reports its failure. It does not claim while its stage's circuit is open ({@code stage:<stage>} on
 * {@code rebound.events.circuits}), while its {@link ResourceGuard} has tripped, or once stopping.
 * A task whose lease was lost (a heartbeat or checkpoint answered {@code LEASE_LOST}) is dropped:
 * neither its completion nor its failure is sent.
 *
 * <p>All of the worker's state is confined to the context {@link #work} was called on (or a new one).
 */
public final class ReboundWorker {
  public static final int DEFAULT_CONCURRENCY = 1;
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  public static final int DEFAULT_CLAIM_BATCH = 10;
  public static final Duration DEFAULT_CLAIM_WAIT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);
  /** How often the cluster's circuits are read (besides the transitions the event bus brings). */
  public static final Duration DEFAULT_CIRCUIT_REFRESH = Duration.ofSeconds(5);
  private static final long CLAIM_RETRY_MIN_MS = 250;
  private static final long CLAIM_RETRY_MAX_MS = 30_000;
  private static final String STAGE_PREFIX = "stage:";
  /** Most completions one request carries (the ledger's own limit, {@code ledger.batch-max-items}, is 1000 by default). */
  static final int MAX_COMPLETION_BATCH = 100;

  private final Vertx vertx;
  private final LedgerTransport transport;
  private final String name;
  private final String configuredStage;
  private final int concurrency;
  private final Duration lease;
  private final Duration heartbeatInterval;
  private final Duration attemptTimeout;
  private final int claimBatch;
  private final Duration claimWait;
  private final Duration stopTimeout;
  private final Duration circuitRefresh;
  private final Clock clock;
  private final ResourceGuard guard;
  private final DependencyBreakers breakers;

  private final Map<UUID, RunningTask> running = new ConcurrentHashMap<>();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong leaseLost = new AtomicLong();
  private final AtomicLong overloadedResends = new AtomicLong();
  private Context context;
  private TaskHandler handler;
  private volatile String stage;
  private volatile boolean claiming;
  private volatile String claimError;
  private volatile boolean stagePaused;
  private volatile boolean resourcesPaused;
  private volatile boolean stopping;
  private long claimRetryTimer = -1;
  private long claimRetryMs;
  private long guardTimer = -1;
  private long circuitTimer = -1;
  /** The state of each circuit as the cluster last told it (a read of all circuits acts on changes only). */
  private final Map<String, String> clusterStates = new HashMap<>();
  private boolean recycled;
  private boolean recycling;
  private boolean restartAsked;
  private MessageConsumer<Object> circuitEvents;
  private Promise<Void> drained;
  /** Completions waiting for the one on its way (see {@link #sendCompletion}). */
  private final List<PendingCompletion> pendingCompletions = new ArrayList<>();
  private boolean completionsInFlight;

  private ReboundWorker(Builder b) {
    this.vertx = b.vertx;
    this.transport = b.transport;
    this.name = b.name;
    this.configuredStage = b.stage;
    this.concurrency = b.concurrency;
    this.lease = b.lease;
    this.heartbeatInterval = b.heartbeatInterval != null ? b.heartbeatInterval : b.lease.dividedBy(3);
    this.attemptTimeout = b.attemptTimeout != null ? b.attemptTimeout : b.lease;
    this.claimBatch = b.claimBatch;
    this.claimWait = b.claimWait;
    this.stopTimeout = b.stopTimeout;
    this.circuitRefresh = b.circuitRefresh;
    this.clock = b.clock;
    this.guard = b.resourceGuard;
    this.breakers = new DependencyBreakers(b.breakerSettings, b.clock);
  }

  /** A worker reaching the ledger through {@code transport}; timers and handlers run on {@code vertx}. */
  public static Builder builder(Vertx vertx, LedgerTransport transport) {
    return new Builder(vertx, transport);
  }

  /** Works the stage given to the builder. */
  public Future<Void> work(TaskHandler handler) {
    if (configuredStage == null) {
      throw new IllegalStateException("no stage: give one to the builder or to work(stage, handler)");
    }
    return work(configuredStage, handler);
  }

  /**
   * Starts working {@code stage} with {@code handler}; the future completes once the worker follows
   * the circuit events and has sent its first claim. One stage per worker: build another for another.
   */
  public synchronized Future<Void> work(String stage, TaskHandler handler) {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(handler, "handler");
    if (this.handler != null) {
      throw new IllegalStateException("worker " + name + " already works stage " + this.stage);
    }
    this.handler = handler;
    this.stage = stage;
    this.context = vertx.getOrCreateContext();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> {
      circuitEvents = vertx.eventBus().consumer(Addresses.EVENTS_CIRCUITS, this::onCircuitTransition);
      circuitEvents.completion().onComplete(ar -> {
        if (ar.failed()) {
          started.fail(ar.cause());
          return;
        }
        if (guard != null) {
          guardTimer = vertx.setPeriodic(guard.checkInterval().toMillis(), id -> {
            checkResources();
            pump();
          });
        }
        // the circuits open before this worker started, and the ones an HTTP worker hears of no other way
        readCircuits();
        circuitTimer = vertx.setPeriodic(circuitRefresh.toMillis(), id -> readCircuits());
        pump();
        started.complete();
      });
    });
    return started.future();
  }

  /**
   * Stops claiming, lets the tasks in flight finish (a claim under way still hands its tasks to the
   * handler), and after {@code stopTimeout} reports the ones still running as failed. Completes once
   * every outcome was sent.
   */
  public Future<Void> stop() {
    if (context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> {
      if (drained != null) {
        drained.future().onComplete(stopped);
        return;
      }
      stopping = true;
      drained = Promise.promise();
      cancel(claimRetryTimer);
      cancel(guardTimer);
      cancel(circuitTimer);
      long giveUp = vertx.setTimer(Math.max(1, stopTimeout.toMillis()), id -> {
        for (RunningTask task : new ArrayList<>(running.values())) {
          finish(task, null, new Failure("worker " + name + " stopped before the task finished (waited "
              + stopTimeout.toMillis() + " ms)"));
        }
      });
      checkDrained();
      drained.future()
          .compose(x -> circuitEvents == null ? Future.succeededFuture() : circuitEvents.unregister())
          .onComplete(x -> vertx.cancelTimer(giveUp))
          .<Void>mapEmpty()
          .onComplete(stopped);
    });
    return stopped.future();
  }

  public WorkerStatus status() {
    Set<String> pausedBy = new TreeSet<>();
    if (stagePaused) {
      pausedBy.add(STAGE_PREFIX + stage);
    }
    if (resourcesPaused) {
      pausedBy.add("resources");
    }
    if (stopping) {
      pausedBy.add("stopping");
    }
    return new WorkerStatus(name, stage, claiming, running.size(), Set.copyOf(pausedBy), completed.get(),
        failed.get(), leaseLost.get(), claimError, overloadedResends.get());
  }

  /** The local breakers, one per dependency, that {@link TaskContext#call} goes through. */
  public DependencyBreakers breakers() {
    return breakers;
  }

  public String name() {
    return name;
  }

  Vertx vertx() {
    return vertx;
  }

  LedgerTransport transport() {
    return transport;
  }

  // ------------------------------------------------------------------ claiming

  /** Claims when there is room and nothing holds it back; called on every change that may allow it. */
  private void pump() {
    checkResources();
    if (claiming || stopping || stagePaused || resourcesPaused || claimRetryTimer != -1) {
      return;
    }
    int free = concurrency - running.size();
    if (free <= 0) {
      return;
    }
    claiming = true;
    ClaimRequest request = ClaimRequest.builder(name).stage(stage).limit(Math.min(claimBatch, free))
        .leaseMs(lease.toMillis()).waitMs(claimWait.toMillis()).build();
    transport.claim(request).onComplete(ar -> {
      claiming = false;
      if (ar.succeeded()) {
        claimRetryMs = 0;
        claimError = null;
        ar.result().forEach(this::start);
      } else {
        // the ledger is down or refused the claim: try again later, backing off
        claimError = ar.cause().getMessage();
        claimRetryMs = Math.min(CLAIM_RETRY_MAX_MS, Math.max(CLAIM_RETRY_MIN_MS, claimRetryMs * 2));
        claimRetryTimer = vertx.setTimer(claimRetryMs, id -> {
          claimRetryTimer = -1;
          pump();
        });
      }
      checkDrained();
      pump();
    });
  }

  private void onCircuitTransition(Message<Object> message) {
    if (!(message.body() instanceof JsonObject event) || event.getString("name") == null
        || event.getString("to") == null) {
      return;
    }
    follow(event.getString("name"), event.getString("to"), event.getString("reason"));
  }

  /** Reads every circuit of the cluster and follows the ones whose state changed; unreachable: tried again later. */
  private void readCircuits() {
    if (stopping) {
      return;
    }
    transport.circuits().onComplete(ar -> {
      if (ar.failed() || ar.result().getJsonArray("circuits") == null) {
        return;
      }
      for (Object o : ar.result().getJsonArray("circuits")) {
        if (o instanceof JsonObject c && c.getString("name") != null && c.getString("state") != null
            && !c.getString("state").equals(clusterStates.get(c.getString("name")))) {
          follow(c.getString("name"), c.getString("state"), c.getString("reason"));
        }
      }
    });
  }

  private void follow(String circuit, String to, String reason) {
    clusterStates.put(circuit, to);
    if (circuit.startsWith(DependencyBreakers.PREFIX)) {
      breakers.adopt(circuit.substring(DependencyBreakers.PREFIX.length()), to, reason);
    } else if (circuit.equals(STAGE_PREFIX + stage)) {
      stagePaused = to.equals("OPEN") || to.equals("FORCED_OPEN");
      pump();
    }
  }

  // ------------------------------------------------------------------ one task

  /** One claimed task while this worker holds it. */
  static final class RunningTask {
    final TaskView task;
    volatile boolean leaseLost;
    volatile boolean finished;
    volatile String failedDependency;
    long heartbeatTimer = -1;
    long timeoutTimer = -1;

    RunningTask(TaskView task) {
      this.task = task;
    }

    void markLeaseLostIf(Throwable e) {
      if (e instanceof ReboundException re && (re.code() == ErrorCode.LEASE_LOST || re.code() == ErrorCode.NOT_FOUND)) {
        leaseLost = true;
      }
    }
  }

  private void start(TaskView task) {
    RunningTask run = new RunningTask(task);
    running.put(task.id(), run);
    run.heartbeatTimer = vertx.setPeriodic(Math.max(1, heartbeatInterval.toMillis()), id -> heartbeat(run));
    run.timeoutTimer = vertx.setTimer(Math.max(1, attemptTimeout.toMillis()), id -> finish(run, null,
        new TimeoutException("task " + task.id() + " did not finish within its attempt timeout of "
            + attemptTimeout.toMillis() + " ms")));
    Future<?> outcome;
    try {
      outcome = handler.handle(new TaskContext(this, run));
      if (outcome == null) {
        outcome = Future.failedFuture(new IllegalStateException("the handler returned no future"));
      }
    } catch (RuntimeException | Error e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> finish(run, ar.result(), ar.cause()));
  }

  private void heartbeat(RunningTask run) {
    if (run.finished || run.leaseLost) {
      return;
    }
    transport.heartbeat(new HeartbeatRequest(run.task.id(), run.task.leaseToken(), lease.toMillis(), null))
        .onFailure(run::markLeaseLostIf);
    // other failures: the next heartbeat tries again; the lease outlasts a few missed beats
  }

  /** The first outcome wins (the handler's, the timeout, or a stop); the task's slot frees once it was sent. */
  private void finish(RunningTask run, Object result, Throwable failure) {
    if (run.finished) {
      return;
    }
    run.finished = true;
    cancel(run.heartbeatTimer);
    cancel(run.timeoutTimer);
    Future<?> sent;
    if (run.leaseLost) {
      leaseLost.incrementAndGet();
      sent = Future.succeededFuture();
    } else if (failure == null) {
      CompleteRequest completion = new CompleteRequest(run.task.id(), run.task.leaseToken(),
          result == null ? null : Json.encode(result), null);
      sent = resendWhileOverloaded(() -> sendCompletion(completion), leaseDeadline())
          .onSuccess(r -> completed.incrementAndGet())
          .onFailure(e -> countLeaseLoss(run, e));
    } else {
      FailureEvent report = failureOf(run, failure);
      sent = resendWhileOverloaded(() -> transport.reportFailure(report), leaseDeadline())
          .onSuccess(r -> failed.incrementAndGet())
          .onFailure(e -> countLeaseLoss(run, e));
    }
    sent.onComplete(x -> {
      running.remove(run.task.id());
      checkDrained();
      pump();
    });
  }

  /**
   * Completions go out like a group commit: one alone at once when none is on its way, and those
   * that finish meanwhile (a worker running tasks concurrently) together in one
   * {@link LedgerTransport#completeAll} when it returns, each still answered on its own.
   */
  private Future<JsonObject> sendCompletion(CompleteRequest request) {
    if (concurrency == 1) {
      return transport.complete(request);
    }
    Promise<JsonObject> answered = Promise.promise();
    pendingCompletions.add(new PendingCompletion(request, answered));
    flushCompletions();
    return answered.future();
  }

  /** Past this instant the lease is gone whatever happens (the last heartbeat renewed it for {@code lease} at most). */
  private long leaseDeadline() {
    return System.currentTimeMillis() + lease.toMillis();
  }

  /**
   * Sends the outcome of an attempt again, after the ledger's {@code Retry-After} (plus up to half of it, so that
   * workers refused together do not come back together), while the ledger refuses it as {@code OVERLOADED}: a
   * refusal that wrote nothing, so sending again is safe, and the work done is worth the wait. Gives up at {@code
   * deadlineMillis} (the lease would be lost by then; the ledger's lease rescue takes over). Other failures are
   * answered as they are.
   */
  private <T> Future<T> resendWhileOverloaded(Supplier<Future<T>> send, long deadlineMillis) {
    return send.get().recover(t -> {
      ReboundException e = ReboundException.from(t);
      if (e.code() != ErrorCode.OVERLOADED) {
        return Future.failedFuture(t);
      }
      long hintMillis = 1000L * Math.max(1, e.details() == null ? 1 : e.details().getInteger("retryAfterSeconds", 1));
      long waitMillis = hintMillis + (long) (Math.random() * hintMillis / 2);
      if (System.currentTimeMillis() + waitMillis >= deadlineMillis) {
        return Future.failedFuture(t);
      }
      overloadedResends.incrementAndGet();
      Promise<T> again = Promise.promise();
      vertx.setTimer(waitMillis, id -> resendWhileOverloaded(send, deadlineMillis).onComplete(again));
      return again.future();
    });
  }

  private void flushCompletions() {
    if (completionsInFlight || pendingCompletions.isEmpty()) {
      return;
    }
    List<PendingCompletion> batch = new ArrayList<>(pendingCompletions.subList(0,
        Math.min(pendingCompletions.size(), MAX_COMPLETION_BATCH)));
    pendingCompletions.subList(0, batch.size()).clear();
    completionsInFlight = true;
    Future<List<Outcome<JsonObject>>> sent = batch.size() == 1
        ? transport.complete(batch.get(0).request()).map(r -> List.of(Outcome.ok(r)))
        : transport.completeAll(batch.stream().map(PendingCompletion::request).toList());
    sent.onComplete(ar -> {
      completionsInFlight = false;
      for (int i = 0; i < batch.size(); i++) {
        Promise<JsonObject> answer = batch.get(i).answered();
        if (ar.failed()) {
          answer.fail(ar.cause());
        } else if (ar.result().get(i) instanceof Outcome.Ok<JsonObject> ok) {
          answer.complete(ok.value());
        } else {
          answer.fail(((Outcome.Failed<JsonObject>) ar.result().get(i)).error());
        }
      }
      flushCompletions();
    });
  }

  private record PendingCompletion(CompleteRequest request, Promise<JsonObject> answered) {
  }

  private void countLeaseLoss(RunningTask run, Throwable e) {
    run.markLeaseLostIf(e);
    if (run.leaseLost) {
      leaseLost.incrementAndGet();
    }
  }

  private FailureEvent failureOf(RunningTask run, Throwable failure) {
    JsonObject details = new JsonObject().put("worker", name);
    String dependency = failure instanceof CircuitOpenException open ? open.dependency() : run.failedDependency;
    if (dependency != null) {
      details.put("dependency", dependency).put("dependencyState", breakers.state(dependency).name());
    }
    return FailureReport.describe(failure, details)
        .failureId(UUID.randomUUID())
        .taskId(run.task.id())
        .attempt(run.task.attempt())
        .leaseToken(run.task.leaseToken())
        .source(name)
        .stage(run.task.stage())
        .workflowId(run.task.workflowId())
        .occurredAt(clock.instant())
        .build();
  }

  // ------------------------------------------------------------------ resource guard

  /** Trips the guard above its threshold; once no task runs, recycles, then asks for a restart. */
  private void checkResources() {
    if (guard == null || stopping || recycling) {
      return;
    }
    MemoryReading reading = guard.probe().read();
    boolean over = guard.exceeded(reading);
    if (over && !resourcesPaused) {
      resourcesPaused = true;
      reportResourceExhausted(reading);
    }
    if (!resourcesPaused || !running.isEmpty() || claiming) {
      return;
    }
    if (!over) {
      resourcesPaused = false;
      recycled = false;
      restartAsked = false;
    } else if (guard.recyclable() != null && !recycled) {
      recycled = true;
      recycling = true;
      Future<Void> recycle;
      try {
        recycle = guard.recyclable().recycle();
      } catch (RuntimeException e) {
        recycle = Future.failedFuture(e);
      }
      recycle.onComplete(ar -> {
        recycling = false;
        pump();
      });
    } else if (!restartAsked) {
      restartAsked = true;
      guard.onRestartNeeded().accept(guard.describe(reading) + (recycled ? " after recycling" : ""));
    }
  }

  private void reportResourceExhausted(MemoryReading reading) {
    JsonObject details = new JsonObject().put("worker", name).put("categoryHint", Category.RESOURCE_EXHAUSTION.name())
        .put("measure", reading.measure()).put("usedBytes", reading.usedBytes()).put("limitBytes", reading.limitBytes())
        .put("threshold", guard.threshold()).put("inFlight", running.size());
    transport.reportFailure(FailureEvent.builder()
        .failureId(UUID.randomUUID())
        .source(name)
        .stage(stage)
        .errorType(ResourceGuard.ERROR_TYPE)
        .message("worker " + name + ": " + guard.describe(reading) + "; it stops claiming")
        .details(details)
        .occurredAt(clock.instant())
        .build());
    // if the ledger is unreachable the report is lost; the pause itself does not depend on it
  }

  // ------------------------------------------------------------------ stopping

  private void checkDrained() {
    if (stopping && drained != null && running.isEmpty() && !claiming) {
      drained.tryComplete();
    }
  }

  private void cancel(long timer) {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  // ------------------------------------------------------------------ failures with details

  /**
   * A handler's failure that says more than an exception does: the HTTP status, exit code or
   * SQLSTATE behind it, and extra details — all reported with it (also when it is a cause).
   */
  public static class Failure extends RuntimeException {
    private Integer httpStatus;
    private Integer exitCode;
    private String sqlState;
    private final JsonObject details = new JsonObject();

    public Failure(String message) {
      super(message);
    }

    public Failure(String message, Throwable cause) {
      super(message, cause);
    }

    public Failure httpStatus(int status) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("not an HTTP status: " + status);
      }
      this.httpStatus = status;
      return this;
    }

    public Failure exitCode(int code) {
      if (code < -255 || code > 65535) {
        throw new IllegalArgumentException("exit code out of range: " + code);
      }
      this.exitCode = code;
      return this;
    }

    public Failure sqlState(String state) {
      if (!FailureReport.validSqlState(state)) {
        throw new IllegalArgumentException("not a SQLSTATE: " + state);
      }
      this.sqlState = state;
      return this;
    }

    /** An extra detail of the report (JSON value). */
    public Failure detail(String key, Object value) {
      details.put(key, value);
      return this;
    }

    public Integer httpStatus() {
      return httpStatus;
    }

    public Integer exitCode() {
      return exitCode;
    }

    public String sqlState() {
      return sqlState;
    }

    public JsonObject details() {
      return details;
    }
  }

  // ------------------------------------------------------------------ builder

  public static final class Builder {
    private final Vertx vertx;
    private final LedgerTransport transport;
    private String name = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    private String stage;
    private int concurrency = DEFAULT_CONCURRENCY;
    private Duration lease = DEFAULT_LEASE;
    private Duration heartbeatInterval;
    private Duration attemptTimeout;
    private int claimBatch = DEFAULT_CLAIM_BATCH;
    private Duration claimWait = DEFAULT_CLAIM_WAIT;
    private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
    private Duration circuitRefresh = DEFAULT_CIRCUIT_REFRESH;
    private Clock clock = Clock.systemUTC();
    private ResourceGuard resourceGuard;
    private BreakerSettings breakerSettings = BreakerSettings.DEFAULTS;

    private Builder(Vertx vertx, LedgerTransport transport) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** The worker's name: the lease owner in the ledger and the source of its failure reports. */
    public Builder name(String v) { this.name = Objects.requireNonNull(v, "name"); return this; }
    public Builder stage(String v) { this.stage = v; return this; }
    /** At most this many tasks run at once (default 1). */
    public Builder concurrency(int v) { this.concurrency = v; return this; }
    /** The lease asked for in each claim and heartbeat (default 30 s). */
    public Builder lease(Duration v) { this.lease = v; return this; }
    /** Default: a third of the lease. */
    public Builder heartbeatInterval(Duration v) { this.heartbeatInterval = v; return this; }
    /** How long one attempt may run before it is reported as a {@code TimeoutException}; default: the lease. */
    public Builder attemptTimeout(Duration v) { this.attemptTimeout = v; return this; }
    /** At most this many tasks per claim (default 10; never more than the free slots). */
    public Builder claimBatch(int v) { this.claimBatch = v; return this; }
    /** How long a claim waits at the ledger for a task to arrive (default 10 s). */
    public Builder claimWait(Duration v) { this.claimWait = v; return this; }
    /** How long {@link ReboundWorker#stop()} waits for running tasks (default 30 s). */
    public Builder stopTimeout(Duration v) { this.stopTimeout = v; return this; }
    /** How often the cluster's circuits are read besides the transitions heard on the event bus (default 5 s). */
    public Builder circuitRefresh(Duration v) { this.circuitRefresh = Objects.requireNonNull(v, "circuitRefresh"); return this; }
    /** The clock of failure reports and breakers. */
    public Builder clock(Clock v) { this.clock = Objects.requireNonNull(v, "clock"); return this; }
    /** Off unless given. */
    public Builder resourceGuard(ResourceGuard v) { this.resourceGuard = v; return this; }
    public Builder breakerSettings(BreakerSettings v) { this.breakerSettings = Objects.requireNonNull(v); return this; }

    public ReboundWorker build() {
      if (concurrency < 1 || claimBatch < 1) {
        throw new IllegalArgumentException("concurrency and claimBatch must be at least 1");
      }
      if (lease.toMillis() < ClaimRequest.MIN_LEASE_MS) {
        throw new IllegalArgumentException("lease must be at least " + ClaimRequest.MIN_LEASE_MS + " ms");
      }
      if (circuitRefresh.toMillis() < 1) {
        throw new IllegalArgumentException("circuitRefresh must be at least 1 ms");
      }
      if (claimWait.toMillis() < 1) {
        // a claim answered at once with nothing would be sent again at once
        throw new IllegalArgumentException("claimWait must be at least 1 ms");
      }
      return new ReboundWorker(this);
    }
  }
}
