package dev.rebound.notifier;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import dev.rebound.common.db.GroupCommit;
import dev.rebound.common.message.FailureClassified;
import dev.rebound.common.message.TaskState;
import dev.rebound.common.message.Transition;
import dev.rebound.common.policy.PolicyException;
import dev.rebound.common.request.AlertActionRequest;
import dev.rebound.common.request.AlertIdRequest;
import dev.rebound.common.request.AlertsQuery;
import dev.rebound.common.request.DeliveriesQuery;
import dev.rebound.common.request.DeliveryIdRequest;
import dev.rebound.common.request.RouteTestRequest;
import dev.rebound.common.request.SilenceIdRequest;
import dev.rebound.common.request.SilenceRequest;
import dev.rebound.common.request.SilencesQuery;
import dev.rebound.common.service.Origin;
import dev.rebound.notifier.delivery.AlertJson;
import dev.rebound.notifier.delivery.NotificationPlanner;
import dev.rebound.notifier.delivery.NotifierMetrics;
import dev.rebound.notifier.delivery.Routing;
import dev.rebound.notifier.domain.Alert;
import dev.rebound.notifier.domain.AlertEvent;
import dev.rebound.common.text.Redactor;
import dev.rebound.notifier.domain.AlertIntake;
import dev.rebound.notifier.domain.AlertLabels;
import dev.rebound.notifier.domain.AlertLifecycle;
import dev.rebound.notifier.domain.AlertTransitionException;
import dev.rebound.notifier.domain.AlertView;
import dev.rebound.notifier.domain.ChannelTarget;
import dev.rebound.notifier.domain.GroupNotification;
import dev.rebound.notifier.domain.Healing;
import dev.rebound.notifier.domain.InvalidAlertException;
import dev.rebound.notifier.domain.LabelMatcher;
import dev.rebound.notifier.domain.Route;
import dev.rebound.notifier.domain.RouteMatch;
import dev.rebound.notifier.domain.Silence;
import dev.rebound.notifier.store.AlertStore;
import dev.rebound.notifier.store.Delivery;
import dev.rebound.notifier.store.GroupStore;
import dev.rebound.notifier.store.OutboxStore;
import dev.rebound.notifier.store.Rows;
import dev.rebound.notifier.store.SilenceStore;
import dev.rebound.notifier.store.StoredAlert;
import dev.rebound.notifier.sweep.NotificationTimers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the notifier does, shared by the event bus and HTTP: alerts received (committed before the answer), people's
 * acknowledgements and resolutions, healing from task and circuit events, silences, the outbox and the routes. Each
 * change of an alert and of the groups it is in is one transaction; notifications are sent by the timers and the
 * outbox, never from here.
 */
public final class NotifierOperations {
  /** People's comments go into the alert history: without secrets. */
  private static final Redactor REDACTOR = new Redactor();

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String FOREIGN_KEY_VIOLATION = "23503";
  private static final String DEADLOCK = "40P01";
  private static final String SERIALIZATION = "40001";
  /** At most this many intakes per transaction. */
  private static final int INTAKE_BATCH = 500;

  private final Pool pool;
  private final AlertStore alerts;
  private final GroupStore groups;
  private final SilenceStore silences;
  private final OutboxStore outbox;
  private final Routing routing;
  private final NotificationTimers timers;
  private final NotifierMetrics metrics;
  private final Clock clock;
  private final Duration resolveTimeout;
  private final Runnable groupsDue;
  private final GroupCommit<AlertEvent, JsonObject> intake;

  /**
   * @param groupsDue called after an intake commit that made a group due at once (group-wait 0, or an alert older
   *     than it), so that the flush and the delivery need not wait for the next sweep
   * @param intakeInFlight how many intake transactions may be open at once (each one a batch)
   */
  public NotifierOperations(Pool pool, AlertStore alerts, GroupStore groups, SilenceStore silences, OutboxStore outbox,
      Routing routing, NotificationTimers timers, NotifierMetrics metrics, Clock clock, Duration resolveTimeout,
      Runnable groupsDue, int intakeInFlight) {
    this.pool = pool;
    this.alerts = alerts;
    this.groups = groups;
    this.silences = silences;
    this.outbox = outbox;
    this.routing = routing;
    this.timers = timers;
    this.metrics = metrics;
    this.clock = clock;
    this.resolveTimeout = resolveTimeout;
    this.groupsDue = groupsDue;
    this.intake = new GroupCommit<>(INTAKE_BATCH, intakeInFlight, this::receiveBatch, NotifierOperations::retryAlone);
  }

  // ------------------------------------------------------------------ parsing (the table's parsers)

  /** Rebound's own alert event ({@code rebound.notifier.alerts}). */
  public AlertEvent parseRebound(JsonObject body) {
    return parse(() -> AlertIntake.fromRebound(Rows.plain(body), clock.instant()));
  }

  /** {@code POST /v1/alerts}. */
  public AlertEvent parseApi(JsonObject body) {
    return parse(() -> AlertIntake.fromApi(Rows.plain(body), clock.instant()));
  }

  /** {@code POST /api/v2/alerts}: Alertmanager's list. */
  public List<AlertEvent> parseAlertmanager(JsonArray body) {
    return parse(() -> AlertIntake.fromAlertmanager(Rows.plain(body), clock.instant(), resolveTimeout));
  }

  private static <T> T parse(Supplier<T> parser) {
    try {
      return parser.get();
    } catch (InvalidAlertException e) {
      throw new ReboundException(ErrorCode.BAD_REQUEST, e.getMessage(), new JsonObject().put("field", e.field()));
    }
  }

  // ------------------------------------------------------------------ intake

  /** Committed before it is answered; concurrent intakes are committed together ({@link #receiveBatch}). */
  public Future<JsonObject> receive(AlertEvent event, Origin origin) {
    return intake.submit(event);
  }

  /** Alertmanager's intake: every alert committed, in order; answers how many were received. */
  public Future<JsonObject> receiveAll(List<AlertEvent> events, Origin origin) {
    List<Future<JsonObject>> each = new ArrayList<>(events.size());
    events.forEach(e -> each.add(intake.submit(e)));
    return Future.all(each).map(all -> new JsonObject().put("received", events.size()));
  }

  /**
   * One transaction for many intakes, in a fixed number of round trips: lock the open alerts of their dedup keys (in
   * key order), apply {@link AlertLifecycle#receive} to each event in turn (a later event of the same key sees the
   * earlier one's result), write the alerts and their history, and change the groups of every matching route. Each
   * intake is answered after the commit.
   */
  private Future<List<Outcome<JsonObject>>> receiveBatch(List<AlertEvent> events) {
    Future<List<JsonObject>> once = receiveTogether(events);
    if (events.size() == 1) {
      // Once more when another request opened the same alert meanwhile (this one is a repeat), or a flush removed
      // the emptied group between this intake's insert-if-absent of it and its member (it is created again).
      once = once.recover(t -> t instanceof PgException pg
          && (UNIQUE_VIOLATION.equals(pg.getSqlState()) || FOREIGN_KEY_VIOLATION.equals(pg.getSqlState()))
          ? receiveTogether(events)
          : Future.failedFuture(t));
    }
    return once.map(replies -> replies.stream().map(Outcome::ok).toList());
  }

  /** A batch fails as a whole on one event's data or on a lock conflict with another instance: each is retried alone. */
  private static boolean retryAlone(Throwable t) {
    return GroupCommit.dataError(t)
        || t instanceof PgException pg && (DEADLOCK.equals(pg.getSqlState()) || SERIALIZATION.equals(pg.getSqlState()));
  }

  private Future<List<JsonObject>> receiveTogether(List<AlertEvent> events) {
    Instant now = clock.instant();
    boolean[] due = {false};
    return pool.withTransaction(c -> alerts.openForUpdate(c, events.stream().map(AlertEvent::dedupKey).toList())
        .compose(open -> {
          Map<String, StoredAlert> current = new HashMap<>(open); // open alert per dedup key as the batch goes
          Map<String, StoredAlert> read = new HashMap<>(); // by alert id, as read
          open.values().forEach(s -> read.put(s.alert().id(), s));
          Map<String, StoredAlert> written = new LinkedHashMap<>(); // by alert id, the last state
          List<GroupStore.MemberChange> members = new ArrayList<>();
          List<JsonObject> replies = new ArrayList<>(events.size());
          for (AlertEvent event : events) {
            StoredAlert before = current.get(event.dedupKey());
            AlertLifecycle.Received r = AlertLifecycle.receive(Optional.ofNullable(before).map(StoredAlert::alert),
                event, UUID.randomUUID().toString(), now);
            switch (r.change()) {
              case OPENED -> {
                List<RouteMatch> matches = routing.match(event.labels());
                Optional<Route> escalating = routing.escalationRoute(matches);
                Instant next = escalating.flatMap(route -> route.escalation().next(r.alert(), Set.of()))
                    .map(s -> s.dueAt()).orElse(null);
                StoredAlert s = new StoredAlert(r.alert(), escalating.map(Route::key).orElse(null), next);
                current.put(event.dedupKey(), s);
                written.put(s.alert().id(), s);
                matches.forEach(m -> members.add(GroupStore.MemberChange.joins(m, event)));
              }
              case UPDATED -> {
                StoredAlert s = before.with(r.alert(), before.nextEscalationAt());
                current.put(event.dedupKey(), s);
                written.put(s.alert().id(), s);
                routing.match(event.labels()).forEach(m -> members.add(GroupStore.MemberChange.joins(m, event)));
              }
              case RESOLVED -> {
                StoredAlert s = before.with(r.alert(), null);
                current.remove(event.dedupKey());
                written.put(s.alert().id(), s);
                routing.match(r.alert().event().labels())
                    .forEach(m -> members.add(GroupStore.MemberChange.leaves(m.groupKey(), event.dedupKey())));
              }
              case IGNORED -> {
              }
            }
            JsonObject reply = new JsonObject().put("dedupKey", event.dedupKey()).put("change", r.change().name());
            if (r.alert() != null) {
              reply.put("id", r.alert().id()).put("state", r.alert().state().name().toLowerCase(Locale.ROOT));
            }
            replies.add(reply);
          }
          List<AlertStore.Change> updated = new ArrayList<>();
          List<StoredAlert> created = new ArrayList<>();
          written.forEach((id, s) -> {
            if (read.containsKey(id)) {
              updated.add(new AlertStore.Change(read.get(id), s));
            } else {
              created.add(s);
            }
          });
          // Sent together (pipelined), executed in this order: updates first (a resolution frees its dedup key for
          // an alert opened later in the batch), then the new alerts, then the groups' members (no group header is
          // locked: see GroupStore).
          Future<Void> changed = alerts.updateAll(c, updated);
          Future<Void> opened = alerts.insertAll(c, created);
          Future<Boolean> grouped = groups.apply(c, members, now);
          return Future.all(changed, opened, grouped).map(v -> {
            due[0] = grouped.result();
            return replies;
          });
        })).onSuccess(replies -> {
          if (due[0]) {
            groupsDue.run(); // committed: flush and deliver now; the sweeps stay the safety net
          }
        });
  }

  /** Writes a resolution and takes the alert out of its groups' firing sets (the next flush tells who was told). */
  private Future<Void> resolved(SqlClient c, StoredAlert before, Alert resolved) {
    return alerts.update(c, before, before.with(resolved, null)).compose(v ->
        join(routing.match(resolved.event().labels()), m -> groups.resolve(c, m.groupKey(), resolved.dedupKey())));
  }

  /** The expiry sweep's resolution. */
  public Future<Integer> expireEnded() {
    return timers.expireEndedAlerts(c -> before -> after -> resolved(c, before, after));
  }

  // ------------------------------------------------------------------ healing

  /** A task transition: DONE heals its alerts; FAILED (dead-lettered) raises a dead-letter alert. */
  public Future<?> onTransition(JsonObject event) {
    Transition t;
    try {
      t = Transition.fromJson(event);
    } catch (RuntimeException e) {
      return Future.failedFuture(ReboundException.badRequest("not a task transition: " + e.getClass().getSimpleName()));
    }
    if (t.to() == TaskState.DONE) {
      Healing healing = new Healing.TaskSucceeded(t.taskId().toString(), null);
      return heal(c -> alerts.openOfTask(c, t.taskId().toString()), healing);
    }
    if (t.from() == TaskState.FAILED && t.to() != TaskState.FAILED) {
      Healing healing = new Healing.TaskLeftDeadLetters(t.taskId().toString(), t.to().name());
      return heal(c -> alerts.openOfTask(c, t.taskId().toString()), healing);
    }
    if (t.to() == TaskState.FAILED) {
      Map<String, Object> alert = new LinkedHashMap<>();
      alert.put("kind", AlertLabels.DEAD_LETTER);
      alert.put("task", t.taskId().toString());
      alert.put("severity", "error");
      if (t.stage() != null) {
        alert.put("stage", t.stage());
      }
      if (t.workflowId() != null) {
        alert.put("workflow", t.workflowId());
      }
      alert.put("summary", "task " + t.taskId() + (t.stage() == null ? "" : " of stage " + t.stage())
          + " was dead-lettered after attempt " + t.attempt() + (t.error() == null ? "" : ": " + t.error()));
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("attempt", t.attempt());
      if (t.reason() != null) {
        details.put("reason", t.reason());
      }
      alert.put("details", details);
      return receive(AlertIntake.fromRebound(alert, clock.instant()), new Origin("ledger", t.correlationId()));
    }
    return Future.succeededFuture();
  }

  /**
   * A classified failure ({@code rebound.events.classified}): one not tied to a task — an application reporting its
   * own error onto {@code rebound.failures} — has no retry, dead letter or circuit to speak for it, so it is alerted
   * itself, as a {@value AlertLabels#FAILURE} alert keyed by its signature (the underlying error; its fingerprint
   * from an analyzer without signatures): a repeat, through whatever wrapper, is the same alert. A task's
   * failure is left to the task's own alerts.
   */
  public Future<?> onClassified(JsonObject event) {
    FailureClassified c;
    try {
      c = FailureClassified.fromJson(event);
    } catch (RuntimeException e) {
      return Future.failedFuture(ReboundException.badRequest("not a classified failure: " + e.getMessage()));
    }
    if (c.taskId() != null) {
      return Future.succeededFuture();
    }
    FailureClassified.Verdict v = c.verdict();
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("kind", AlertLabels.FAILURE);
    alert.put("severity", v == null ? "error" : v.severity().name().toLowerCase(Locale.ROOT));
    if (c.stage() != null) {
      alert.put("stage", c.stage());
    }
    if (c.workflowId() != null) {
      alert.put("workflow", c.workflowId());
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("failureId", c.failureId().toString());
    if (c.source() != null) {
      details.put("source", c.source());
    }
    if (v != null) {
      alert.put("category", v.category().name());
      alert.put("fingerprint", v.fingerprint());
      if (v.signature() != null) {
        alert.put("signature", v.signature());
      }
      // grouped by the underlying error when the analyzer gave its signature, else by the template
      alert.put("dedupKey", AlertLabels.FAILURE + ":" + (v.signature() != null ? v.signature() : v.fingerprint()));
      details.put("rootCause", v.rootCause());
      details.put("recommendations", v.recommendations());
      details.put("transient", v.transientFailure());
    } else {
      alert.put("dedupKey", AlertLabels.FAILURE + ":" + c.failureId());
    }
    if (c.history() != null) {
      details.put("occurrences", c.history().occurrences());
    }
    String message = v == null ? "unclassified failure" : v.redacted();
    alert.put("summary", (c.source() == null ? "" : c.source() + ": ") + message);
    alert.put("details", details);
    return receive(AlertIntake.fromRebound(alert, clock.instant()), new Origin("analyzer", null));
  }

  /** A circuit transition {@code {name, from, to, reason, at, actor}}: CLOSED heals its circuit-open alerts. */
  public Future<?> onCircuit(JsonObject event) {
    String name = event.getValue("name") instanceof String s ? s : null;
    String to = event.getValue("to") instanceof String s ? s : null;
    if (name == null || to == null) {
      return Future.failedFuture(ReboundException.badRequest("a circuit transition needs 'name' and 'to'"));
    }
    if (!"CLOSED".equalsIgnoreCase(to)) {
      return Future.succeededFuture();
    }
    return heal(c -> alerts.openOfCircuit(c, name), new Healing.CircuitClosed(name));
  }

  private Future<Integer> heal(Function<SqlClient, Future<List<StoredAlert>>> candidates,
      Healing healing) {
    Instant now = clock.instant();
    return pool.withTransaction(c -> candidates.apply(c).compose(open -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (StoredAlert s : open) {
        Optional<Alert> healed = AlertLifecycle.heal(s.alert(), healing, now);
        if (healed.isPresent()) {
          chain = chain.compose(n -> resolved(c, s, healed.get()).map(n + 1));
        }
      }
      return chain;
    }));
  }

  // ------------------------------------------------------------------ people

  public Future<JsonObject> listAlerts(AlertsQuery q) {
    String state = q.state() == null ? null : q.state().toUpperCase(Locale.ROOT);
    return alerts.list(pool, state, q.labels(), q.limit()).map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(s -> out.add(AlertJson.of(AlertView.of(s.alert()))));
      return new JsonObject().put("alerts", out);
    });
  }

  public Future<JsonObject> getAlert(AlertIdRequest r) {
    return alerts.byId(pool, r.id(), false).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ReboundException.notFound("alert", r.id()));
      }
      Alert a = found.get().alert();
      return alerts.history(pool, a.id()).map(h -> AlertJson.of(AlertView.of(new Alert(a.id(), a.event(), a.state(),
          a.openedAt(), a.lastSeenAt(), a.occurrences(), a.acknowledgedBy(), a.acknowledgedAt(), a.resolvedAt(), h,
          a.version()))));
    });
  }

  /** Stops escalation; PagerDuty endpoints that were told are told it is acknowledged. */
  public Future<JsonObject> acknowledge(AlertActionRequest r, Origin origin) {
    Instant now = clock.instant();
    return change(r, (c, s) -> {
      Alert acked = s.alert().acknowledge(r.by() == null ? origin.actor() : r.by(), REDACTOR.redactOrNull(r.comment()), now);
      metrics.acknowledged(Duration.between(s.alert().openedAt(), now));
      return alerts.update(c, s, s.with(acked, null)).compose(v -> acknowledgeOnPagerDuty(c, acked, now)).map(acked);
    });
  }

  public Future<JsonObject> resolve(AlertActionRequest r, Origin origin) {
    Instant now = clock.instant();
    return change(r, (c, s) -> {
      Alert done = s.alert().resolve(r.by() == null ? origin.actor() : r.by(), REDACTOR.redactOrNull(r.comment()), now);
      return resolved(c, s, done).map(done);
    });
  }

  private Future<JsonObject> change(AlertActionRequest r,
      BiFunction<SqlClient, StoredAlert, Future<Alert>> change) {
    return pool.withTransaction(c -> alerts.byId(c, r.id(), true).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ReboundException.notFound("alert", r.id()));
      }
      try {
        return change.apply(c, found.get());
      } catch (AlertTransitionException e) {
        return Future.failedFuture(new ReboundException(ErrorCode.ILLEGAL_TRANSITION, e.getMessage(),
            new JsonObject().put("state", e.current().name().toLowerCase(Locale.ROOT))));
      } catch (InvalidAlertException e) {
        return Future.failedFuture(new ReboundException(ErrorCode.BAD_REQUEST, e.getMessage(),
            new JsonObject().put("field", e.field())));
      }
    })).map(a -> AlertJson.of(AlertView.of(a)));
  }

  private Future<Void> acknowledgeOnPagerDuty(SqlClient c, Alert acked, Instant now) {
    Future<Void> chain = Future.succeededFuture();
    for (RouteMatch m : routing.match(acked.event().labels())) {
      var receiver = routing.receiver(m.receiver());
      if (receiver.isEmpty() || receiver.get().targets().stream().noneMatch(t -> t instanceof ChannelTarget.PagerDuty)) {
        continue;
      }
      GroupNotification.Message msg = new GroupNotification.Message(m.groupKey(), m.receiver(), m.groupLabels(),
          List.of(AlertView.of(acked)), List.of(), false);
      var pd = new dev.rebound.notifier.domain.Receiver(m.receiver(), receiver.get().targets().stream()
          .filter(t -> t instanceof ChannelTarget.PagerDuty).toList());
      chain = chain.compose(v -> join(new NotificationPlanner(null)
          .plan(msg, pd, Delivery.Kind.ACKNOWLEDGE), row -> outbox.insert(c, row, now).mapEmpty()));
    }
    return chain;
  }

  // ------------------------------------------------------------------ silences

  public Future<JsonObject> addSilence(SilenceRequest r, Origin origin) {
    Instant now = clock.instant();
    Silence silence;
    try {
      List<LabelMatcher> matchers = new ArrayList<>();
      for (int i = 0; i < r.matchers().size(); i++) {
        matchers.add(LabelMatcher.parse("matchers[" + i + "]", r.matchers().get(i)));
      }
      Instant starts = r.startsAt() == null ? now : r.startsAt();
      Instant ends = r.endsAt() != null ? r.endsAt() : starts.plus(r.duration());
      silence = new Silence(UUID.randomUUID().toString(), matchers, starts, ends, r.createdBy(), REDACTOR.redactOrNull(r.comment()));
    } catch (PolicyException e) {
      return Future.failedFuture(new ReboundException(ErrorCode.BAD_REQUEST, e.getMessage(),
          new JsonObject().put("field", e.field())));
    } catch (InvalidAlertException e) {
      return Future.failedFuture(new ReboundException(ErrorCode.BAD_REQUEST, e.getMessage(),
          new JsonObject().put("field", e.field())));
    }
    return silences.insert(pool, silence, now).map(v -> silenceJson(silence, now));
  }

  public Future<JsonObject> listSilences(SilencesQuery q) {
    Instant now = clock.instant();
    return silences.list(pool, q.state(), now, q.limit()).map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(s -> out.add(silenceJson(s, now)));
      return new JsonObject().put("silences", out);
    });
  }

  public Future<JsonObject> expireSilence(SilenceIdRequest r, Origin origin) {
    Instant now = clock.instant();
    return pool.withTransaction(c -> silences.forUpdate(c, r.id()).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ReboundException.notFound("silence", r.id()));
      }
      Silence expired = found.get().expire(now);
      return silences.updateRange(c, expired).map(v -> silenceJson(expired, now));
    }));
  }

  private static JsonObject silenceJson(Silence s, Instant now) {
    JsonArray matchers = new JsonArray();
    s.matchers().forEach(m -> matchers.add(m.toString()));
    return new JsonObject().put("id", s.id()).put("matchers", matchers).put("startsAt", s.startsAt().toString())
        .put("endsAt", s.endsAt().toString()).put("createdBy", s.createdBy()).put("comment", s.comment())
        .put("state", s.state(now).name().toLowerCase(Locale.ROOT));
  }

  // ------------------------------------------------------------------ deliveries and routes

  public Future<JsonObject> listDeliveries(DeliveriesQuery q) {
    return outbox.list(q.status() == null ? null : q.status().toUpperCase(Locale.ROOT), q.limit()).map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(d -> out.add(d.toJson()));
      return new JsonObject().put("deliveries", out);
    });
  }

  public Future<JsonObject> retryDelivery(DeliveryIdRequest r, Origin origin) {
    return outbox.retryNow(r.id(), clock.instant()).compose(status -> {
      if (status == null) {
        return Future.failedFuture(ReboundException.notFound("delivery", r.id()));
      }
      if (!"PENDING".equals(status)) {
        return Future.failedFuture(new ReboundException(ErrorCode.ILLEGAL_TRANSITION, "delivery " + r.id() + " is "
            + status.toLowerCase(Locale.ROOT) + ": only a failed or waiting delivery can be retried",
            new JsonObject().put("status", status.toLowerCase(Locale.ROOT))));
      }
      return Future.succeededFuture(new JsonObject().put("id", r.id()).put("status", "pending"));
    });
  }

  public Future<JsonObject> routes() {
    return Future.succeededFuture(routing.toJson());
  }

  public Future<JsonObject> testRoute(RouteTestRequest r) {
    Instant now = clock.instant();
    return silences.current(pool, now).map(current -> {
      JsonArray matches = new JsonArray();
      for (RouteMatch m : routing.match(r.labels())) {
        JsonObject o = new JsonObject().put("route", m.route().key()).put("receiver", m.receiver())
            .put("groupKey", m.groupKey()).put("muted", routing.tree().muted(m.route(), now));
        if (m.route().escalation() != null) {
          JsonArray steps = new JsonArray();
          m.route().escalation().steps().forEach(s -> steps.add(new JsonObject().put("after", s.delay().toString())
              .put("receivers", new JsonArray(List.copyOf(s.receivers())))));
          o.put("escalation", steps);
        }
        matches.add(o);
      }
      return new JsonObject().put("matches", matches)
          .put("silenced", Silence.anyMutes(current, r.labels(), now));
    });
  }

  /** Alert counts for the gauges. */
  public Future<Integer> refreshGauges() {
    return alerts.countsBySeverityAndState(pool).map(counts -> {
      metrics.alerts(counts);
      return counts.size();
    });
  }

  private static <T> Future<Void> join(List<T> items, Function<T, Future<?>> f) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(v -> f.apply(item).mapEmpty());
    }
    return chain;
  }
}
