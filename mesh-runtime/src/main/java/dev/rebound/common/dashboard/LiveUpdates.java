package dev.rebound.common.dashboard;

import dev.rebound.common.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /ui/events?topics=tasks,circuits,alerts}: server-sent events that keep an open page current.
 * Each topic is an observer of a published address ({@code rebound.events.tasks}, {@code .circuits},
 * {@code .alerts}, {@code .classified}); every event is forwarded as {@code event: <topic>} with a small
 * summary as data, and the page re-reads its live region from the server (the page is the one rendering of
 * the data; events only say "something changed"). A comment every 15 s keeps proxies from closing an idle
 * stream; when the browser cannot keep up, events are dropped (the next one refreshes the page all the same).
 */
final class LiveUpdates {
  static final Map<String, String> TOPICS = topics();
  private static final long KEEP_ALIVE_MS = 15_000;

  private final Vertx vertx;

  LiveUpdates(Vertx vertx) {
    this.vertx = vertx;
  }

  private static Map<String, String> topics() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("tasks", Addresses.EVENTS_TASKS);
    t.put("circuits", Addresses.EVENTS_CIRCUITS);
    t.put("alerts", Addresses.EVENTS_ALERTS);
    t.put("classified", Addresses.EVENTS_CLASSIFIED);
    return Map.copyOf(t);
  }

  void stream(RoutingContext ctx) {
    List<String> wanted = new ArrayList<>();
    String asked = ctx.request().getParam("topics");
    for (String topic : (asked == null || asked.isBlank() ? String.join(",", TOPICS.keySet()) : asked).split(",")) {
      if (TOPICS.containsKey(topic.trim()) && !wanted.contains(topic.trim())) {
        wanted.add(topic.trim());
      }
    }
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    List<MessageConsumer<Object>> consumers = new ArrayList<>();
    for (String topic : wanted) {
      consumers.add(vertx.eventBus().consumer(TOPICS.get(topic), msg -> {
        if (!response.closed() && !response.writeQueueFull()) {
          response.write("event: " + topic + "\ndata: " + summary(msg.body()) + "\n\n");
        }
      }));
    }
    long keepAlive = vertx.setPeriodic(KEEP_ALIVE_MS, id -> {
      if (!response.closed()) {
        response.write(": keep-alive\n\n");
      }
    });
    // a stopping server shuts its connections down: end the stream then, so that the stop does not wait for it
    ctx.request().connection().shutdownHandler(v -> {
      if (!response.ended()) {
        response.end();
      }
    });
    Runnable cleanUp = () -> {
      vertx.cancelTimer(keepAlive);
      consumers.forEach(MessageConsumer::unregister);
    };
    response.closeHandler(v -> cleanUp.run());
    response.endHandler(v -> cleanUp.run());
    // the retry hint, and a first event so that the browser knows the stream is open
    response.write("retry: 3000\nevent: open\ndata: " + new JsonObject().put("topics", wanted).encode() + "\n\n");
  }

  /** What changed, without the event's free text (JSON keeps it on one line; the page re-reads the data anyway). */
  private static String summary(Object body) {
    JsonObject out = new JsonObject();
    if (body instanceof JsonObject event) {
      for (String key : List.of("taskId", "id", "name", "stage", "from", "to", "state", "status")) {
        Object v = event.getValue(key);
        if (v instanceof String || v instanceof Number) {
          out.put(key, v);
        }
      }
    }
    return out.encode();
  }
}
