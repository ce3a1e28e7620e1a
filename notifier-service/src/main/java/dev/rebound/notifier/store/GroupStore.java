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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Aggregation groups: a header row (its timers) and one row per member. Intake never takes the header's row lock:
 * it creates a missing header ({@code ON CONFLICT DO NOTHING}), holds the header only with {@code FOR KEY SHARE}
 * (which no flush waits for, and which keeps the group from being removed under it) and writes member rows, so
 * batches into one group, and a flush of it, run side by side. The flush takes the header's lock ({@code FOR NO KEY
 * UPDATE SKIP LOCKED}: one instance flushes a group at a time), and writes back only what it decided: what the
 * receiver was told, and the resolutions it told; a member that an intake changed after the flush read it keeps that
 * change. A storm into one group costs a row per alert.
 */
public final class GroupStore {

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
   * Applies many intakes' membership changes, in order, in a fixed number of round trips and without the headers'
   * row locks: the missing groups are created (in key order), every group joined is read and held {@code FOR KEY
   * SHARE}, the members joined are marked firing (a member that exists is left as it is unless it was resolved) and
   * those whose last change was to leave are marked resolved. Timers are asked of {@link GroupTimers#add} with the
   * header alone; the one change intake makes to a header — an old alert pulling an unflushed group's first flush
   * forward — is written only when it is still earlier than the header's. Answers whether a group the alerts joined
   * is due at {@code now}.
   */
  public Future<Boolean> apply(SqlClient c, List<MemberChange> changes, Instant now) {
    if (changes.isEmpty()) {
      return Future.succeededFuture(false);
    }
    // a new group's first flush, as the batch's alerts would set it, so that it is usually inserted right
    TreeMap<String, AggregationGroup> created = new TreeMap<>();
    for (MemberChange ch : changes) {
      if (ch.firing()) {
        created.put(ch.groupKey(), GroupTimers.add(Optional.ofNullable(created.get(ch.groupKey())), ch.match(),
            ch.alert(), now));
      }
    }
    Map<List<String>, Boolean> lastFiring = new TreeMap<>(GroupStore::compareKeys);
    changes.forEach(ch -> lastFiring.put(List.of(ch.groupKey(), ch.dedupKey()), ch.firing()));
    List<String> fg = new ArrayList<>();
    List<String> fk = new ArrayList<>();
    changes.stream().filter(MemberChange::firing).map(ch -> List.of(ch.groupKey(), ch.dedupKey())).distinct()
        .sorted(GroupStore::compareKeys).forEach(m -> {
          fg.add(m.get(0));
          fk.add(m.get(1));
        });
    List<String> rg = new ArrayList<>();
    List<String> rk = new ArrayList<>();
    lastFiring.forEach((m, f) -> {
      if (!f) {
        rg.add(m.get(0));
        rk.add(m.get(1));
      }
    });
    // Sent together (pipelined) and executed in order: missing groups created, the joined ones held (a flush that
    // empties one cannot remove it until this commits), then their members: joined, even if left again later in the
    // batch (a resolved member fires again before a missing one is added: a flush forgetting it meanwhile cannot
    // make this lose it); left, when that is the last change.
    Future<Void> inserted = created.isEmpty() ? Future.succeededFuture() : insertGroups(c, created.values());
    Future<RowSet<Row>> held = created.isEmpty() ? Future.succeededFuture()
        : c.preparedQuery(NotifierSql.GROUPS_KEY_SHARE).execute(Tuple.of(created.keySet().toArray(String[]::new)));
    OffsetDateTime at = ts(now);
    Future<Void> refired = fg.isEmpty() ? Future.succeededFuture() : c.preparedQuery(NotifierSql.REFIRE_MEMBERS)
        .execute(Tuple.of(fg.toArray(String[]::new), fk.toArray(String[]::new), at)).mapEmpty();
    Future<Void> joined = fg.isEmpty() ? Future.succeededFuture() : c.preparedQuery(NotifierSql.INSERT_FIRING_MEMBERS)
        .execute(Tuple.of(fg.toArray(String[]::new), fk.toArray(String[]::new), at)).mapEmpty();
    Future<Void> left = rg.isEmpty() ? Future.succeededFuture() : c.preparedQuery(NotifierSql.RESOLVE_MEMBERS)
        .execute(pairs(rg.toArray(String[]::new), rk.toArray(String[]::new))).mapEmpty();
    return Future.all(inserted, held, refired, joined, left).compose(v -> {
      Map<String, AggregationGroup> groups = new HashMap<>();
      if (held.result() != null) {
        for (Row r : held.result()) {
          groups.put(r.getString("group_key"), header(r, Map.of(), Set.of(), Set.of(), Set.of()));
        }
      }
      Map<String, Instant> flushBefore = new HashMap<>();
      groups.forEach((k, g) -> flushBefore.put(k, g.nextFlushAt()));
      for (MemberChange ch : changes) {
        if (ch.firing() && groups.containsKey(ch.groupKey())) {
          groups.put(ch.groupKey(), GroupTimers.add(Optional.of(groups.get(ch.groupKey())), ch.match(), ch.alert(), now));
        }
      }
      List<Tuple> pulled = new ArrayList<>();
      new TreeMap<>(groups).forEach((k, g) -> {
        if (g.nextFlushAt().isBefore(flushBefore.get(k))) {
          pulled.add(Tuple.of(k, ts(g.nextFlushAt())));
        }
      });
      boolean due = groups.values().stream().anyMatch(g -> !g.nextFlushAt().isAfter(now));
      return batch(c, NotifierSql.PULL_FIRST_FLUSH, pulled).map(due);
    });
  }

  private static Future<Void> insertGroups(SqlClient c, Collection<AggregationGroup> groups) {
    int n = groups.size();
    String[] keys = new String[n];
    String[] routes = new String[n];
    String[] receivers = new String[n];
    String[] labels = new String[n];
    OffsetDateTime[] createdAt = new OffsetDateTime[n];
    OffsetDateTime[] firstFlush = new OffsetDateTime[n];
    int i = 0;
    for (AggregationGroup g : groups) {
      keys[i] = g.groupKey();
      routes[i] = g.routeKey();
      receivers[i] = g.receiver();
      labels[i] = Rows.json(g.groupLabels()).encode();
      createdAt[i] = ts(g.createdAt());
      firstFlush[i] = ts(g.nextFlushAt());
      i++;
    }
    return c.preparedQuery(NotifierSql.INSERT_GROUPS)
        .execute(Tuple.of(keys, routes, receivers, labels, createdAt, firstFlush)).mapEmpty();
  }

  /** Two arrays as $1 and $2 ({@code Tuple.of(a, b)} would take the second array for its varargs). */
  private static Tuple pairs(String[] groupKeys, String[] dedupKeys) {
    return Tuple.of((Object) groupKeys, (Object) dedupKeys);
  }

  private static int compareKeys(List<String> a, List<String> b) {
    int c = a.get(0).compareTo(b.get(0));
    return c != 0 ? c : a.get(1).compareTo(b.get(1));
  }

  private static Future<Void> batch(SqlClient c, String sql, List<Tuple> rows) {
    return rows.isEmpty() ? Future.succeededFuture() : c.preparedQuery(sql).executeBatch(rows).mapEmpty();
  }

  /**
   * The alert left the group's firing set ({@link GroupTimers#resolve}): the next flush tells whoever was told. A
   * row of its own; a flush running meanwhile leaves the resolution in place.
   */
  public Future<Void> resolve(SqlClient c, String groupKey, String dedupKey) {
    return c.preparedQuery(NotifierSql.RESOLVE_MEMBERS)
        .execute(pairs(new String[] {groupKey}, new String[] {dedupKey})).mapEmpty();
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

  /**
   * A group as {@link #nextDue} read it and its state after the flush. {@code removed}: the flush left it empty, so
   * it is removed — unless an intake is adding an alert to it or added one since it was read; then it stays, as
   * {@code after}.
   */
  public record Flushed(AggregationGroup before, AggregationGroup after, boolean removed) {
  }

  /**
   * Writes the groups' states after a flush, in a fixed number of round trips (one more when a group is removed):
   * headers; for the members whose state the flush changed, what the receiver was told and the resolutions it told
   * (never whether a member fires: intake owns that, and may have changed it since the read); members with nothing
   * left to remember are deleted if they still have nothing; emptied groups are removed unless an intake holds them
   * or gave them a member.
   */
  public Future<Void> saveAll(SqlClient c, List<Flushed> flushed) {
    List<String> emptied = new ArrayList<>();
    List<String> ug = new ArrayList<>();
    List<String> uk = new ArrayList<>();
    List<Boolean> unf = new ArrayList<>();
    List<Boolean> unr = new ArrayList<>();
    List<Boolean> uclear = new ArrayList<>();
    List<String> dg = new ArrayList<>();
    List<String> dk = new ArrayList<>();
    int h = 0;
    String[] hk = new String[flushed.size()];
    OffsetDateTime[] hf = new OffsetDateTime[flushed.size()];
    Boolean[] hh = new Boolean[flushed.size()];
    OffsetDateTime[] hl = new OffsetDateTime[flushed.size()];
    for (Flushed f : flushed) {
      String groupKey = f.before().groupKey();
      AggregationGroup after = f.after();
      hk[h] = groupKey;
      hf[h] = ts(after.nextFlushAt());
      hh[h] = after.hasFlushed();
      hl[h] = ts(after.lastNotifiedAt());
      h++;
      if (f.removed()) {
        emptied.add(groupKey);
      }
      Map<String, Member> before = members(f.before());
      Map<String, Member> kept = f.removed() ? Map.of() : members(after);
      new TreeMap<>(before).forEach((k, b) -> {
        Member a = kept.getOrDefault(k, new Member(null, false, false, after.notifiedResolved().contains(k)));
        if (!a.equals(b)) {
          ug.add(groupKey);
          uk.add(k);
          unf.add(a.notifiedFiring());
          unr.add(a.notifiedResolved());
          uclear.add(b.resolved() && !a.resolved());
        }
        if (!kept.containsKey(k)) {
          dg.add(groupKey);
          dk.add(k);
        }
      });
    }
    // sent together (pipelined), executed in order
    Future<Void> done = flushed.isEmpty() ? Future.succeededFuture()
        : c.preparedQuery(NotifierSql.UPDATE_GROUPS).execute(Tuple.of(hk, hf, hh, hl)).mapEmpty();
    if (!ug.isEmpty()) {
      done = Future.all(done, c.preparedQuery(NotifierSql.MEMBERS_TOLD).execute(Tuple.of(ug.toArray(String[]::new),
          uk.toArray(String[]::new), unf.toArray(Boolean[]::new), unr.toArray(Boolean[]::new),
          uclear.toArray(Boolean[]::new)))).mapEmpty();
    }
    if (!dg.isEmpty()) {
      done = Future.all(done, c.preparedQuery(NotifierSql.DELETE_FORGOTTEN_MEMBERS)
          .execute(pairs(dg.toArray(String[]::new), dk.toArray(String[]::new)))).mapEmpty();
    }
    if (emptied.isEmpty()) {
      return done;
    }
    // Removed in two statements: the lock first (skipping a group an intake holds), then the delete, whose snapshot
    // is taken after the lock and so sees every member an intake committed before it.
    Future<RowSet<Row>> locked = c.preparedQuery(NotifierSql.LOCK_EMPTIED_GROUPS)
        .execute(Tuple.of(emptied.toArray(String[]::new)));
    return Future.all(done, locked).compose(v -> {
      List<String> keys = new ArrayList<>();
      locked.result().forEach(r -> keys.add(r.getString("group_key")));
      return keys.isEmpty() ? Future.succeededFuture()
          : c.preparedQuery(NotifierSql.DELETE_EMPTY_GROUPS).execute(Tuple.of(keys.toArray(String[]::new))).mapEmpty();
    });
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
