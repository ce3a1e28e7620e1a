package dev.rebound.notifier.store;

import static dev.rebound.notifier.store.Rows.instant;
import static dev.rebound.notifier.store.Rows.ts;

import dev.rebound.notifier.domain.LabelMatcher;
import dev.rebound.notifier.domain.Silence;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Silences; matchers are stored as their Alertmanager text and parsed again when read. */
public final class SilenceStore {

  public Future<Void> insert(SqlClient c, Silence s, Instant now) {
    JsonArray matchers = new JsonArray();
    s.matchers().forEach(m -> matchers.add(m.toString()));
    return c.preparedQuery(NotifierSql.INSERT_SILENCE).execute(Tuple.of(UUID.fromString(s.id()), matchers,
        ts(s.startsAt()), ts(s.endsAt()), s.createdBy(), s.comment(), ts(now))).mapEmpty();
  }

  public Future<Optional<Silence>> forUpdate(SqlClient c, UUID id) {
    return c.preparedQuery(NotifierSql.SILENCE_FOR_UPDATE).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(silence(rows.iterator().next())));
  }

  public Future<Void> updateRange(SqlClient c, Silence s) {
    return c.preparedQuery(NotifierSql.UPDATE_SILENCE_RANGE)
        .execute(Tuple.of(UUID.fromString(s.id()), ts(s.startsAt()), ts(s.endsAt()))).mapEmpty();
  }

  /** Pending and active silences (the ones that can still mute). */
  public Future<List<Silence>> current(SqlClient c, Instant now) {
    return c.preparedQuery(NotifierSql.CURRENT_SILENCES).execute(Tuple.of(ts(now))).map(rows -> {
      List<Silence> out = new ArrayList<>();
      rows.forEach(r -> out.add(silence(r)));
      return out;
    });
  }

  public Future<List<Silence>> list(SqlClient c, String state, Instant now, int limit) {
    return c.preparedQuery(NotifierSql.LIST_SILENCES).execute(Tuple.of(state, ts(now), limit)).map(rows -> {
      List<Silence> out = new ArrayList<>();
      rows.forEach(r -> out.add(silence(r)));
      return out;
    });
  }

  private static Silence silence(Row r) {
    JsonArray raw = r.getJsonArray("matchers");
    List<LabelMatcher> matchers = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      matchers.add(LabelMatcher.parse("matchers[" + i + "]", raw.getString(i)));
    }
    return new Silence(r.getUUID("id").toString(), matchers, instant(r.getOffsetDateTime("starts_at")),
        instant(r.getOffsetDateTime("ends_at")), r.getString("created_by"), r.getString("comment"));
  }
}
