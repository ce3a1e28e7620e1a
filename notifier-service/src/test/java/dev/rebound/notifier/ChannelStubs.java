package dev.rebound.notifier;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Local stand-ins for Slack, PagerDuty, Teams and webhooks on 127.0.0.1. Each checks the documented payload (an
 * invalid one is answered 400 and counted) and the documented rate limit — Slack 1/s with a short burst (429 +
 * Retry-After), PagerDuty 120/min per routing key (429), Teams 4/s (its 429 inside a 200 body) — and records what it
 * accepted. A request that arrives while a Retry-After it was given is still running counts as unhonoured.
 */
final class ChannelStubs {
  final List<JsonObject> slack = new CopyOnWriteArrayList<>();
  final List<JsonObject> pagerduty = new CopyOnWriteArrayList<>();
  final List<JsonObject> teams = new CopyOnWriteArrayList<>();
  final List<JsonObject> hooks = new CopyOnWriteArrayList<>();
  final List<String> hookSignatures = new CopyOnWriteArrayList<>();
  final List<JsonObject> flaky = new CopyOnWriteArrayList<>();
  final List<String> invalid = new CopyOnWriteArrayList<>();
  final AtomicInteger throttled = new AtomicInteger();
  final AtomicInteger unhonoured = new AtomicInteger();
  final AtomicInteger forceSlack429 = new AtomicInteger();
  final AtomicInteger flakyRefused = new AtomicInteger();
  final AtomicBoolean flakyDown = new AtomicBoolean();
  /** Per endpoint path: when its Retry-After ends (ms). */
  private final Map<String, Long> waitUntil = new ConcurrentHashMap<>();
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private HttpServer server;

  Future<Integer> start(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      JsonObject json;
      try {
        json = body.toJsonObject();
      } catch (RuntimeException e) {
        refuse(req, "not a JSON object");
        return;
      }
      handle(req, json);
    })).listen(0, "127.0.0.1").map(s -> {
      server = s;
      return s.actualPort();
    });
  }

  Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req, JsonObject json) {
    String path = req.path();
    long now = System.currentTimeMillis();
    Long until = waitUntil.get(path);
    if (until != null && now < until - 50) {
      unhonoured.incrementAndGet();
    }
    if (path.startsWith("/slack/")) {
      String problem = slackProblem(json);
      if (problem != null) {
        refuse(req, problem);
      } else if (forceSlack429.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || !window(path, 4, 1000, 1).take(now)) {
        throttle(req, path, now, 1);
      } else {
        slack.add(json.put("_path", path));
        req.response().end("ok");
      }
    } else if (path.equals("/pd")) {
      String problem = pagerDutyProblem(json);
      if (problem != null) {
        refuse(req, problem);
      } else if (!window("pd:" + json.getString("routing_key"), 120, 60_000, 120).take(now)) {
        throttle(req, path, now, 30);
      } else {
        pagerduty.add(json);
        req.response().setStatusCode(202).end(new JsonObject().put("status", "success").put("message",
            "Event processed").put("dedup_key", json.getString("dedup_key")).encode());
      }
    } else if (path.startsWith("/teams/")) {
      String problem = teamsProblem(json);
      if (problem != null) {
        refuse(req, problem);
      } else if (!window(path, 4, 1000, 4).take(now)) {
        throttled.incrementAndGet();
        req.response().setStatusCode(200).end("Microsoft Teams endpoint returned HTTP error 429 with ContextId ...");
      } else {
        teams.add(json);
        req.response().end("1");
      }
    } else if (path.startsWith("/hook/")) {
      hooks.add(json);
      hookSignatures.add(String.valueOf(req.getHeader("X-Rebound-Signature")));
      req.response().end();
    } else if (path.startsWith("/flaky/")) {
      if (flakyDown.get()) {
        flakyRefused.incrementAndGet();
        req.response().setStatusCode(503).end("down");
      } else {
        flaky.add(json);
        req.response().end();
      }
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  private void throttle(HttpServerRequest req, String path, long now, int seconds) {
    throttled.incrementAndGet();
    waitUntil.put(path, now + seconds * 1000L);
    req.response().setStatusCode(429).putHeader("Retry-After", String.valueOf(seconds)).end("rate limited");
  }

  private void refuse(HttpServerRequest req, String problem) {
    invalid.add(req.path() + ": " + problem);
    req.response().setStatusCode(400).end(problem);
  }

  /** Slack incoming webhooks: text (the fallback) and Block Kit blocks within their limits. */
  static String slackProblem(JsonObject m) {
    if (!(m.getValue("text") instanceof String t) || t.isBlank() || t.length() > 40_000) {
      return "text must be a non-empty string";
    }
    if (!(m.getValue("blocks") instanceof JsonArray blocks) || blocks.size() > 50) {
      return "blocks must be an array of at most 50";
    }
    for (Object b : blocks) {
      if (!(b instanceof JsonObject block) || !Set.of("header", "section", "context", "divider", "actions")
          .contains(block.getString("type"))) {
        return "a block needs a known type";
      }
      if ("header".equals(block.getString("type")) && block.getJsonObject("text").getString("text").length() > 150) {
        return "header text over 150";
      }
    }
    return null;
  }

  /** PagerDuty Events API v2. */
  static String pagerDutyProblem(JsonObject e) {
    if (!(e.getValue("routing_key") instanceof String k) || k.length() != 32) {
      return "routing_key must be a 32-character string";
    }
    if (!Set.of("trigger", "acknowledge", "resolve").contains(e.getString("event_action"))) {
      return "event_action must be trigger, acknowledge or resolve";
    }
    if (!(e.getValue("dedup_key") instanceof String d) || d.isEmpty() || d.length() > 255) {
      return "dedup_key must be a string of at most 255";
    }
    if ("trigger".equals(e.getString("event_action"))) {
      JsonObject p = e.getJsonObject("payload");
      if (p == null || !(p.getValue("summary") instanceof String s) || s.isEmpty() || s.length() > 1024
          || !(p.getValue("source") instanceof String) || !Set.of("critical", "error", "warning", "info")
          .contains(p.getString("severity"))) {
        return "payload needs summary (≤ 1024), source and severity";
      }
    }
    return null;
  }

  /** Teams Workflows webhook: a message with one Adaptive Card attachment. */
  static String teamsProblem(JsonObject m) {
    JsonArray attachments = m.getJsonArray("attachments");
    if (!"message".equals(m.getString("type")) || attachments == null || attachments.isEmpty()) {
      return "type message with attachments";
    }
    JsonObject a = attachments.getJsonObject(0);
    if (!"application/vnd.microsoft.card.adaptive".equals(a.getString("contentType"))
        || !"AdaptiveCard".equals(a.getJsonObject("content").getString("type"))) {
      return "an Adaptive Card attachment";
    }
    return null;
  }

  private Window window(String key, int burst, long periodMs, int perPeriod) {
    return windows.computeIfAbsent(key, k -> new Window(burst, periodMs, perPeriod));
  }

  /** A token bucket: {@code burst} tokens, {@code perPeriod} more every {@code periodMs}. */
  private static final class Window {
    private final int burst;
    private final double perMs;
    private double tokens;
    private long at = System.currentTimeMillis();

    Window(int burst, long periodMs, int perPeriod) {
      this.burst = burst;
      this.perMs = (double) perPeriod / periodMs;
      this.tokens = burst;
    }

    synchronized boolean take(long now) {
      tokens = Math.min(burst, tokens + (now - at) * perMs);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
