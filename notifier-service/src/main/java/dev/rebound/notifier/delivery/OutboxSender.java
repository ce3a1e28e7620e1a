package dev.rebound.notifier.delivery;

import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.NextAttempt;
import dev.rebound.common.policy.RetryContext;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.notifier.domain.AlertView;
import dev.rebound.notifier.domain.Channel;
import dev.rebound.notifier.domain.ChannelTarget;
import dev.rebound.notifier.domain.DeliveryResponse;
import dev.rebound.notifier.domain.DigestPolicy;
import dev.rebound.notifier.domain.GroupNotification;
import dev.rebound.notifier.domain.TokenBucket;
import dev.rebound.notifier.domain.WebhookPayload;
import dev.rebound.notifier.store.AlertStore;
import dev.rebound.notifier.store.Delivery;
import dev.rebound.notifier.store.OutboxStore;
import dev.rebound.notifier.store.Rows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the delivery outbox: claims due rows (several instances never take the same row), and per endpoint, in
 * order: waits out a paused endpoint (its circuit), merges a group's backlog into one digest under a storm, takes a
 * token from the endpoint's shared bucket, sends, and records the outcome — sent; rate-limited until Retry-After (the
 * bucket emptied until then, the attempt not counted); retried with exponential backoff and full jitter
 * ({@link RetryPolicy}); or failed. Secrets are read from configuration at this point only and never logged.
 */
public final class OutboxSender {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);
  private static final Duration CLAIM_LEASE = OutboxStore.CLAIM_LEASE;
  private static final int BATCH = 200;
  /** At most this many deliveries handed over by flushes being sent at once; beyond it they go back to the queue. */
  private static final int MAX_CLAIMED_IN_FLIGHT = 2_000;
  /** HTTP connections per endpoint host: deliveries to one endpoint are sent side by side (the rate limit still holds). */
  private static final int CONNECTIONS_PER_HOST = 32;
  private static final int MAX_BATCHES_AT_ONCE = 20;

  /** How the sender behaves; from the configuration. */
  public record Settings(int maxAttempts, Duration retryBase, Duration retryMax, int failureThreshold,
      Duration pause, Duration timeout, DigestPolicy digest) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final OutboxStore outbox;
  private final AlertStore alerts;
  private final Routing routing;
  private final NotificationPlanner planner;
  private final NotifierMetrics metrics;
  private final Settings settings;
  private final Clock clock;
  private final RetryPolicy retry;
  private final RandomGenerator random = RandomGenerator.getDefault();
  private final WebClient http;
  private final Map<String, MailClient> mail = new HashMap<>();
  private final AtomicInteger claimedInFlight = new AtomicInteger();

  public OutboxSender(Vertx vertx, Pool pool, OutboxStore outbox, AlertStore alerts, Routing routing,
      NotificationPlanner planner, NotifierMetrics metrics, Settings settings, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.outbox = outbox;
    this.alerts = alerts;
    this.routing = routing;
    this.planner = planner;
    this.metrics = metrics;
    this.settings = settings;
    this.clock = clock;
    this.retry = RetryPolicy.builder().exponential(settings.retryBase(), 2.0).maxDelay(settings.retryMax())
        .maxRetries(Math.max(1, settings.maxAttempts() - 1)).jitter(Jitter.FULL).build();
    this.http = WebClient.create(vertx, new WebClientOptions().setUserAgent("Rebound-Notifier")
        .setConnectTimeout((int) settings.timeout().toMillis()).setFollowRedirects(false).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_HOST));
  }

  /** One pass: answers how many deliveries were accepted by their endpoints. */
  public Future<Integer> drain() {
    return pass().map(Pass::sent);
  }

  /**
   * Passes until one claims less than a full batch (or {@value #MAX_BATCHES_AT_ONCE} passes): what an intake that
   * made groups due asks for, so that a stream of notifications is not held to one batch per wake-up.
   */
  public Future<Integer> drainDue() {
    return drainDue(0, 0);
  }

  private Future<Integer> drainDue(int passes, int sent) {
    return pass().compose(p -> p.claimed() < BATCH || passes + 1 >= MAX_BATCHES_AT_ONCE
        ? Future.succeededFuture(sent + p.sent()) : drainDue(passes + 1, sent + p.sent()));
  }

  /** What a pass claimed and how many of those its endpoints accepted. */
  private record Pass(int claimed, int sent) {
  }

  private Future<Pass> pass() {
    Instant now = clock.instant();
    return outbox.claim(now, CLAIM_LEASE, BATCH).compose(claimed -> sendAll(claimed)
        .map(sent -> new Pass(claimed.size(), sent)));
  }

  /**
   * Sends deliveries a flush queued already claimed ({@code OutboxStore#insertClaimed}), right after its commit,
   * the way a drain sends what it claimed: per endpoint its pause, digest, rate limit and outcomes. Beyond
   * {@value #MAX_CLAIMED_IN_FLIGHT} being sent at once they are put back in the queue, due now, for the drains.
   * Answers how many the endpoints accepted.
   */
  public Future<Integer> sendClaimed(List<Delivery> claimed) {
    if (claimedInFlight.addAndGet(claimed.size()) > MAX_CLAIMED_IN_FLIGHT) {
      claimedInFlight.addAndGet(-claimed.size());
      return requeue(claimed, clock.instant(), null).map(0);
    }
    return sendAll(claimed).onComplete(ar -> claimedInFlight.addAndGet(-claimed.size()));
  }

  /** Claimed deliveries, each endpoint's side by side; answers how many their endpoints accepted. */
  private Future<Integer> sendAll(List<Delivery> claimed) {
    Map<String, List<Delivery>> byEndpoint = new LinkedHashMap<>();
    claimed.forEach(d -> byEndpoint.computeIfAbsent(d.endpointKey(), k -> new ArrayList<>()).add(d));
    List<Future<Integer>> done = new ArrayList<>();
    byEndpoint.forEach((key, rows) -> done.add(endpoint(key, rows)
        .recover(t -> {
          LOG.warn("deliveries to {} not completed: {}", key, t.getClass().getSimpleName());
          return Future.succeededFuture(0);
        })));
    return Future.all(done).map(all -> done.stream().mapToInt(Future::result).sum());
  }

  public Future<Void> close() {
    http.close();
    List<Future<Void>> closed = new ArrayList<>();
    mail.values().forEach(m -> closed.add(m.close()));
    return Future.join(closed).mapEmpty();
  }

  private Future<Integer> endpoint(String key, List<Delivery> rows) {
    ChannelTarget target = routing.endpoint(key).orElse(null);
    if (target == null) {
      return each(rows, d -> outbox.failed(d.id(), false, "endpoint " + key + " is no longer configured")).map(0);
    }
    Instant now = clock.instant();
    return outbox.endpoint(key).compose(state -> {
      if (state.pausedUntil() != null && state.pausedUntil().isAfter(now)) {
        return each(rows, d -> outbox.later(d.id(), state.pausedUntil(), false,
            "endpoint paused after " + state.consecutiveFailures() + " failures in a row")).map(0);
      }
      return digest(target, rows).compose(toSend -> send(target, toSend));
    });
  }

  /** Under a storm, a group's rows for this endpoint become one digest ({@link DigestPolicy}). */
  private Future<List<Delivery>> digest(ChannelTarget target, List<Delivery> rows) {
    if (target.channel() == Channel.PAGERDUTY || rows.size() < 2) {
      return Future.succeededFuture(rows); // PagerDuty: one event per alert, deduplicated by PagerDuty itself
    }
    Map<String, List<Delivery>> byGroup = new LinkedHashMap<>();
    rows.forEach(d -> byGroup.computeIfAbsent(d.kind() == Delivery.Kind.GROUP ? d.groupKey() : "#" + d.id(),
        k -> new ArrayList<>()).add(d));
    if (byGroup.values().stream().allMatch(group -> group.size() < 2)) {
      return Future.succeededFuture(rows); // no group has a backlog here: nothing to merge, the bucket need not be read
    }
    TokenBucket bucket = target.rateLimit();
    Instant now = clock.instant();
    return outbox.withBucket(target.endpointKey(), bucket, now, s -> Map.entry(s, bucket.empty(s, now))).compose(empty -> {
      List<Future<Delivery>> out = new ArrayList<>();
      byGroup.values().forEach(group -> {
        if (group.size() > 1 && settings.digest().digest(group.size(), empty)) {
          out.add(merge(target, group));
        } else {
          group.forEach(d -> out.add(Future.succeededFuture(d)));
        }
      });
      return Future.all(out).map(all -> out.stream().map(Future::result).sorted((a, b) -> Long.compare(a.id(), b.id()))
          .toList());
    });
  }

  private Future<Delivery> merge(ChannelTarget target, List<Delivery> group) {
    List<UUID> ids = new ArrayList<>();
    group.forEach(d -> {
      ids(d.message().getJsonArray("firing")).forEach(ids::add);
      ids(d.message().getJsonArray("resolved")).forEach(ids::add);
    });
    return alerts.byIds(pool, ids.stream().distinct().toList()).compose(found -> {
      Map<String, AlertView> views = new HashMap<>();
      found.forEach(s -> views.put(s.alert().id(), AlertView.of(s.alert())));
      List<GroupNotification.Message> pending = new ArrayList<>();
      for (Delivery d : group) {
        Map<String, String> labels = Rows.labels(d.message().getJsonObject("groupLabels"));
        pending.add(new GroupNotification.Message(d.groupKey(), d.receiver(), labels,
            views(d.message().getJsonArray("firing"), views), views(d.message().getJsonArray("resolved"), views), false));
      }
      GroupNotification.Message merged = settings.digest().merge(pending);
      Delivery first = group.get(0);
      JsonObject payload = planner.payload(merged, target);
      JsonObject message = NotificationPlanner.message(merged);
      List<Long> others = group.subList(1, group.size()).stream().map(Delivery::id).toList();
      return outbox.digest(first, payload, message, others).map(v -> new Delivery(first.id(), first.channel(),
          first.endpointKey(), first.receiver(), first.groupKey(), first.kind(), message, payload, first.dedupKey(),
          first.status(), first.attempts(), first.nextAttemptAt(), first.lastError(), first.createdAt(), null));
    });
  }

  private static List<UUID> ids(JsonArray a) {
    List<UUID> out = new ArrayList<>();
    if (a != null) {
      a.forEach(x -> out.add(UUID.fromString(String.valueOf(x))));
    }
    return out;
  }

  private static List<AlertView> views(JsonArray ids, Map<String, AlertView> views) {
    List<AlertView> out = new ArrayList<>();
    if (ids != null) {
      ids.forEach(id -> {
        AlertView v = views.get(String.valueOf(id));
        if (v != null) {
          out.add(v);
        }
      });
    }
    return out;
  }

  /** How many of a batch's rows the endpoint's bucket allows now, and when the next token comes if not all. */
  private record Grant(int count, Instant nextAt) {
  }

  /**
   * Takes the tokens for as many rows as the bucket allows in one transaction, puts the rest back until the next
   * token, and sends the granted rows: each group's rows one after the other (so a group's notifications arrive in
   * order), different groups side by side. A 429 or a paused endpoint puts every row not yet sent back until then.
   * Rows sent are recorded together.
   */
  private Future<Integer> send(ChannelTarget target, List<Delivery> rows) {
    TokenBucket bucket = target.rateLimit();
    Instant now = clock.instant();
    return outbox.withBucket(target.endpointKey(), bucket, now, s -> {
      TokenBucket.State state = s;
      int granted = 0;
      while (granted < rows.size()) {
        TokenBucket.Take take = bucket.tryTake(state, now);
        if (!take.granted()) {
          return Map.entry(state, new Grant(granted, take.retryAt()));
        }
        state = take.state();
        granted++;
      }
      return Map.entry(state, new Grant(granted, null));
    }).compose(grant -> {
      Future<Void> parked = grant.count() == rows.size() ? Future.succeededFuture()
          : requeue(rows.subList(grant.count(), rows.size()), grant.nextAt(), null);
      Map<String, List<Delivery>> lanes = new LinkedHashMap<>();
      rows.subList(0, grant.count()).forEach(d -> lanes.computeIfAbsent(d.groupKey(), k -> new ArrayList<>()).add(d));
      Lanes run = new Lanes(target);
      List<Future<Void>> done = new ArrayList<>();
      lanes.values().forEach(lane -> done.add(run.lane(lane, 0)));
      return parked.compose(v -> Future.join(done)).transform(ar -> run.recordSent(ar.failed() ? ar.cause() : null));
    });
  }

  /** The granted rows of one endpoint being sent: what was sent, and whether the endpoint asked to rest. */
  private final class Lanes {
    private final ChannelTarget target;
    private final List<Delivery> sent = new ArrayList<>();
    private Instant holdUntil;

    Lanes(ChannelTarget target) {
      this.target = target;
    }

    /** Sends lane[i…] one after the other. */
    Future<Void> lane(List<Delivery> lane, int i) {
      if (i == lane.size()) {
        return Future.succeededFuture();
      }
      if (holdUntil != null) {
        return requeue(lane.subList(i, lane.size()), holdUntil, null);
      }
      Delivery d = lane.get(i);
      return transmit(target, d).compose(response -> record(target, d, response)).compose(rec -> {
        if (rec.sent()) {
          sent.add(d);
        }
        if (rec.holdUntil() != null && (holdUntil == null || rec.holdUntil().isAfter(holdUntil))) {
          holdUntil = rec.holdUntil();
        }
        return lane(lane, i + 1);
      });
    }

    /** Records the rows sent (whatever else failed); answers how many. */
    Future<Integer> recordSent(Throwable failure) {
      Future<Integer> recorded = sent.isEmpty() ? Future.succeededFuture(0)
          : outbox.sentAll(sent.stream().map(Delivery::id).toList(), clock.instant())
              .compose(v -> outbox.endpointSucceeded(target.endpointKey())).map(sent.size());
      return failure == null ? recorded : recorded.compose(n -> Future.failedFuture(failure));
    }
  }

  /** A delivery's outcome for the rest of the batch: sent or not, and a time the endpoint must rest until (or null). */
  private record Recorded(boolean sent, Instant holdUntil) {
  }

  private Future<Void> requeue(List<Delivery> rows, Instant at, String why) {
    return outbox.laterAll(rows.stream().map(Delivery::id).toList(), at, why);
  }

  /** Records the outcome, but for a row sent: those are recorded together. */
  private Future<Recorded> record(ChannelTarget target, Delivery d, DeliveryResponse r) {
    Instant now = clock.instant();
    String key = target.endpointKey();
    switch (r.outcome()) {
      case SENT -> {
        metrics.notification(target.channel(), "sent");
        metrics.latency(target.channel(), Duration.between(d.createdAt(), now));
        return Future.succeededFuture(new Recorded(true, null)); // recorded with the batch's others
      }
      case RATE_LIMITED -> {
        metrics.notification(target.channel(), "rate_limited");
        TokenBucket bucket = target.rateLimit();
        LOG.info("delivery {} to {}: {}, waiting until {}", d.id(), key, r.reason(), r.retryAt());
        return outbox.withBucket(key, bucket, now, s -> Map.entry(bucket.throttledUntil(s, now, r.retryAt()), 0))
            .compose(v -> outbox.later(d.id(), r.retryAt(), false, r.reason())).map(new Recorded(false, r.retryAt()));
      }
      case RETRY -> {
        metrics.notification(target.channel(), "failed");
        int attempt = d.attempts() + 1;
        NextAttempt next = retry.next(RetryContext.afterAttempt(attempt, d.createdAt()), now, random);
        LOG.info("delivery {} to {} failed (attempt {}): {}", d.id(), key, attempt, r.reason());
        Future<Void> row;
        if (attempt >= settings.maxAttempts() || next.exhausted()) {
          row = outbox.failed(d.id(), true, r.reason() + " (gave up after " + attempt + " attempts)");
        } else {
          Instant at = ((NextAttempt.Scheduled) next).at();
          row = outbox.later(d.id(), r.retryAt() != null && r.retryAt().isAfter(at) ? r.retryAt() : at, true, r.reason());
        }
        return row.compose(v -> outbox.endpointFailed(key, settings.failureThreshold(), now.plus(settings.pause())))
            .map(paused -> new Recorded(false, paused != null && paused.isAfter(now) ? paused : null));
      }
      default -> {
        metrics.notification(target.channel(), "failed");
        LOG.warn("delivery {} to {} refused: {}", d.id(), key, r.reason());
        return outbox.failed(d.id(), true, r.reason()).map(new Recorded(false, null));
      }
    }
  }

  /** One HTTP POST or e-mail; the secret is added here and nowhere else. */
  private Future<DeliveryResponse> transmit(ChannelTarget target, Delivery d) {
    if (target instanceof ChannelTarget.Email email) {
      return sendMail(email, d.payload());
    }
    String url;
    JsonObject body = d.payload();
    Map<String, String> headers = new LinkedHashMap<>();
    if (target instanceof ChannelTarget.Slack s) {
      url = s.url().reveal();
    } else if (target instanceof ChannelTarget.Teams t) {
      url = t.url().reveal();
    } else if (target instanceof ChannelTarget.PagerDuty p) {
      url = p.url();
      body = new JsonObject().put(NotificationPlanner.ROUTING_KEY, p.routingKey().reveal()).mergeIn(body);
    } else if (target instanceof ChannelTarget.Webhook w) {
      url = w.url().reveal();
    } else {
      throw new IllegalStateException("no sender for " + target.channel());
    }
    Buffer bytes = body.toBuffer();
    if (target instanceof ChannelTarget.Webhook w && w.signingKey() != null) {
      headers.put(WebhookPayload.SIGNATURE_HEADER, WebhookPayload.signature(w.signingKey(),
          clock.instant().getEpochSecond(), bytes.getBytes()));
    }
    var request = http.postAbs(url).timeout(settings.timeout().toMillis()).putHeader("Content-Type", "application/json");
    headers.forEach(request::putHeader);
    return request.sendBuffer(bytes)
        .map(resp -> DeliveryResponse.classify(resp.statusCode(), resp.getHeader("Retry-After"),
            resp.bodyAsString(), clock.instant()))
        .otherwise(t -> new DeliveryResponse(DeliveryResponse.Outcome.RETRY, null,
            "not delivered (" + t.getClass().getSimpleName() + ")"));
  }

  private Future<DeliveryResponse> sendMail(ChannelTarget.Email target, JsonObject payload) {
    MailClient client = mail.computeIfAbsent(target.endpointKey(), k -> {
      String[] hostPort = target.smarthost().split(":", 2);
      MailConfig config = new MailConfig().setHostname(hostPort[0])
          .setPort(hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 25).setStarttls(StartTLSOptions.OPTIONAL)
          .setConnectTimeout((int) settings.timeout().toMillis());
      if (target.username() != null) {
        config.setUsername(target.username());
      }
      if (target.password() != null) {
        config.setPassword(target.password().reveal());
      }
      return MailClient.createShared(vertx, config, "rebound-notifier-" + k);
    });
    MailMessage message = new MailMessage().setFrom(target.from()).setTo(target.to())
        .setSubject(payload.getString("subject")).setText(payload.getString("text")).setHtml(payload.getString("html"));
    return client.sendMail(message).map(r -> new DeliveryResponse(DeliveryResponse.Outcome.SENT, null, null))
        .otherwise(t -> new DeliveryResponse(DeliveryResponse.Outcome.RETRY, null,
            "not delivered (" + t.getClass().getSimpleName() + ")"));
  }

  private static <T> Future<Void> each(List<T> items, Function<T, Future<Void>> f) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(v -> f.apply(item));
    }
    return chain;
  }

}
