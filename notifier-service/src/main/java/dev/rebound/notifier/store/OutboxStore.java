package dev.rebound.notifier.store;

import static dev.rebound.notifier.store.Rows.instant;
import static dev.rebound.notifier.store.Rows.ts;

import dev.rebound.notifier.domain.Channel;
import dev.rebound.notifier.domain.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The delivery outbox and each endpoint's shared state: its token buckets (taken under the row lock, so every
 * instance draws from the same buckets) and its circuit (consecutive failures, paused until).
 */
public final class OutboxStore {
  /** How long a claim holds a delivery (SENDING); a claim that lapses (an instance died mid-send) is claimed again. */
  public static final Duration CLAIM_LEASE = Duration.ofMinutes(1);

  private final Pool pool;

  public OutboxStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Long> insert(SqlClient c, Delivery.New d, Instant now) {
    return c.preparedQuery(NotifierSql.INSERT_DELIVERY).execute(Tuple.tuple(Arrays.asList(d.channel().name(),
        d.endpointKey(), d.receiver(), d.groupKey(), d.kind().name(), d.message(), d.payload(), d.dedupKey(), ts(now))))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** Queues many deliveries, due at once, in one statement. */
  public Future<Void> insertAll(SqlClient c, List<Delivery.New> rows, Instant now) {
    return insertRows(c, rows, "PENDING", now, now).mapEmpty();
  }

  /**
   * Queues many deliveries in one statement, already claimed (SENDING) until {@code now + lease} by the caller, which
   * sends them after its commit ({@code OutboxSender#sendClaimed}); if it cannot, the claim lapses and any drain takes
   * them, as after a crash mid-send. Answers the rows as inserted.
   */
  public Future<List<Delivery>> insertClaimed(SqlClient c, List<Delivery.New> rows, Instant now, Duration lease) {
    return insertRows(c, rows, "SENDING", now.plus(lease), now);
  }

  private static Future<List<Delivery>> insertRows(SqlClient c, List<Delivery.New> rows, String status,
      Instant nextAttemptAt, Instant now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    int n = rows.size();
    String[] channels = new String[n];
    String[] endpoints = new String[n];
    String[] receivers = new String[n];
    String[] groupKeys = new String[n];
    String[] kinds = new String[n];
    String[] messages = new String[n];
    String[] payloads = new String[n];
    String[] dedupKeys = new String[n];
    for (int i = 0; i < n; i++) {
      Delivery.New d = rows.get(i);
      channels[i] = d.channel().name();
      endpoints[i] = d.endpointKey();
      receivers[i] = d.receiver();
      groupKeys[i] = d.groupKey();
      kinds[i] = d.kind().name();
      messages[i] = d.message().encode();
      payloads[i] = d.payload().encode();
      dedupKeys[i] = d.dedupKey();
    }
    return c.preparedQuery(NotifierSql.INSERT_DELIVERIES).execute(Tuple.tuple(Arrays.asList(channels, endpoints,
        receivers, groupKeys, kinds, messages, payloads, dedupKeys, status, ts(nextAttemptAt), ts(now)))).map(rs -> {
          List<Delivery> out = new ArrayList<>(rs.size());
          rs.forEach(r -> out.add(delivery(r)));
          out.sort((a, b) -> Long.compare(a.id(), b.id()));
          return out;
        });
  }

  /** Claims up to {@code limit} due deliveries for {@code lease}; a claim that lapses is claimed again. */
  public Future<List<Delivery>> claim(Instant now, Duration lease, int limit) {
    return pool.preparedQuery(NotifierSql.CLAIM_DELIVERIES).execute(Tuple.of(ts(now), ts(now.plus(lease)), limit))
        .map(rows -> {
          List<Delivery> out = new ArrayList<>();
          rows.forEach(r -> out.add(delivery(r)));
          out.sort((a, b) -> Long.compare(a.id(), b.id()));
          return out;
        });
  }

  public Future<Void> sent(long id, Instant now) {
    return pool.preparedQuery(NotifierSql.DELIVERY_SENT).execute(Tuple.of(id, ts(now))).mapEmpty();
  }

  public Future<Void> sentAll(List<Long> ids, Instant now) {
    return pool.preparedQuery(NotifierSql.DELIVERIES_SENT).execute(Tuple.of(ids.toArray(Long[]::new), ts(now)))
        .mapEmpty();
  }

  /** Back to the queue until {@code at}, not counted as an attempt. */
  public Future<Void> laterAll(List<Long> ids, Instant at, String error) {
    return ids.isEmpty() ? Future.succeededFuture() : pool.preparedQuery(NotifierSql.DELIVERIES_LATER)
        .execute(Tuple.of(ids.toArray(Long[]::new), ts(at), error)).mapEmpty();
  }

  /** Back to the queue until {@code at}; {@code attempt} counts it as a failed attempt. */
  public Future<Void> later(long id, Instant at, boolean attempt, String error) {
    return pool.preparedQuery(NotifierSql.DELIVERY_LATER).execute(Tuple.of(id, ts(at), attempt ? 1 : 0, error)).mapEmpty();
  }

  public Future<Void> failed(long id, boolean attempt, String error) {
    return pool.preparedQuery(NotifierSql.DELIVERY_FAILED).execute(Tuple.of(id, attempt ? 1 : 0, error)).mapEmpty();
  }

  /** {@code into} now carries the merged digest; {@code merged} are marked DIGESTED. */
  public Future<Void> digest(Delivery into, JsonObject payload, JsonObject message,
      List<Long> merged) {
    return pool.withTransaction(c -> c.preparedQuery(NotifierSql.DELIVERY_REPLACED).execute(Tuple.of(into.id(), payload, message))
        .compose(v -> c.preparedQuery(NotifierSql.DELIVERIES_DIGESTED)
            .execute(Tuple.of(merged.toArray(Long[]::new), String.valueOf(into.id()))))
        .mapEmpty());
  }

  public Future<List<Delivery>> list(String status, int limit) {
    return pool.preparedQuery(NotifierSql.LIST_DELIVERIES).execute(Tuple.of(status, limit)).map(rows -> {
      List<Delivery> out = new ArrayList<>();
      rows.forEach(r -> out.add(delivery(r)));
      return out;
    });
  }

  /** Sends a FAILED (or waiting) delivery again at once; answers its status before, or null when unknown. */
  public Future<String> retryNow(long id, Instant now) {
    return pool.preparedQuery(NotifierSql.RETRY_DELIVERY).execute(Tuple.of(id, ts(now))).compose(rows -> {
      if (rows.size() == 1) {
        return Future.succeededFuture("PENDING");
      }
      return pool.preparedQuery(NotifierSql.DELIVERY_STATUS).execute(Tuple.of(id))
          .map(s -> s.size() == 0 ? null : s.iterator().next().getString("status"));
    });
  }

  public Future<Map<String, Long>> countsByStatus() {
    return pool.query(NotifierSql.COUNT_DELIVERIES).execute().map(rows -> {
      Map<String, Long> out = new HashMap<>();
      rows.forEach(r -> out.put(r.getString("status"), r.getLong("n")));
      return out;
    });
  }

  /** An endpoint's circuit: paused until a time after too many failures in a row. */
  public record EndpointState(int consecutiveFailures, Instant pausedUntil) {
  }

  public Future<EndpointState> endpoint(String key) {
    return pool.preparedQuery(NotifierSql.ENDPOINT_STATE).execute(Tuple.of(key)).map(rows -> rows.size() == 0
        ? new EndpointState(0, null)
        : new EndpointState(rows.iterator().next().getInteger("consecutive_failures"),
            instant(rows.iterator().next().getOffsetDateTime("paused_until"))));
  }

  /**
   * Changes the endpoint's bucket state under its row lock: {@code change} gets the current state (full when new) and
   * answers the state to keep with a result.
   */
  public <T> Future<T> withBucket(String key, TokenBucket bucket, Instant now,
      Function<TokenBucket.State, Map.Entry<TokenBucket.State, T>> change) {
    TokenBucket.State full = bucket.full(now);
    return pool.withTransaction(c -> c.preparedQuery(NotifierSql.ENDPOINT_FOR_UPDATE)
        .execute(Tuple.of(key, full.tokens().toArray(Double[]::new), ts(now))).compose(rows -> {
          Row r = rows.iterator().next();
          Double[] tokens = r.getArrayOfDoubles("tokens");
          TokenBucket.State current = new TokenBucket.State(Arrays.asList(tokens), instant(r.getOffsetDateTime("tokens_at")));
          Map.Entry<TokenBucket.State, T> answer = change.apply(current);
          TokenBucket.State next = answer.getKey();
          return c.preparedQuery(NotifierSql.SET_TOKENS)
              .execute(Tuple.of(key, next.tokens().toArray(Double[]::new), ts(next.at()))).map(v -> answer.getValue());
        }));
  }

  public Future<Void> endpointSucceeded(String key) {
    return pool.preparedQuery(NotifierSql.ENDPOINT_SUCCEEDED).execute(Tuple.of(key)).mapEmpty();
  }

  /** Counts a failure; answers the time the endpoint is paused until, or null. */
  public Future<Instant> endpointFailed(String key, int threshold, Instant pauseUntil) {
    return pool.preparedQuery(NotifierSql.ENDPOINT_FAILED).execute(Tuple.of(key, threshold, ts(pauseUntil)))
        .map(rows -> rows.size() == 0 ? null : instant(rows.iterator().next().getOffsetDateTime("paused_until")));
  }

  private static Delivery delivery(Row r) {
    return new Delivery(r.getLong("id"), Channel.valueOf(r.getString("channel")), r.getString("endpoint_key"),
        r.getString("receiver"), r.getString("group_key"), Delivery.Kind.valueOf(r.getString("kind")),
        r.getJsonObject("message"), r.getJsonObject("payload"), r.getString("dedup_key"), r.getString("status"),
        r.getInteger("attempts"), instant(r.getOffsetDateTime("next_attempt_at")), r.getString("last_error"),
        instant(r.getOffsetDateTime("created_at")), instant(r.getOffsetDateTime("sent_at")));
  }
}
