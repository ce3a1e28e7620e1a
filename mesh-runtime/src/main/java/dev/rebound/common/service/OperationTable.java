package dev.rebound.common.service;

import dev.rebound.common.Addresses;
import dev.rebound.common.ReboundException;
import dev.rebound.common.auth.Caller;
import dev.rebound.common.auth.HttpGuard;
import dev.rebound.common.auth.RouteRule;
import dev.rebound.common.client.ApiOperation;
import dev.rebound.common.client.HttpRoute;
import dev.rebound.common.http.JsonHandlers;
import dev.rebound.common.runtime.BusRequests;
import dev.rebound.common.runtime.Correlation;
import dev.rebound.common.runtime.ErrorReplies;
import dev.rebound.common.runtime.InFlight;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A service's operations: each entry of its API enum (the contract, e.g. {@code LedgerApi}) bound
 * once to a handler. The one table drives both edges:
 * <ul>
 *   <li>the event bus: one consumer per address; an address shared by several operations
 *       dispatches on the {@link Addresses#ACTION_HEADER} and refuses an unknown or missing one
 *       naming the known actions. The {@link Addresses#ACTOR_HEADER} (default {@code event-bus})
 *       and the correlation id become the {@link Origin}.</li>
 *   <li>HTTP: one route per entry with a {@link HttpRoute}; the JSON body (a GET: the query
 *       parameters, {@code limit} as an integer; a batch route's JSON array or NDJSON as
 *       {@code {itemsField: [...]}}) with the path parameters merged in; the reply with the entry's success
 *       status. The origin's actor is the request's {@link Caller}: the bearer token's name — which then also
 *       replaces any {@link #IDENTITY_FIELDS} the request names, so the audit trail says which token acted — or
 *       {@code http} on a server without tokens. Each route's scope is the entry's, enforced by the router
 *       assembly from {@link #routeRules()}.</li>
 * </ul>
 * A request is parsed by the entry's parser (identity unless given) before its handler runs; a
 * parser throwing {@link ReboundException} answers 400 / the bus error like any other failure.
 */
public final class OperationTable<S extends Enum<S> & ApiOperation> {
  /** Request fields naming who acts ({@code actor}, an alert's {@code by}, a silence's {@code createdBy}). */
  public static final List<String> IDENTITY_FIELDS = List.of("actor", "by", "createdBy");

  private final Class<S> api;
  private final Map<S, Binding<?>> bindings;

  private OperationTable(Class<S> api) {
    this.api = api;
    this.bindings = new EnumMap<>(api);
  }

  /** An empty table for the entries of {@code api}. */
  public static <S extends Enum<S> & ApiOperation> OperationTable<S> of(Class<S> api) {
    return new OperationTable<>(api);
  }

  /** Binds {@code operation} to a handler of its JSON request. */
  public OperationTable<S> bind(S operation, OperationHandler<JsonObject> handler) {
    return bind(operation, request -> request, handler);
  }

  /** Binds {@code operation} to a handler of the request {@code parser} makes from its JSON. */
  public <R> OperationTable<S> bind(S operation, Function<JsonObject, R> parser, OperationHandler<R> handler) {
    Objects.requireNonNull(parser, "parser");
    Objects.requireNonNull(handler, "handler");
    if (bindings.putIfAbsent(operation, new Binding<>(operation, parser, handler)) != null) {
      throw new IllegalStateException(operation + " is bound twice");
    }
    return this;
  }

  /** The entries bound so far, in declaration order. */
  public Set<S> bound() {
    return bindings.isEmpty() ? EnumSet.noneOf(api) : EnumSet.copyOf(bindings.keySet());
  }

  /** The table itself; fails naming the API's entries that have no handler. */
  public OperationTable<S> requireComplete() {
    Set<S> unbound = EnumSet.complementOf(EnumSet.copyOf(bound()));
    if (!unbound.isEmpty()) {
      throw new IllegalStateException(api.getSimpleName() + " entries without a handler: " + unbound);
    }
    return this;
  }

  /** Adds a route for every bound entry that has one; replies are written with {@code json}. */
  public void mountRoutes(Router router, JsonHandlers json) {
    for (Binding<?> binding : bindings.values()) {
      HttpRoute route = binding.operation.route();
      if (route != null) {
        List<String> params = pathParams(route.path());
        router.route(route.method(), route.path()).handler(ctx -> serve(ctx, binding, route, params, json));
      }
    }
  }

  /** The guard's rule (scope, JSON bodies) of every bound entry that has a route, in binding order. */
  public List<RouteRule> routeRules() {
    return bindings.values().stream().filter(b -> b.operation.route() != null).map(b -> RouteRule.of(b.operation))
        .toList();
  }

  /** The {@code :name} segments of a path. */
  private static List<String> pathParams(String path) {
    return Arrays.stream(path.split("/")).filter(segment -> segment.startsWith(":")).map(segment -> segment.substring(1))
        .toList();
  }

  private static void serve(RoutingContext ctx, Binding<?> binding, HttpRoute route, List<String> params,
      JsonHandlers json) {
    Caller caller = Caller.of(ctx);
    JsonObject request;
    try {
      // decoded on the event loop the request arrived on (one of the port's), not on the service's context
      request = asCaller(request(ctx, route, params), route, caller);
    } catch (RuntimeException e) {
      ErrorReplies.respond(ctx, e);
      return;
    }
    Origin origin = new Origin(caller == null ? HttpGuard.OPEN_ACTOR : caller.name(), Correlation.of(ctx),
        json.requesterGone(ctx));
    json.onService(ctx, () -> binding.invoke(request, origin),
        reply -> JsonHandlers.writeJson(ctx, route.status().applyAsInt(reply), reply));
  }

  /** A token's name replaces whatever identity an authenticated request (and each item of a batch) claims. */
  private static JsonObject asCaller(JsonObject request, HttpRoute route, Caller caller) {
    if (caller != null && caller.authenticated()) {
      replaceIdentity(request, caller);
      if (route.itemsField() != null && request.getValue(route.itemsField()) instanceof JsonArray items) {
        items.forEach(item -> {
          if (item instanceof JsonObject o) {
            replaceIdentity(o, caller);
          }
        });
      }
    }
    return request;
  }

  private static void replaceIdentity(JsonObject request, Caller caller) {
    IDENTITY_FIELDS.forEach(field -> {
      if (request.containsKey(field)) {
        request.put(field, caller.name());
      }
    });
  }

  /** The body (a GET: the query) with the route's own path parameters merged in; path parameters win. */
  private static JsonObject request(RoutingContext ctx, HttpRoute route, List<String> params) {
    JsonObject request = route.method() == HttpMethod.GET ? JsonHandlers.query(ctx)
        : route.itemsField() != null ? JsonHandlers.itemsBody(ctx, route.itemsField()) : JsonHandlers.jsonBody(ctx);
    params.forEach(name -> request.put(name, ctx.pathParam(name)));
    return request;
  }

  /**
   * Registers one consumer per address of the bound entries; requests are counted in
   * {@code inFlight} until answered. The caller unregisters them (intake stops first on stop).
   */
  public List<MessageConsumer<Object>> registerConsumers(EventBus bus, InFlight inFlight) {
    Map<String, List<Binding<?>>> byAddress = new LinkedHashMap<>();
    for (Binding<?> binding : bindings.values()) {
      if (binding.operation.address() != null) {
        byAddress.computeIfAbsent(binding.operation.address(), a -> new ArrayList<>()).add(binding);
      }
    }
    List<MessageConsumer<Object>> consumers = new ArrayList<>();
    byAddress.forEach((address, served) -> {
      if (served.size() == 1 && served.get(0).operation.action() == null) {
        Binding<?> only = served.get(0);
        consumers.add(bus.consumer(address, msg -> answer(msg, only, inFlight)));
      } else {
        Map<String, Binding<?>> byAction = byAction(address, served);
        consumers.add(bus.consumer(address, msg -> dispatch(msg, byAction, inFlight)));
      }
    });
    return consumers;
  }

  private static Map<String, Binding<?>> byAction(String address, List<Binding<?>> served) {
    Map<String, Binding<?>> byAction = new TreeMap<>();
    for (Binding<?> binding : served) {
      String action = binding.operation.action();
      if (action == null || byAction.put(action, binding) != null) {
        throw new IllegalStateException("operations sharing " + address + " need distinct action headers: "
            + served.stream().map(b -> b.operation).toList());
      }
    }
    return Collections.unmodifiableMap(byAction);
  }

  private static void dispatch(Message<Object> msg, Map<String, Binding<?>> byAction, InFlight inFlight) {
    String action = msg.headers().get(Addresses.ACTION_HEADER);
    Binding<?> binding = action == null ? null : byAction.get(action);
    if (binding == null) {
      ErrorReplies.fail(msg, ReboundException.badRequest("unknown or missing action header '" + Addresses.ACTION_HEADER
          + "' (known: " + byAction.keySet() + ")"));
      return;
    }
    answer(msg, binding, inFlight);
  }

  private static void answer(Message<Object> msg, Binding<?> binding, InFlight inFlight) {
    String actor = msg.headers().get(Addresses.ACTOR_HEADER);
    long replyWithin = replyWithinMs(msg);
    if (replyWithin <= 0) {
      BusRequests.answer(msg, body -> binding.invoke(body, new Origin(actor == null ? "event-bus" : actor,
          Correlation.of(msg))), inFlight);
      return;
    }
    // the requester stops listening at its timeout: count it gone a little before, so what is handed
    // out after that is handed back rather than sent to nobody
    Vertx vertx = Vertx.currentContext().owner();
    Promise<Void> gone = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, replyWithin - Math.max(50, replyWithin / 20)), t -> gone.tryComplete());
    Origin origin = new Origin(actor == null ? "event-bus" : actor, Correlation.of(msg), gone.future());
    BusRequests.answer(msg, body -> binding.invoke(body, origin).onComplete(ar -> vertx.cancelTimer(timer)), inFlight);
  }

  /** The requester's {@link Addresses#REPLY_WITHIN_HEADER}, or 0 when absent or malformed. */
  private static long replyWithinMs(Message<Object> msg) {
    String header = msg.headers().get(Addresses.REPLY_WITHIN_HEADER);
    if (header == null || Vertx.currentContext() == null) {
      return 0;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private record Binding<R>(ApiOperation operation, Function<JsonObject, R> parser, OperationHandler<R> handler) {
    Future<JsonObject> invoke(JsonObject request, Origin origin) {
      return handler.handle(parser.apply(request), origin);
    }
  }
}
