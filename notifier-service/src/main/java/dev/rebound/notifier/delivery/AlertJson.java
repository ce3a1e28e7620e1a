package dev.rebound.notifier.delivery;

import dev.rebound.notifier.domain.AlertHistoryEntry;
import dev.rebound.notifier.domain.AlertView;
import dev.rebound.notifier.domain.GroupNotification;
import dev.rebound.notifier.store.Rows;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The one JSON shape of an alert (the API, the CLI, events on {@code rebound.events.alerts}). */
public final class AlertJson {
  private AlertJson() {
  }

  public static JsonObject of(AlertView a) {
    JsonObject o = new JsonObject().put("id", a.id()).put("dedupKey", a.dedupKey())
        .put("state", a.state().name().toLowerCase(Locale.ROOT)).put("severity", a.severity())
        .put("summary", a.summary()).put("labels", Rows.json(a.labels())).put("details", Rows.json(a.details()))
        .put("source", a.source().name().toLowerCase(Locale.ROOT)).put("occurrences", a.occurrences());
    put(o, "startsAt", a.startsAt());
    put(o, "endsAt", a.endsAt());
    put(o, "openedAt", a.openedAt());
    put(o, "lastSeenAt", a.lastSeenAt());
    put(o, "acknowledgedAt", a.acknowledgedAt());
    put(o, "resolvedAt", a.resolvedAt());
    if (a.acknowledgedBy() != null) {
      o.put("acknowledgedBy", a.acknowledgedBy());
    }
    if (a.generatorUrl() != null) {
      o.put("generatorURL", a.generatorUrl());
    }
    if (!a.history().isEmpty()) {
      o.put("history", history(a.history()));
    }
    return o;
  }

  static JsonArray history(List<AlertHistoryEntry> entries) {
    JsonArray out = new JsonArray();
    for (AlertHistoryEntry h : entries) {
      JsonObject e = new JsonObject().put("to", h.to().name().toLowerCase(Locale.ROOT)).put("by", h.by())
          .put("at", h.at().toString());
      if (h.from() != null) {
        e.put("from", h.from().name().toLowerCase(Locale.ROOT));
      }
      if (h.reason() != null) {
        e.put("reason", h.reason());
      }
      out.add(e);
    }
    return out;
  }

  /** A notification as published on {@code rebound.events.alerts}. */
  public static JsonObject event(String type, GroupNotification.Message m) {
    JsonArray alerts = new JsonArray();
    m.all().forEach(a -> alerts.add(of(a)));
    return new JsonObject().put("type", type).put("groupKey", m.groupKey()).put("receiver", m.receiver())
        .put("status", m.status()).put("digest", m.digest()).put("groupLabels", Rows.json(m.groupLabels()))
        .put("alerts", alerts);
  }

  private static void put(JsonObject o, String field, Instant t) {
    if (t != null) {
      o.put(field, t.toString());
    }
  }
}
