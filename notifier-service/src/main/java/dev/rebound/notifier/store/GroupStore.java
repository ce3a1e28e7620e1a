package dev.rebound.notifier.store;

import static dev.rebound.notifier.store.Rows.instant;
import static dev.rebound.notifier.store.Rows.ts;

import dev.rebound.notifier.domain.AggregationGroup;
import dev.rebound.notifier.domain.AlertEvent;
import dev.rebound.notifier.domain.GroupTimers;
import dev.rebound.notifier.domain.RouteMatch;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

  /** The alert left the group's firing set ({@link GroupTimers#resolve}): the next flush tells whoever was told. */
  public Future<Void> resolve(SqlClient c, String groupKey, String dedupKey) {
    return c.preparedQuery(NotifierSql.GROUP_FOR_UPDATE).execute(Tuple.of(groupKey)).compose(rows -> rows.size() == 0
        ? Future.succeededFuture()
        : c.preparedQuery(NotifierSql.RESOLVE_MEMBER).execute(Tuple.of(groupKey, dedupKey)).mapEmpty());
  }

  /** The next due group, locked (skipping groups another instance is flushing), with its members. */
  public Future<Optional<AggregationGroup>> nextDue(SqlClient c, Instant now) {
    return c.preparedQuery(NotifierSql.NEXT_DUE_GROUP).execute(Tuple.of(ts(now))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Optional.empty());
      }
      Row head = rows.iterator().next();
      return c.preparedQuery(NotifierSql.MEMBERS).execute(Tuple.of(head.getString("group_key"))).map(members -> {
        Map<String, Instant> firing = new HashMap<>();
        Set<String> resolved = new HashSet<>();
        Set<String> notifiedFiring = new HashSet<>();
        Set<String> notifiedResolved = new HashSet<>();
        for (Row m : members) {
          String key = m.getString("dedup_key");
          if (m.getOffsetDateTime("firing_since") != null) {
            firing.put(key, instant(m.getOffsetDateTime("firing_since")));
          }
          if (m.getBoolean("resolved")) {
            resolved.add(key);
          }
          if (m.getBoolean("notified_firing")) {
            notifiedFiring.add(key);
          }
          if (m.getBoolean("notified_resolved")) {
            notifiedResolved.add(key);
          }
        }
        return Optional.of(header(head, firing, resolved, notifiedFiring, notifiedResolved));
      });
    });
  }

  /** Writes the group's state after a flush; null removes the (empty) group. */
  public Future<Void> save(SqlClient c, String groupKey, AggregationGroup next) {
    if (next == null) {
      return c.preparedQuery(NotifierSql.DELETE_GROUP).execute(Tuple.of(groupKey)).mapEmpty();
    }
    Set<String> keys = new TreeSet<>(next.firing().keySet());
    keys.addAll(next.resolved());
    keys.addAll(next.notifiedFiring());
    keys.addAll(next.notifiedResolved());
    keys.removeIf(k -> !next.firing().containsKey(k) && !next.resolved().contains(k)
        && !next.notifiedFiring().contains(k)); // told-resolved and gone: nothing left to remember
    String[] d = keys.toArray(String[]::new);
    OffsetDateTime[] f = Arrays.stream(d).map(k -> ts(next.firing().get(k))).toArray(OffsetDateTime[]::new);
    Boolean[] r = Arrays.stream(d).map(next.resolved()::contains).toArray(Boolean[]::new);
    Boolean[] nf = Arrays.stream(d).map(next.notifiedFiring()::contains).toArray(Boolean[]::new);
    Boolean[] nr = Arrays.stream(d).map(next.notifiedResolved()::contains).toArray(Boolean[]::new);
    return c.preparedQuery(NotifierSql.UPDATE_GROUP)
        .execute(Tuple.of(groupKey, ts(next.nextFlushAt()), next.hasFlushed(), ts(next.lastNotifiedAt())))
        .compose(v -> c.preparedQuery(NotifierSql.DELETE_MEMBERS).execute(Tuple.of(groupKey)))
        .compose(v -> d.length == 0 ? Future.succeededFuture()
            : c.preparedQuery(NotifierSql.INSERT_MEMBERS).execute(Tuple.of(groupKey, d, f, r, nf, nr)))
        .mapEmpty();
  }

  private static AggregationGroup header(Row r, Map<String, Instant> firing, Set<String> resolved,
      Set<String> notifiedFiring, Set<String> notifiedResolved) {
    return new AggregationGroup(r.getString("group_key"), r.getString("route_key"), r.getString("receiver"),
        Rows.labels(r.getJsonObject("group_labels")), firing, resolved, instant(r.getOffsetDateTime("created_at")),
        instant(r.getOffsetDateTime("next_flush_at")), r.getBoolean("has_flushed"), notifiedFiring, notifiedResolved,
        instant(r.getOffsetDateTime("last_notified_at")));
  }

}
