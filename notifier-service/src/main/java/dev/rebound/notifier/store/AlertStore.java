package dev.rebound.notifier.store;

import static dev.rebound.notifier.store.Rows.instant;
import static dev.rebound.notifier.store.Rows.ts;

import dev.rebound.notifier.domain.Alert;
import dev.rebound.notifier.domain.AlertEvent;
import dev.rebound.notifier.domain.AlertHistoryEntry;
import dev.rebound.notifier.domain.AlertSource;
import dev.rebound.notifier.domain.AlertState;
import dev.rebound.notifier.domain.EscalationPlan.StepId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Alerts, their history and their fired escalation steps. Every method takes the connection of the caller's
 * transaction; a change is written with {@code WHERE version = ?}, so a lost race is an error, not a lost update.
 */
public final class AlertStore {

  public Future<Optional<StoredAlert>> openForUpdate(SqlClient c, String dedupKey) {
    return c.preparedQuery(NotifierSql.OPEN_ALERT_BY_DEDUP_FOR_UPDATE).execute(Tuple.of(dedupKey)).map(rows ->
        rows.size() == 0 ? Optional.empty() : Optional.of(alert(rows.iterator().next())));
  }

  /** The open alerts of {@code dedupKeys} by dedup key, locked in key order. */
  public Future<Map<String, StoredAlert>> openForUpdate(SqlClient c, Collection<String> dedupKeys) {
    String[] keys = dedupKeys.stream().distinct().sorted().toArray(String[]::new);
    return c.preparedQuery(NotifierSql.OPEN_ALERTS_BY_DEDUP_FOR_UPDATE).execute(Tuple.of(keys)).map(rows -> {
      Map<String, StoredAlert> out = new HashMap<>();
      rows.forEach(r -> {
        StoredAlert s = alert(r);
        out.put(s.alert().dedupKey(), s);
      });
      return out;
    });
  }

  public Future<Optional<StoredAlert>> byId(SqlClient c, UUID id, boolean forUpdate) {
    return c.preparedQuery(forUpdate ? NotifierSql.ALERT_BY_ID_FOR_UPDATE : NotifierSql.ALERT_BY_ID)
        .execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(alert(rows.iterator().next())));
  }

  public Future<List<StoredAlert>> latestByDedupKeys(SqlClient c, Set<String> keys) {
    return c.preparedQuery(NotifierSql.LATEST_ALERTS_BY_DEDUP).execute(Tuple.of(keys.toArray(String[]::new)))
        .map(rows -> list(rows));
  }

  public Future<List<StoredAlert>> byIds(SqlClient c, List<UUID> ids) {
    return c.preparedQuery(NotifierSql.ALERTS_BY_IDS).execute(Tuple.of(ids.toArray(UUID[]::new))).map(this::list);
  }

  /** @param state null, an {@link AlertState} name, or OPEN */
  public Future<List<StoredAlert>> list(SqlClient c, String state, Map<String, String> labels, int limit) {
    return c.preparedQuery(NotifierSql.LIST_ALERTS).execute(Tuple.of(state, Rows.json(labels), limit)).map(this::list);
  }

  public Future<List<StoredAlert>> openOfTask(SqlClient c, String taskId) {
    return c.preparedQuery(NotifierSql.OPEN_ALERTS_OF_TASK).execute(Tuple.of(taskId)).map(this::list);
  }

  public Future<List<StoredAlert>> openOfCircuit(SqlClient c, String circuit) {
    return c.preparedQuery(NotifierSql.OPEN_ALERTS_OF_CIRCUIT).execute(Tuple.of(circuit)).map(this::list);
  }

  public Future<List<StoredAlert>> ended(SqlClient c, Instant now, int limit) {
    return c.preparedQuery(NotifierSql.ENDED_ALERTS).execute(Tuple.of(ts(now), limit)).map(this::list);
  }

  public Future<Optional<StoredAlert>> nextEscalating(SqlClient c, Instant now) {
    return c.preparedQuery(NotifierSql.NEXT_ESCALATING_ALERT).execute(Tuple.of(ts(now))).map(rows ->
        rows.size() == 0 ? Optional.empty() : Optional.of(alert(rows.iterator().next())));
  }

  public Future<Void> setNextEscalation(SqlClient c, String alertId, Instant at) {
    return c.preparedQuery(NotifierSql.SET_NEXT_ESCALATION).execute(Tuple.of(UUID.fromString(alertId), ts(at))).mapEmpty();
  }

  /**
   * Labels of firing alerts containing one of {@code filters} (each a rule's equality source matchers; an empty one
   * matches every alert).
   */
  public Future<List<Map<String, String>>> firingLabels(SqlClient c, List<Map<String, String>> filters, int limit) {
    String[] json = filters.stream().map(f -> Rows.json(f).encode()).toArray(String[]::new);
    return c.preparedQuery(NotifierSql.FIRING_LABELS).execute(Tuple.of(json, limit)).map(rows -> {
      List<Map<String, String>> out = new ArrayList<>();
      rows.forEach(r -> out.add(Rows.labels(r.getJsonObject("labels"))));
      return out;
    });
  }

  public Future<Map<String, Long>> countsBySeverityAndState(SqlClient c) {
    return c.query(NotifierSql.COUNT_BY_SEVERITY_AND_STATE).execute().map(rows -> {
      Map<String, Long> out = new HashMap<>();
      rows.forEach(r -> out.put(r.getString("severity") + "|" + r.getString("state"), r.getLong("n")));
      return out;
    });
  }

  public Future<Void> insert(SqlClient c, StoredAlert s) {
    return insertAll(c, List.of(s));
  }

  /** New alerts and their history: one round trip and two statements however many. */
  public Future<Void> insertAll(SqlClient c, List<StoredAlert> created) {
    if (created.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = created.size();
    UUID[] id = new UUID[n];
    String[] key = new String[n];
    String[] state = new String[n];
    String[] source = new String[n];
    String[] labels = new String[n];
    String[] severity = new String[n];
    String[] summary = new String[n];
    String[] details = new String[n];
    OffsetDateTime[] startsAt = new OffsetDateTime[n];
    OffsetDateTime[] endsAt = new OffsetDateTime[n];
    String[] generatorUrl = new String[n];
    OffsetDateTime[] openedAt = new OffsetDateTime[n];
    OffsetDateTime[] lastSeenAt = new OffsetDateTime[n];
    Integer[] occurrences = new Integer[n];
    String[] acknowledgedBy = new String[n];
    OffsetDateTime[] acknowledgedAt = new OffsetDateTime[n];
    OffsetDateTime[] resolvedAt = new OffsetDateTime[n];
    String[] escalationRoute = new String[n];
    OffsetDateTime[] nextEscalationAt = new OffsetDateTime[n];
    Long[] version = new Long[n];
    for (int i = 0; i < n; i++) {
      StoredAlert s = created.get(i);
      Alert a = s.alert();
      AlertEvent e = a.event();
      id[i] = UUID.fromString(a.id());
      key[i] = e.dedupKey();
      state[i] = a.state().name();
      source[i] = e.source().name();
      labels[i] = Rows.json(e.labels()).encode();
      severity[i] = e.severity().label();
      summary[i] = e.summary();
      details[i] = Rows.json(e.details()).encode();
      startsAt[i] = ts(e.startsAt());
      endsAt[i] = ts(e.endsAt());
      generatorUrl[i] = e.generatorUrl();
      openedAt[i] = ts(a.openedAt());
      lastSeenAt[i] = ts(a.lastSeenAt());
      occurrences[i] = a.occurrences();
      acknowledgedBy[i] = a.acknowledgedBy();
      acknowledgedAt[i] = ts(a.acknowledgedAt());
      resolvedAt[i] = ts(a.resolvedAt());
      escalationRoute[i] = s.escalationRoute();
      nextEscalationAt[i] = ts(s.nextEscalationAt());
      version[i] = a.version();
    }
    Future<?> inserted = c.preparedQuery(NotifierSql.INSERT_ALERTS).execute(Tuple.tuple(Arrays.<Object>asList(id, key, state,
        source, labels, severity, summary, details, startsAt, endsAt, generatorUrl, openedAt, lastSeenAt, occurrences,
        acknowledgedBy, acknowledgedAt, resolvedAt, escalationRoute, nextEscalationAt, version)));
    Future<?> history = history(c, created.stream().map(s -> Map.entry(s.alert().id(), s.alert().history())).toList());
    return Future.all(inserted, history).mapEmpty(); // sent together (pipelined), executed in order
  }

  /**
   * Writes {@code after} over the row read as {@code before}; the history entries {@code after} added are appended.
   * Fails when someone changed the alert since it was read.
   */
  public Future<Void> update(SqlClient c, StoredAlert before, StoredAlert after) {
    return updateAll(c, List.of(new Change(before, after)));
  }

  /** An alert as read and as it is to be written. */
  public record Change(StoredAlert before, StoredAlert after) {
  }

  /** {@link #update} for many alerts: one round trip however many; fails if any changed since it was read. */
  public Future<Void> updateAll(SqlClient c, List<Change> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(changes.size());
    List<Map.Entry<String, List<AlertHistoryEntry>>> added = new ArrayList<>();
    for (Change ch : changes) {
      Alert a = ch.after().alert();
      AlertEvent e = a.event();
      rows.add(Tuple.tuple(Arrays.asList(UUID.fromString(a.id()), ch.before().alert().version(), a.state().name(),
          Rows.json(e.labels()), e.severity().label(), e.summary(), Rows.json(e.details()), ts(e.endsAt()),
          e.generatorUrl(), ts(a.lastSeenAt()), a.occurrences(), a.acknowledgedBy(), ts(a.acknowledgedAt()),
          ts(a.resolvedAt()), ts(ch.after().nextEscalationAt()), a.version())));
      added.add(Map.entry(a.id(), a.history().subList(ch.before().alert().history().size(), a.history().size())));
    }
    // sent together (pipelined): the history is rolled back with the rest if an update finds a changed alert
    Future<RowSet<Row>> written = c.preparedQuery(NotifierSql.UPDATE_ALERT).executeBatch(rows);
    Future<Void> history = history(c, added);
    return Future.all(written, history).compose(v -> {
      RowSet<Row> each = written.result();
      for (Change ch : changes) {
        if (each.rowCount() != 1) {
          return Future.failedFuture(new IllegalStateException("alert " + ch.after().alert().id()
              + " changed concurrently"));
        }
        each = each.next();
      }
      return Future.succeededFuture();
    });
  }

  /** Appends history entries of many alerts in one statement, each alert's in its order. */
  private Future<Void> history(SqlClient c, List<Map.Entry<String, List<AlertHistoryEntry>>> entries) {
    List<UUID> ids = new ArrayList<>();
    List<AlertHistoryEntry> all = new ArrayList<>();
    entries.forEach(e -> e.getValue().forEach(h -> {
      ids.add(UUID.fromString(e.getKey()));
      all.add(h);
    }));
    if (all.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] from = all.stream().map(h -> h.from() == null ? null : h.from().name()).toArray(String[]::new);
    String[] to = all.stream().map(h -> h.to().name()).toArray(String[]::new);
    String[] by = all.stream().map(AlertHistoryEntry::by).toArray(String[]::new);
    String[] reason = all.stream().map(AlertHistoryEntry::reason).toArray(String[]::new);
    OffsetDateTime[] at = all.stream().map(h -> ts(h.at())).toArray(OffsetDateTime[]::new);
    return c.preparedQuery(NotifierSql.INSERT_HISTORIES)
        .execute(Tuple.of(ids.toArray(UUID[]::new), from, to, by, reason, at)).mapEmpty();
  }

  public Future<List<AlertHistoryEntry>> history(SqlClient c, String alertId) {
    return c.preparedQuery(NotifierSql.HISTORY).execute(Tuple.of(UUID.fromString(alertId))).map(rows -> {
      List<AlertHistoryEntry> out = new ArrayList<>();
      rows.forEach(r -> out.add(new AlertHistoryEntry(r.getString("from_state") == null ? null
          : AlertState.valueOf(r.getString("from_state")), AlertState.valueOf(r.getString("to_state")),
          r.getString("by"), r.getString("reason"), instant(r.getOffsetDateTime("at")))));
      return out;
    });
  }

  public Future<Set<StepId>> firedSteps(SqlClient c, String alertId) {
    return c.preparedQuery(NotifierSql.FIRED_STEPS).execute(Tuple.of(UUID.fromString(alertId))).map(rows -> {
      Set<StepId> out = new HashSet<>();
      rows.forEach(r -> out.add(new StepId(alertId, r.getInteger("step"), r.getInteger("repeat"))));
      return out;
    });
  }

  /** True when this insert recorded the step (and so must deliver it); false when it had fired already. */
  public Future<Boolean> recordStep(SqlClient c, StepId id, Instant now) {
    return c.preparedQuery(NotifierSql.INSERT_STEP)
        .execute(Tuple.of(UUID.fromString(id.alertId()), id.step(), id.repeat(), ts(now))).map(r -> r.size() == 1);
  }

  private List<StoredAlert> list(RowSet<Row> rows) {
    List<StoredAlert> out = new ArrayList<>();
    rows.forEach(r -> out.add(alert(r)));
    return out;
  }

  private StoredAlert alert(Row r) {
    JsonObject details = r.getJsonObject("details");
    AlertEvent e = new AlertEvent(r.getString("dedup_key"), Rows.labels(r.getJsonObject("labels")),
        r.getString("summary"), Rows.plain(details), instant(r.getOffsetDateTime("starts_at")),
        instant(r.getOffsetDateTime("ends_at")), r.getString("generator_url"), AlertSource.valueOf(r.getString("source")));
    Alert a = new Alert(r.getUUID("id").toString(), e, AlertState.valueOf(r.getString("state")),
        instant(r.getOffsetDateTime("opened_at")), instant(r.getOffsetDateTime("last_seen_at")),
        r.getInteger("occurrences"), r.getString("acknowledged_by"), instant(r.getOffsetDateTime("acknowledged_at")),
        instant(r.getOffsetDateTime("resolved_at")), List.of(), r.getLong("version"));
    return new StoredAlert(a, r.getString("escalation_route"), instant(r.getOffsetDateTime("next_escalation_at")));
  }
}
