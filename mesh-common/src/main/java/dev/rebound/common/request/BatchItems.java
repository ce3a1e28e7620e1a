package dev.rebound.common.request;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.JsonFields;
import dev.rebound.common.Outcome;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The items of a batch request (enqueue, complete or heartbeat many) and of its reply. Each item is
 * parsed alone, so a bad item is refused alone (its own 400 in the reply) while its neighbours go
 * on; the batch as a whole is refused only when it is not a non-empty array or breaks the limits
 * ({@link LedgerLimits#maxBatchItems()}, {@link LedgerLimits#maxBatchBytes()}: 413).
 *
 * <p>A reply is {@code {"items":[…]}} in the order of the request, each item with its own
 * {@code status} (201 created, 200, or the error's: 400, 404, 409…) and either the operation's own
 * answer or {@code error: {code, message, details}}.
 */
public final class BatchItems {
  private BatchItems() {
  }

  /**
   * @param bytes the payload or result bytes an item carries, counted against the batch's byte limit
   */
  public static <R> List<Outcome<R>> parse(JsonObject o, String field, LedgerLimits limits,
                                           Function<JsonObject, R> parser, ToLongFunction<R> bytes) {
    JsonFields.rejectUnknown(o, Set.of(field));
    Object v = o.getValue(field);
    if (!(v instanceof JsonArray array)) {
      throw ReboundException.invalidField(field, "must be a JSON array of items");
    }
    if (array.isEmpty()) {
      throw ReboundException.invalidField(field, "has no items");
    }
    if (array.size() > limits.maxBatchItems()) {
      throw new ReboundException(ErrorCode.PAYLOAD_TOO_LARGE, "a batch of " + array.size()
          + " items is over the limit of " + limits.maxBatchItems() + " items",
          new JsonObject().put("items", array.size()).put("limit", limits.maxBatchItems()));
    }
    List<Outcome<R>> items = new ArrayList<>(array.size());
    long total = 0;
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof JsonObject object)) {
        items.add(Outcome.failed(ReboundException.badRequest("item " + i + " is not a JSON object")));
        continue;
      }
      try {
        R parsed = parser.apply(object);
        total += bytes.applyAsLong(parsed);
        items.add(Outcome.ok(parsed));
      } catch (ReboundException e) {
        items.add(Outcome.failed(e));
      }
    }
    if (total > limits.maxBatchBytes()) {
      throw ReboundException.tooLarge("the batch's payloads", total, limits.maxBatchBytes());
    }
    return List.copyOf(items);
  }

  /** {@code {field: [each valid item's JSON]}}: what a client sends. */
  static <R> JsonObject toJson(String field, List<Outcome<R>> items, Function<R, JsonObject> json) {
    JsonArray array = new JsonArray(new ArrayList<>(items.size()));
    for (Outcome<R> item : items) {
      if (item instanceof Outcome.Ok<R> ok) {
        array.add(json.apply(ok.value()));
      }
    }
    return new JsonObject().put(field, array);
  }

  /** One answered item: the operation's answer with its {@code status}. */
  public static JsonObject answered(int status, JsonObject answer) {
    return answer.put("status", status);
  }

  /** One refused item: {@code {status, error:{code, message, details}}}, plus {@code id} when known. */
  public static JsonObject refused(ReboundException error, String id) {
    JsonObject item = new JsonObject();
    if (id != null) {
      item.put("id", id);
    }
    return item.put("status", error.code().httpStatus()).mergeIn(error.toJson());
  }

  /** A reply's items, in request order: each answer, or its error as a {@link ReboundException}. */
  public static List<Outcome<JsonObject>> outcomes(JsonObject reply) {
    JsonArray array = reply.getJsonArray("items", new JsonArray());
    List<Outcome<JsonObject>> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject item = array.getJsonObject(i);
      JsonObject error = item.getJsonObject("error");
      if (error == null) {
        out.add(Outcome.ok(item));
      } else {
        ErrorCode code;
        try {
          code = ErrorCode.valueOf(error.getString("code", "INTERNAL"));
        } catch (IllegalArgumentException e) {
          code = ErrorCode.INTERNAL;
        }
        out.add(Outcome.failed(new ReboundException(code, error.getString("message", ""), error.getJsonObject("details"))));
      }
    }
    return out;
  }
}
