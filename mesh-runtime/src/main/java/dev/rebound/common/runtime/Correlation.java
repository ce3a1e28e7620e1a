package dev.rebound.common.runtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Correlation ids: one id follows a piece of work across HTTP, the event bus and the logs.
 *
 * <p><b>How it travels.</b> Vert.x 5 runs every HTTP request and every event-bus message on its
 * own <em>duplicated</em> context, and futures created while handling it complete on that same
 * context. The id is stored in that context's local data ({@link ContextInternal#localContextData()},
 * which, unlike a {@code ContextLocal}, works on any Vert.x instance whenever it was created):
 * <ul>
 *   <li>{@link #httpHandler()} binds the incoming {@code X-Correlation-Id} (or a fresh id) to the
 *       request's context and echoes it on the response;</li>
 *   <li>the inbound interceptor installed by {@link #install(Vertx)} binds the
 *       {@code x-correlation-id} header of a received message to the handler's context;</li>
 *   <li>the outbound interceptor adds the bound id to any {@code send}/{@code request}/
 *       {@code publish}/reply made from such a context that has no id header yet.</li>
 * </ul>
 * An explicit header (via {@link #options(String)}) always wins. Work that starts on a verticle's
 * own (non-duplicated) context — timers, sweepers — has no id until it calls {@link #within}.
 *
 * <p><b>Logs.</b> {@link JsonLogEncoder} writes {@code correlationId} from the MDC when present,
 * otherwise from the Vert.x context of the logging thread, so every log line written while
 * handling a request or message carries the id without touching the MDC. This relies on
 * appenders encoding on the caller's thread (the console appender of our logback.xml does).
 */
public final class Correlation {

  /** HTTP header carrying the id, on requests and responses. */
  public static final String HTTP_HEADER = "X-Correlation-Id";
  /** Event-bus message header carrying the id. */
  public static final String BUS_HEADER = "x-correlation-id";
  /** MDC key, and the JSON log field. */
  public static final String MDC_KEY = "correlationId";
  /** Key of the id in the {@link RoutingContext} data and in the context-local data. */
  public static final String CONTEXT_KEY = "rebound.correlationId";

  private static final int MAX_LENGTH = 128;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LENGTH + "}");
  private static final Map<Vertx, Boolean> INSTALLED = new WeakHashMap<>();

  private Correlation() {
  }

  /** A fresh id (a random UUID). */
  public static String newId() {
    return UUID.randomUUID().toString();
  }

  /** Whether {@code id} may be used as is: 1..128 characters of {@code [A-Za-z0-9._:-]}. */
  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  // ------------------------------------------------------------------ HTTP

  /**
   * A route handler (mount it first, on every route): takes a valid incoming
   * {@code X-Correlation-Id} or makes a fresh one, stores it in the routing context and the request's
   * Vert.x context, echoes it on the response, and sets the MDC while the next handlers run.
   */
  public static Handler<RoutingContext> httpHandler() {
    return ctx -> {
      String incoming = ctx.request().getHeader(HTTP_HEADER);
      String id = isValid(incoming) ? incoming : newId();
      ctx.put(CONTEXT_KEY, id);
      ctx.response().putHeader(HTTP_HEADER, id);
      bind(Vertx.currentContext(), id);
      String previous = MDC.get(MDC_KEY);
      MDC.put(MDC_KEY, id);
      try {
        ctx.next();
      } finally {
        restoreMdc(previous);
      }
    };
  }

  /** The id of an HTTP request handled after {@link #httpHandler()}; a fresh one otherwise. */
  public static String of(RoutingContext ctx) {
    String id = ctx.get(CONTEXT_KEY);
    if (id == null) {
      id = newId();
      ctx.put(CONTEXT_KEY, id);
    }
    return id;
  }

  // ------------------------------------------------------------------ event bus

  /** The id carried by a message, or {@code null} when it has none (or an invalid one). */
  public static String of(Message<?> message) {
    String id = message.headers().get(BUS_HEADER);
    return isValid(id) ? id : null;
  }

  /** Delivery options carrying {@code correlationId} (none when it is null or invalid). */
  public static DeliveryOptions options(String correlationId) {
    DeliveryOptions options = new DeliveryOptions();
    if (isValid(correlationId)) {
      options.addHeader(BUS_HEADER, correlationId);
    }
    return options;
  }

  /**
   * Installs the propagation interceptors on the event bus of {@code vertx}; calling it again
   * for the same instance does nothing.
   */
  public static void install(Vertx vertx) {
    synchronized (INSTALLED) {
      if (INSTALLED.put(vertx, Boolean.TRUE) != null) {
        return;
      }
    }
    vertx.eventBus().addOutboundInterceptor(Correlation::outbound);
    vertx.eventBus().addInboundInterceptor(Correlation::inbound);
  }

  private static <T> void outbound(DeliveryContext<T> dc) {
    if (!dc.message().headers().contains(BUS_HEADER)) {
      current().ifPresent(id -> dc.message().headers().add(BUS_HEADER, id));
    }
    dc.next();
  }

  private static <T> void inbound(DeliveryContext<T> dc) {
    String id = of(dc.message());
    if (id != null) {
      bind(Vertx.currentContext(), id);
    }
    dc.next();
  }

  // ------------------------------------------------------------------ context

  /** The id bound to the current Vert.x context (request, message, or {@link #within} block). */
  public static Optional<String> current() {
    Context context = Vertx.currentContext();
    if (context instanceof ContextInternal internal) {
      Object id = internal.localContextData().get(CONTEXT_KEY);
      if (id instanceof String s) {
        return Optional.of(s);
      }
    }
    return Optional.ofNullable(MDC.get(MDC_KEY));
  }

  /**
   * Runs {@code work} on a fresh duplicate of the current context with {@code correlationId}
   * bound, so its sends and log lines carry it; for work that starts on its own (sweepers,
   * timers). Must be called on a Vert.x thread. The result completes on the caller's context.
   */
  public static <T> Future<T> within(String correlationId, Supplier<Future<T>> work) {
    ContextInternal caller = ContextInternal.current();
    if (caller == null) {
      throw new IllegalStateException("Correlation.within must be called on a Vert.x context");
    }
    ContextInternal duplicate = caller.duplicate();
    bind(duplicate, isValid(correlationId) ? correlationId : newId());
    Promise<T> promise = caller.promise();
    duplicate.runOnContext(v -> {
      try {
        work.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.tryFail(e);
      }
    });
    return promise.future();
  }

  /** Binds the id to a duplicated context; the root context of a verticle is shared, so never it. */
  private static void bind(Context context, String id) {
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      internal.localContextData().put(CONTEXT_KEY, id);
    }
  }

  private static void restoreMdc(String previous) {
    if (previous == null) {
      MDC.remove(MDC_KEY);
    } else {
      MDC.put(MDC_KEY, previous);
    }
  }
}
