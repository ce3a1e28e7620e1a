package dev.rebound.app.process;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stand-ins for Slack incoming webhooks ({@code /slack/…}) and PagerDuty's Events API v2 ({@code /pd}) on
 * 127.0.0.1, as the notifier-service tests have them: each refuses a payload the real service would refuse (400,
 * counted in {@link #invalid}), Slack answers more than one message a second after a burst of four with 429 and
 * Retry-After, and what was accepted is recorded with the time it arrived.
 */
final class AlertReceivers {
  /** One accepted message. */
  record Received(String path, JsonObject body, Instant at) {
    /** Slack: the fallback text and every block's text, for searching. */
    String text() {
      return body.encode();
    }
  }

  final List<Received> slack = new CopyOnWriteArrayList<>();
  final List<Received> pagerduty = new CopyOnWriteArrayList<>();
  final List<String> invalid = new CopyOnWriteArrayList<>();
  private double slackTokens = 4;
  private long slackAt = System.currentTimeMillis();
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
    if (path.startsWith("/slack/")) {
      String problem = slackProblem(json);
      if (problem != null) {
        refuse(req, problem);
      } else if (!takeSlackToken()) {
        req.response().setStatusCode(429).putHeader("Retry-After", "1").end("rate limited");
      } else {
        slack.add(new Received(path, json, Instant.now()));
        req.response().end("ok");
      }
    } else if (path.equals("/pd")) {
      String problem = pagerDutyProblem(json);
      if (problem != null) {
        refuse(req, problem);
      } else {
        pagerduty.add(new Received(path, json, Instant.now()));
        req.response().setStatusCode(202).end(new JsonObject().put("status", "success").put("message", "Event processed")
            .put("dedup_key", json.getString("dedup_key")).encode());
      }
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  /** Slack's 1 message a second per webhook, with a short burst (all webhooks share one bucket here). */
  private synchronized boolean takeSlackToken() {
    long now = System.currentTimeMillis();
    slackTokens = Math.min(4, slackTokens + (now - slackAt) / 1000.0);
    slackAt = now;
    if (slackTokens >= 1) {
      slackTokens -= 1;
      return true;
    }
    return false;
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
}
