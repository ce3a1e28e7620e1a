package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.Outcome;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Many completions in one request ({@code {"completions":[{id, leaseToken, result?}…]}}, over HTTP
 * also a JSON array or NDJSON), each answered on its own: DONE, or its refusal (LEASE_LOST, NOT_FOUND,
 * a bad item's 400) without failing its neighbours (see {@link BatchItems}).
 */
public record CompleteBatch(List<Outcome<CompleteRequest>> items) {
  public static final String FIELD = "completions";

  public CompleteBatch {
    items = List.copyOf(items);
  }

  public static CompleteBatch of(List<CompleteRequest> completions) {
    return new CompleteBatch(completions.stream().<Outcome<CompleteRequest>>map(Outcome::ok).toList());
  }

  public static CompleteBatch fromJson(JsonObject o, LedgerLimits limits) {
    return new CompleteBatch(BatchItems.parse(o, FIELD, limits, item -> CompleteRequest.fromJson(item, limits),
        c -> c.resultJson() == null ? 0 : JsonFields.utf8Bytes(c.resultJson())));
  }

  public JsonObject toJson() {
    return BatchItems.toJson(FIELD, items, CompleteRequest::toJson);
  }
}
