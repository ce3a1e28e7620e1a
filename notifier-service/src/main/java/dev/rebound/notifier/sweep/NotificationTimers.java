package dev.rebound.notifier.sweep;

import dev.rebound.common.Addresses;
import dev.rebound.notifier.delivery.AlertJson;
import dev.rebound.notifier.delivery.NotificationPlanner;
import dev.rebound.notifier.delivery.Routing;
import dev.rebound.notifier.domain.AggregationGroup;
import dev.rebound.notifier.domain.Alert;
import dev.rebound.notifier.domain.AlertLifecycle;
import dev.rebound.notifier.domain.AlertView;
import dev.rebound.notifier.domain.EscalationPlan;
import dev.rebound.notifier.domain.GroupNotification;
import dev.rebound.notifier.domain.GroupTimers;
import dev.rebound.notifier.domain.Route;
import dev.rebound.notifier.domain.Silence;
import dev.rebound.notifier.store.AlertStore;
import dev.rebound.notifier.store.Delivery;
import dev.rebound.notifier.store.GroupStore;
import dev.rebound.notifier.store.OutboxStore;
import dev.rebound.notifier.store.SilenceStore;
import dev.rebound.notifier.store.StoredAlert;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The notifier's timers, all kept in PostgreSQL so that a restart or another instance carries on: flushing due
 * aggregation groups ({@link GroupTimers#flush} under the group's row lock, taken with SKIP LOCKED; intakes into the
 * group go on meanwhile, see {@link GroupStore}), firing due
 * escalation steps ({@link EscalationPlan#due}; a step is delivered only by the insert of its
 * {@code (alert, step, repeat)} key that won), and expiring alerts whose sender-given end passed. What they decide
 * goes into the outbox in the same transaction and is published on {@code rebound.events.alerts} after the commit.
 */
public final class NotificationTimers {
  private static final int MAX_PER_PASS = 200;
  private static final int MAX_INHIBITION_SOURCES = 10_000;
  private static final int GROUPS_PER_TRANSACTION = 100;
  private static final int MAX_GROUPS_PER_PASS = 2_000;

  private final Vertx vertx;
  private final Pool pool;
  private final AlertStore alerts;
  private final GroupStore groups;
  private final SilenceStore silences;
  private final OutboxStore outbox;
  private final Routing routing;
  private final NotificationPlanner planner;
  private final Clock clock;
  /** Sends a flush's deliveries right after its commit (claimed by the insert); null: left to the outbox's drain. */
  private Function<List<Delivery>, Future<?>> dispatcher;

  public NotificationTimers(Vertx vertx, Pool pool, AlertStore alerts, GroupStore groups, SilenceStore silences,
      OutboxStore outbox, Routing routing, NotificationPlanner planner, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.alerts = alerts;
    this.groups = groups;
    this.silences = silences;
    this.outbox = outbox;
    this.routing = routing;
    this.planner = planner;
    this.clock = clock;
  }

  /**
   * From now on a flush inserts its deliveries claimed by this instance (SENDING, with the outbox's claim lease) and
   * hands them to {@code dispatcher} after its commit, instead of leaving them to the next drain of the outbox: the
   * first notification of a group does not wait for a drain, nor for the rest of the flush pass. A delivery the
   * dispatcher cannot send stays in the outbox: it puts it back, or its claim lapses and any drain takes it.
   */
  public void dispatchFlushedWith(Function<List<Delivery>, Future<?>> dispatcher) {
    this.dispatcher = dispatcher;
  }

  // ------------------------------------------------------------------ groups

  /**
   * Flushes every due group, up to {@value #GROUPS_PER_TRANSACTION} in a transaction; answers how many groups were
   * flushed. The firing alerts that may inhibit others are read once per pass, and only when an alert of a flushed
   * group is the target of an inhibition rule.
   */
  public Future<Integer> flushDueGroups() {
    Instant now = clock.instant();
    return pool.withConnection(c -> silences.current(c, now)).compose(silenced -> {
      InhibitionSources sources = new InhibitionSources();
      return repeatCounting(() -> pool.withTransaction(c -> groups.nextDue(c, now, GROUPS_PER_TRANSACTION)
          .compose(due -> due.isEmpty() ? Future.succeededFuture(Optional.<Batch>empty())
              : flush(c, due, silenced, sources, now).map(Optional::of))),
          MAX_GROUPS_PER_PASS);
    });
  }

  /** The labels of the firing alerts that may inhibit others, read at most once per pass and only if needed. */
  private final class InhibitionSources {
    private Future<List<Map<String, String>>> loaded;

    Future<List<Map<String, String>>> get(SqlClient c) {
      if (loaded == null) {
        loaded = alerts.firingLabels(c, routing.inhibitionSourceFilters(), MAX_INHIBITION_SOURCES);
      }
      return loaded;
    }
  }

  /** Flushes the due groups in one transaction: what it handled, its events and the deliveries it claimed. */
  private Future<Batch> flush(SqlClient c, List<AggregationGroup> due, List<Silence> silenced,
      InhibitionSources sources, Instant now) {
    Set<String> keys = new HashSet<>();
    due.forEach(g -> {
      keys.addAll(g.firing().keySet());
      keys.addAll(g.resolved());
    });
    return alerts.latestByDedupKeys(c, keys).compose(found -> {
      Map<String, AlertView> byKey = new HashMap<>();
      found.forEach(s -> byKey.put(s.alert().dedupKey(), AlertView.of(s.alert())));
      boolean inhibitable = due.stream().flatMap(g -> g.firing().keySet().stream()).map(byKey::get)
          .anyMatch(v -> v != null && routing.inhibitable(v.labels()));
      Future<List<Map<String, String>>> firing = inhibitable ? sources.get(c) : Future.succeededFuture(List.of());
      return firing.compose(inhibiting -> {
        List<GroupStore.Flushed> flushed = new ArrayList<>();
        List<Map.Entry<GroupNotification.Message, String>> messages = new ArrayList<>();
        for (AggregationGroup g : due) {
          flushed.add(flushOne(g, byKey, silenced, inhibiting, now, messages));
        }
        List<JsonObject> events = new ArrayList<>();
        List<Delivery.New> rows = new ArrayList<>();
        messages.forEach(m -> {
          rows.addAll(plan(m.getKey(), m.getValue(), Delivery.Kind.GROUP));
          events.add(AlertJson.event("notification", m.getKey()));
        });
        // sent together (pipelined), executed in order
        Future<Void> saved = groups.saveAll(c, flushed);
        Future<List<Delivery>> queued = dispatcher == null ? outbox.insertAll(c, rows, now).map(List.<Delivery>of())
            : outbox.insertClaimed(c, rows, now, OutboxStore.CLAIM_LEASE);
        return Future.all(saved, queued).map(v -> new Batch(due.size(), events, queued.result()));
      });
    });
  }

  /** One group's flush: its next state; the notification it sends, if any, is added to {@code messages}. */
  private GroupStore.Flushed flushOne(AggregationGroup g, Map<String, AlertView> byKey, List<Silence> silenced,
      Collection<Map<String, String>> firing, Instant now,
      List<Map.Entry<GroupNotification.Message, String>> messages) {
    Route route = routing.route(g.routeKey());
    // Silenced and inhibited alerts are left out of what the group says (and so out of what it was told):
    // once the silence ends, the next flush tells about them.
    Map<String, Instant> hidden = new HashMap<>();
    g.firing().forEach((k, at) -> {
      AlertView v = byKey.get(k);
      if (v != null && routing.hidden(v.labels(), silenced, firing, now)) {
        hidden.put(k, at);
      }
    });
    Map<String, Instant> shown = new HashMap<>(g.firing());
    hidden.keySet().forEach(shown::remove);
    AggregationGroup visible = new AggregationGroup(g.groupKey(), g.routeKey(), g.receiver(), g.groupLabels(), shown,
        g.resolved(), g.createdAt(), g.nextFlushAt(), g.hasFlushed(), g.notifiedFiring(), g.notifiedResolved(),
        g.lastNotifiedAt());
    GroupTimers.Flush flush = GroupTimers.flush(visible, route, now, routing.tree().muted(route, now));
    AggregationGroup next = withHidden(flush.next(), visible, hidden, route, now);
    flush.notification().ifPresent(n -> messages.add(Map.entry(
        n.with(views(n.firing(), byKey), views(n.resolved(), byKey), false), n.receiver())));
    return next != null ? new GroupStore.Flushed(g, next, false) : new GroupStore.Flushed(g, flush.after(), true);
  }

  private static AggregationGroup withHidden(AggregationGroup next, AggregationGroup before, Map<String, Instant> hidden,
      Route route, Instant now) {
    if (hidden.isEmpty()) {
      return next;
    }
    AggregationGroup base = next != null ? next : new AggregationGroup(before.groupKey(), before.routeKey(),
        before.receiver(), before.groupLabels(), Map.of(), Set.of(), before.createdAt(), now.plus(route.groupInterval()),
        true, Set.of(), Set.of(), before.lastNotifiedAt());
    Map<String, Instant> firing = new HashMap<>(base.firing());
    firing.putAll(hidden);
    return new AggregationGroup(base.groupKey(), base.routeKey(), base.receiver(), base.groupLabels(), firing,
        base.resolved(), base.createdAt(), base.nextFlushAt(), base.hasFlushed(), base.notifiedFiring(),
        base.notifiedResolved(), base.lastNotifiedAt());
  }

  private static List<AlertView> views(Set<String> keys, Map<String, AlertView> byKey) {
    return keys.stream().sorted().map(byKey::get).filter(v -> v != null).toList();
  }

  // ------------------------------------------------------------------ escalation

  /** Fires every due escalation step, one alert per transaction; answers how many steps fired. */
  public Future<Integer> fireDueEscalations() {
    Instant now = clock.instant();
    return pool.withConnection(c -> silences.current(c, now)).compose(silenced -> repeat(() ->
        pool.withTransaction(c -> alerts.nextEscalating(c, now).compose(found -> found.isEmpty()
            ? Future.succeededFuture(Optional.<List<JsonObject>>empty())
            : escalate(c, found.get(), silenced, now).map(Optional::of)))));
  }

  private Future<List<JsonObject>> escalate(SqlClient c, StoredAlert s, List<Silence> silenced, Instant now) {
    Alert alert = s.alert();
    Optional<EscalationPlan> plan = routing.plan(s.escalationRoute());
    if (plan.isEmpty() || !alert.state().open() || alert.state() != dev.rebound.notifier.domain.AlertState.FIRING) {
      return alerts.setNextEscalation(c, alert.id(), null).map(List.of());
    }
    if (Silence.anyMutes(silenced, alert.event().labels(), now)) {
      Instant until = silenced.stream().filter(x -> x.mutes(alert.event().labels(), now)).map(Silence::endsAt)
          .max(Instant::compareTo).orElse(now);
      return alerts.setNextEscalation(c, alert.id(), until).map(List.of()); // a silenced alert escalates once it ends
    }
    return alerts.firedSteps(c, alert.id()).compose(fired -> {
      List<EscalationPlan.DueStep> due = plan.get().due(alert, fired, now);
      Set<EscalationPlan.StepId> after = new HashSet<>(fired);
      List<JsonObject> events = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (EscalationPlan.DueStep step : due) {
        after.add(step.id());
        chain = chain.compose(v -> alerts.recordStep(c, step.id(), now)).compose(won -> {
          if (!won) {
            return Future.succeededFuture();
          }
          String key = "escalation/" + alert.id() + "/" + step.id().step() + "/" + step.id().repeat();
          Future<Void> sent = Future.succeededFuture();
          for (String receiver : step.receivers()) {
            GroupNotification.Message m = new GroupNotification.Message(key, receiver, alert.event().labels(),
                List.of(AlertView.of(alert)), List.of(), false);
            sent = sent.compose(v -> enqueue(c, m, receiver, Delivery.Kind.ESCALATION, "escalation", now)
                .map(e -> events.addAll(e)).mapEmpty());
          }
          return sent;
        });
      }
      Instant next = plan.get().next(alert, after).map(EscalationPlan.DueStep::dueAt).orElse(null);
      return chain.compose(v -> alerts.setNextEscalation(c, alert.id(), next)).map(events);
    });
  }

  // ------------------------------------------------------------------ expiry

  /** Resolves open alerts whose sender-given end (Alertmanager's endsAt) has passed. */
  public Future<Integer> expireEndedAlerts(Function<SqlClient, Function<StoredAlert, Function<Alert, Future<Void>>>> resolve) {
    Instant now = clock.instant();
    return pool.withTransaction(c -> alerts.ended(c, now, MAX_PER_PASS).compose(ended -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (StoredAlert s : ended) {
        Optional<Alert> expired = AlertLifecycle.expire(s.alert(), now);
        if (expired.isPresent()) {
          chain = chain.compose(n -> resolve.apply(c).apply(s).apply(expired.get()).map(n + 1));
        }
      }
      return chain;
    }));
  }

  // ------------------------------------------------------------------ shared

  /** Queues the message for every endpoint of {@code receiver}; answers the events to publish after the commit. */
  public Future<List<JsonObject>> enqueue(SqlClient c, GroupNotification.Message m, String receiver,
      Delivery.Kind kind, String type, Instant now) {
    return outbox.insertAll(c, plan(m, receiver, kind), now).map(v -> List.of(AlertJson.event(type, m)));
  }

  private List<Delivery.New> plan(GroupNotification.Message m, String receiver, Delivery.Kind kind) {
    return routing.receiver(receiver).map(r -> planner.plan(m, r, kind)).orElse(List.of());
  }

  public void publish(List<JsonObject> events) {
    events.forEach(e -> vertx.eventBus().publish(Addresses.EVENTS_ALERTS, e));
  }

  /** What one transaction of a pass handled, the events to publish and the deliveries to send after its commit. */
  private record Batch(int handled, List<JsonObject> events, List<Delivery> claimed) {
  }

  /** Runs {@code once} until it finds nothing or {@code max} were handled, publishing each commit's events. */
  private Future<Integer> repeatCounting(Supplier<Future<Optional<Batch>>> once, int max) {
    return stepCounting(once, 0, max);
  }

  private Future<Integer> stepCounting(Supplier<Future<Optional<Batch>>> once, int done, int max) {
    if (done >= max) {
      return Future.succeededFuture(done);
    }
    return once.get().compose(result -> {
      if (result.isEmpty()) {
        return Future.succeededFuture(done);
      }
      publish(result.get().events());
      if (!result.get().claimed().isEmpty()) {
        dispatcher.apply(result.get().claimed()); // not waited for: the pass goes on with the next due groups
      }
      return stepCounting(once, done + result.get().handled(), max);
    });
  }

  /** Runs {@code once} until it finds nothing (or a pass limit), publishing each commit's events; answers the count. */
  private Future<Integer> repeat(Supplier<Future<Optional<List<JsonObject>>>> once) {
    return step(once, 0);
  }

  private Future<Integer> step(Supplier<Future<Optional<List<JsonObject>>>> once, int done) {
    if (done >= MAX_PER_PASS) {
      return Future.succeededFuture(done);
    }
    return once.get().compose(result -> {
      if (result.isEmpty()) {
        return Future.succeededFuture(done);
      }
      publish(result.get());
      return step(once, done + 1);
    });
  }
}
