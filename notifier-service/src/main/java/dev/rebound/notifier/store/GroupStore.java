package dev.rebound.notifier.store;

import static dev.rebound.notifier.store.Rows.instant;
import static dev.rebound.notifier.store.Rows.ts;

import dev.rebound.notifier.domain.AggregationGroup;
import dev.rebound.notifier.domain.AlertEvent;
import dev.rebound.notifier.domain.GroupTimers;
import dev.rebound.notifier.domain.RouteMatch;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Aggregation groups: a header row (its timers, locked while it changes) and one row per member. Adding an alert
 * asks {@link GroupTimers#add} with the header alone — its timing depends on nothing else — and writes the one
 * member, so a storm into one group costs a row per alert; a flush loads the whole group.
 */
public final class GroupStore {

  /**
   * {@code alert} (firing) joins the group of {@code match}; the group is created when new. Answers when the group is
   * next flushed (not after {@code now}: due at once).
   */
  public Future<Instant> add(SqlClient c, RouteMatch match, AlertEvent alert, Instant now) {
    Instant firstFlush = now.plus(match.route().groupWait());
    Tuple header = Tuple.of(match.groupKey(), match.route().key(), match.receiver(), Rows.json(match.groupLabels()),
        ts(now), ts(firstFlush));
    return c.preparedQuery(NotifierSql.UPSERT_GROUP).execute(header).compose(rows -> {
      AggregationGroup current = header(rows.iterator().next(), Map.of(), Set.of(), Set.of(), Set.of());
      AggregationGroup next = GroupTimers.add(Optional.of(current), match, alert, now);
      Future<?> timer = next.nextFlushAt().equals(current.nextFlushAt()) ? Future.succeededFuture()
          : c.preparedQuery(NotifierSql.SET_GROUP_FLUSH).execute(Tuple.of(match.groupKey(), ts(next.nextFlushAt())));
      return timer.compose(v -> c.preparedQuery(NotifierSql.UPSERT_FIRING_MEMBER)
          .execute(Tuple.of(match.groupKey(), alert.dedupKey(), ts(now)))).map(next.nextFlushAt());
    });
  }

  /**
   * A change of one group's membership made by an intake: the alert joins the group of {@code match} firing (it is
   * created when new), or, with {@code alert} null, leaves the firing set of the group {@code groupKey}.
   */
  public record MemberChange(String groupKey, String dedupKey, RouteMatch match, AlertEvent alert) {
    public static MemberChange joins(RouteMatch match, AlertEvent alert) {
      return new MemberChange(match.groupKey(), alert.dedupKey(), match, alert);
    }

    public static MemberChange leaves(String groupKey, String dedupKey) {
      return new MemberChange(groupKey, dedupKey, null, null);
    }

    boolean firing() {
      return alert != null;
    }
  }

  /**
   * Applies many intakes' membership changes, in order, as {@link #add} and {@link #resolve} would one by one, in a
   * fixed number of round trips: the groups are created or locked in key order (two batches cannot deadlock on
   * them), their timers asked of {@link GroupTimers#add} with the header alone, and each member's last state
   * written. Answers whether a group the alerts joined is due at {@code now}.
   */
  public Future<Boolean> apply(SqlClient c, List<MemberChange> changes, Instant now) {
    if (changes.isEmpty()) {
      return Future.succeededFuture(false);
    }
    TreeMap<String, RouteMatch> joined = new TreeMap<>();
    changes.stream().filter(MemberChange::firing).forEach(ch -> joined.putIfAbsent(ch.groupKey(), ch.match()));
    TreeSet<String> leftOnly = new TreeSet<>();
    changes.stream().filter(ch -> !ch.firing() && !joined.containsKey(ch.groupKey()))
        .forEach(ch -> leftOnly.add(ch.groupKey()));
    Map<List<String>, Boolean> lastFiring = new TreeMap<>(GroupStore::compareKeys);
    changes.forEach(ch -> lastFiring.put(List.of(ch.groupKey(), ch.dedupKey()), ch.firing()));
    List<Tuple> firing = new ArrayList<>();
    changes.stream().filter(MemberChange::firing).map(ch -> List.of(ch.groupKey(), ch.dedupKey())).distinct()
        .sorted(GroupStore::compareKeys).forEach(m -> firing.add(Tuple.of(m.get(0), m.get(1), ts(now))));
    List<Tuple> resolving = new ArrayList<>();
    lastFiring.forEach((m, f) -> {
      if (!f) {
        resolving.add(Tuple.of(m.get(0), m.get(1)));
      }
    });
    List<Tuple> headers = new ArrayList<>();
    joined.values().forEach(m -> headers.add(Tuple.of(m.groupKey(), m.route().key(), m.receiver(),
        Rows.json(m.groupLabels()), ts(now), ts(now.plus(m.route().groupWait())))));
    // Sent together (pipelined) and executed in order: the groups are created or locked first (in key order), then
    // their members change: joined, even if left again later in the batch; left, when that is the last change.
    Future<RowSet<Row>> created = headers.isEmpty() ? Future.succeededFuture()
        : c.preparedQuery(NotifierSql.UPSERT_GROUP).executeBatch(headers);
    Future<Void> locked = batch(c, NotifierSql.GROUP_FOR_UPDATE, leftOnly.stream().map(Tuple::of).toList());
    Future<Void> joins = batch(c, NotifierSql.UPSERT_FIRING_MEMBER, firing);
    Future<Void> leaves = batch(c, NotifierSql.RESOLVE_MEMBER, resolving);
    return Future.all(created, locked, joins, leaves).compose(v -> {
      Map<String, AggregationGroup> groups = new HashMap<>();
      for (RowSet<Row> each = created.result(); each != null; each = each.next()) {
        for (Row r : each) {
          groups.put(r.getString("group_key"), header(r, Map.of(), Set.of(), Set.of(), Set.of()));
        }
      }
      Map<String, Instant> flushBefore = new HashMap<>();
      groups.forEach((k, g) -> flushBefore.put(k, g.nextFlushAt()));
      for (MemberChange ch : changes) {
        if (ch.firing()) {
          groups.put(ch.groupKey(), GroupTimers.add(Optional.of(groups.get(ch.groupKey())), ch.match(), ch.alert(), now));
        }
      }
      List<Tuple> timers = new ArrayList<>();
      groups.forEach((k, g) -> {
        if (!g.nextFlushAt().equals(flushBefore.get(k))) {
          timers.add(Tuple.of(k, ts(g.nextFlushAt())));
        }
      });
      boolean due = groups.values().stream().anyMatch(g -> !g.nextFlushAt().isAfter(now));
      return batch(c, NotifierSql.SET_GROUP_FLUSH, timers).map(due);
    });
  }

  private static int compareKeys(List<String> a, List<String> b) {
    int c = a.get(0).compareTo(b.get(0));
    return c != 0 ? c : a.get(1).compareTo(b.get(1));
  }

  private static Future<Void> batch(SqlClient c, String sql, List<Tuple> rows) {
    return rows.isEmpty() ? Future.succeededFuture() : c.preparedQuery(sql).executeBatch(rows).mapEmpty();
  }

  /** The alert left the group's firing set ({@link GroupTimers#resolve}): the next flush tells whoever was told. */
  public Future<Void> resolve(SqlClient c, String groupKey, String dedupKey) {
    return c.preparedQuery(NotifierSql.GROUP_FOR_UPDATE).execute(Tuple.of(groupKey)).compose(rows -> rows.size() == 0
        ? Future.succeededFuture()
        : c.preparedQuery(NotifierSql.RESOLVE_MEMBER).execute(Tuple.of(groupKey, dedupKey)).mapEmpty());
  }

  /** Up to {@code limit} due groups, locked (skipping groups another instance is flushing), with their members. */
  public Future<List<AggregationGroup>> nextDue(SqlClient c, Instant now, int limit) {
    return c.preparedQuery(NotifierSql.NEXT_DUE_GROUPS).execute(Tuple.of(ts(now), limit)).compose(heads -> {
      if (heads.size() == 0) {
        return Future.succeededFuture(List.of());
      }
      List<Row> rows = new ArrayList<>();
      heads.forEach(rows::add);
      String[] keys = rows.stream().map(r -> r.getString("group_key")).toArray(String[]::new);
      return c.preparedQuery(NotifierSql.MEMBERS_OF_GROUPS).execute(Tuple.of(keys)).map(members -> {
        Map<String, Members> byGroup = new HashMap<>();
        for (Row m : members) {
          Members g = byGroup.computeIfAbsent(m.getString("group_key"), k -> new Members());
          String key = m.getString("dedup_key");
          if (m.getOffsetDateTime("firing_since") != null) {
            g.firing.put(key, instant(m.getOffsetDateTime("firing_since")));
          }
          if (m.getBoolean("resolved")) {
            g.resolved.add(key);
          }
          if (m.getBoolean("notified_firing")) {
            g.notifiedFiring.add(key);
          }
          if (m.getBoolean("notified_resolved")) {
            g.notifiedResolved.add(key);
          }
        }
        List<AggregationGroup> out = new ArrayList<>(rows.size());
        for (Row head : rows) {
          Members g = byGroup.getOrDefault(head.getString("group_key"), new Members());
          out.add(header(head, g.firing, g.resolved, g.notifiedFiring, g.notifiedResolved));
        }
        return out;
      });
    });
  }

  private static final class Members {
    final Map<String, Instant> firing = new HashMap<>();
    final Set<String> resolved = new HashSet<>();
    final Set<String> notifiedFiring = new HashSet<>();
    final Set<String> notifiedResolved = new HashSet<>();
  }

  /** A group as {@link #nextDue} read it and its state after the flush (null: the now empty group is removed). */
  public record Flushed(AggregationGroup before, AggregationGroup next) {
  }

  /**
   * Writes the groups' states after a flush, in a fixed number of round trips: headers, and only the members whose
   * state changed (a flush of a large group rewrites what it told, not every member).
   */
  public Future<Void> saveAll(SqlClient c, List<Flushed> flushed) {
    List<Tuple> removed = new ArrayList<>();
    List<Tuple> headers = new ArrayList<>();
    List<String> dg = new ArrayList<>();
    List<String> dk = new ArrayList<>();
    List<String> ug = new ArrayList<>();
    List<String> uk = new ArrayList<>();
    List<OffsetDateTime> uf = new ArrayList<>();
    List<Boolean> ur = new ArrayList<>();
    List<Boolean> unf = new ArrayList<>();
    List<Boolean> unr = new ArrayList<>();
    for (Flushed f : flushed) {
      String groupKey = f.before().groupKey();
      AggregationGroup next = f.next();
      if (next == null) {
        removed.add(Tuple.of(groupKey)); // its members go with it
        continue;
      }
      headers.add(Tuple.of(groupKey, ts(next.nextFlushAt()), next.hasFlushed(), ts(next.lastNotifiedAt())));
      Map<String, Member> before = members(f.before());
      Map<String, Member> after = members(next);
      before.keySet().stream().filter(k -> !after.containsKey(k)).forEach(k -> {
        dg.add(groupKey);
        dk.add(k);
      });
      after.forEach((k, m) -> {
        if (!m.equals(before.get(k))) {
          ug.add(groupKey);
          uk.add(k);
          uf.add(ts(m.firingSince()));
          ur.add(m.resolved());
          unf.add(m.notifiedFiring());
          unr.add(m.notifiedResolved());
        }
      });
    }
    Future<Void> done = batch(c, NotifierSql.DELETE_GROUP, removed).compose(v -> batch(c, NotifierSql.UPDATE_GROUP, headers));
    if (!dg.isEmpty()) {
      done = done.compose(v -> c.preparedQuery(NotifierSql.DELETE_SOME_MEMBERS)
          .execute(Tuple.of(dg.toArray(String[]::new), dk.toArray(String[]::new))).mapEmpty());
    }
    if (!ug.isEmpty()) {
      done = done.compose(v -> c.preparedQuery(NotifierSql.UPSERT_MEMBERS).execute(Tuple.of(ug.toArray(String[]::new),
          uk.toArray(String[]::new), uf.toArray(OffsetDateTime[]::new), ur.toArray(Boolean[]::new),
          unf.toArray(Boolean[]::new), unr.toArray(Boolean[]::new))).mapEmpty());
    }
    return done;
  }

  /** One member row. */
  private record Member(Instant firingSince, boolean resolved, boolean notifiedFiring, boolean notifiedResolved) {
  }

  /** The member rows a group keeps: a member told resolved and gone has nothing left to remember. */
  private static Map<String, Member> members(AggregationGroup g) {
    Set<String> keys = new HashSet<>(g.firing().keySet());
    keys.addAll(g.resolved());
    keys.addAll(g.notifiedFiring());
    Map<String, Member> out = new HashMap<>();
    for (String k : keys) {
      out.put(k, new Member(g.firing().get(k), g.resolved().contains(k), g.notifiedFiring().contains(k),
          g.notifiedResolved().contains(k)));
    }
    return out;
  }

  private static AggregationGroup header(Row r, Map<String, Instant> firing, Set<String> resolved,
      Set<String> notifiedFiring, Set<String> notifiedResolved) {
    return new AggregationGroup(r.getString("group_key"), r.getString("route_key"), r.getString("receiver"),
        Rows.labels(r.getJsonObject("group_labels")), firing, resolved, instant(r.getOffsetDateTime("created_at")),
        instant(r.getOffsetDateTime("next_flush_at")), r.getBoolean("has_flushed"), notifiedFiring, notifiedResolved,
        instant(r.getOffsetDateTime("last_notified_at")));
  }

}
