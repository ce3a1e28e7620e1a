package dev.rebound.app.process;

import static dev.rebound.app.process.BoundedWait.await;

import dev.rebound.common.client.LedgerClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A task's history as the ledger shows it ({@code GET /v1/tasks/{id}/history}), oldest first. */
record TaskTimeline(UUID task, List<Entry> entries) {
  /** Who the ledger records for a retry-service decision. */
  static final String RETRY_SERVICE = "retry-service";
  private static final Duration LIMIT = Duration.ofSeconds(30);

  record Entry(String from, String to, int attempt, Instant at, String reason, String error, String actor) {
    static Entry of(JsonObject h) {
      return new Entry(h.getString("from"), h.getString("to"), h.getInteger("attempt"), Instant.parse(h.getString("at")),
          h.getString("reason"), h.getString("error"), h.getString("actor"));
    }

    boolean decision() {
      return RETRY_SERVICE.equals(actor);
    }
  }

  static TaskTimeline of(LedgerClient ledger, UUID task) {
    JsonObject h = await(ledger.history(task).map(a -> new JsonObject().put("history", a)), LIMIT, "history of " + task);
    return new TaskTimeline(task, h.getJsonArray("history").stream().map(o -> Entry.of((JsonObject) o)).toList());
  }

  /** When attempt {@code n} started (its claim). */
  Optional<Instant> started(int attempt) {
    return entries.stream().filter(e -> "RUNNING".equals(e.to()) && e.attempt() == attempt).map(Entry::at).findFirst();
  }

  /** When attempt {@code n} was reported failed (RUNNING → RETRY or FAILED, the ledger's provisional step). */
  Optional<Instant> failed(int attempt) {
    return entries.stream().filter(e -> "RUNNING".equals(e.from()) && e.attempt() == attempt && !"DONE".equals(e.to()))
        .map(Entry::at).findFirst();
  }

  /** The retry service's decisions as the ledger applied them. */
  List<Entry> decisions() {
    return entries.stream().filter(Entry::decision).toList();
  }

  long claims() {
    return entries.stream().filter(e -> "RUNNING".equals(e.to())).count();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("history of " + task + ":");
    entries.forEach(e -> sb.append("\n  ").append(e.at()).append(" #").append(e.attempt()).append(' ').append(e.from())
        .append(" → ").append(e.to()).append(" by ").append(e.actor()).append(": ").append(e.reason()));
    return sb.toString();
  }
}
