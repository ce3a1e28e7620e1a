package dev.rebound.common.dashboard;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import dev.rebound.common.auth.HttpSecurity;
import dev.rebound.common.client.AnalyzerClient;
import dev.rebound.common.client.LedgerClient;
import dev.rebound.common.client.NotifierClient;
import dev.rebound.common.client.RetryClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The web dashboard under {@code /ui}: server-rendered pages over the services' own operations, reached through
 * the contract's typed clients on the event bus — so the same pages work in {@code rebound run} (every service on
 * one bus), on any service run alone, and on any member of a cluster; a page whose service is not on the bus says
 * so. Operator actions are forms posted to {@code /ui/…}, authorized by {@link OperatorAccess} and carried out by
 * the service's own operation (the checks of its HTTP API apply), then answered with a redirect to the page. With
 * tokens configured, people sign in at {@code /ui/login} with a token (a server-side session: {@link OperatorAccess}).
 * Pages stay current through server-sent events ({@code /ui/events}, {@link LiveUpdates}) and a small script
 * ({@code /ui/assets/dashboard.js}) that re-reads the page's live region; without JavaScript every page still works.
 */
public final class Dashboard {
  /** Where the dashboard is served. */
  public static final String ROOT = "/ui";
  /** How long a page waits for a service. */
  static final long TIMEOUT_MS = 10_000;
  private static final Pattern BACK = Pattern.compile("/ui(/[A-Za-z0-9._~%:-]+)*");
  private static final Map<String, String> DONE = Map.of(
      "redriven", "%d dead letter(s) redriven.",
      "purged", "%d dead letter(s) purged.",
      "circuit", "Circuit changed.",
      "acknowledged", "Alert acknowledged: its escalation stopped.",
      "resolved", "Alert resolved.",
      "silenced", "Silence created.",
      "unsilenced", "Silence expired.");

  final LedgerClient ledger;
  final RetryClient retry;
  final AnalyzerClient analyzer;
  final NotifierClient notifier;
  final OperatorAccess access;
  private final LiveUpdates live;

  private Dashboard(Vertx vertx, HttpSecurity security) {
    this.access = new OperatorAccess(security);
    this.ledger = new LedgerClient(vertx, TIMEOUT_MS);
    this.retry = new RetryClient(vertx, TIMEOUT_MS);
    this.analyzer = new AnalyzerClient(vertx, TIMEOUT_MS);
    this.notifier = new NotifierClient(vertx, TIMEOUT_MS);
    this.live = new LiveUpdates(vertx);
  }

  /** Mounts every page, the event stream and the assets on {@code router}. */
  public static void mount(Router router, Vertx vertx, HttpSecurity security) {
    Dashboard d = new Dashboard(vertx, security);
    router.route("/ui/*").handler(ctx -> {
      ctx.response()
          .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
              + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "same-origin");
      ctx.next();
    });
    router.route("/ui/assets/*").handler(StaticHandler.create("rebound-dashboard").setCachingEnabled(false));
    router.post("/ui/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.get("/ui/login").handler(ctx -> d.send(ctx, d.signInForm(200, null)));
    router.post("/ui/login").handler(d::signIn);
    router.post("/ui/logout").handler(ctx -> {
      d.access.signOut(ctx);
      ctx.response().setStatusCode(303).putHeader("Location", "/ui/login").end();
    });
    router.get("/ui/events").handler(ctx -> d.access.authorize(ctx, OperatorAccess.Permission.READ)
        .onSuccess(actor -> d.live.stream(ctx))
        .onFailure(t -> d.sendError(ctx, t)));
    new TaskPages(d).mount(router);
    new FailurePages(d).mount(router);
    new DeadLetterPage(d).mount(router);
    new CircuitPage(d).mount(router);
    new FingerprintPages(d).mount(router);
    new AlertPage(d).mount(router);
  }

  // ------------------------------------------------------------------ signing in

  private void signIn(RoutingContext ctx) {
    access.signIn(ctx, ctx.request().getFormAttribute("token"))
        .onSuccess(actor -> ctx.response().setStatusCode(303).putHeader("Location", ROOT).end())
        .onFailure(t -> {
          ReboundException e = ReboundException.from(t);
          send(ctx, signInForm(e.code().httpStatus(), e.getMessage()));
        });
  }

  private Page signInForm(int status, String problem) {
    Html h = new Html();
    if (problem != null) {
      h.raw("<div class=\"notice error\">").text(problem).raw("</div>");
    }
    if (!access.signInRequired()) {
      h.raw("<p>This server has no tokens configured (it listens on loopback only): no sign-in is needed.</p>")
          .raw("<p><a href=\"/ui\">Open the dashboard</a></p>");
    } else {
      h.raw("<p>Paste a token (scope <code>read</code> to look, <code>operator</code> to act). It is checked once;")
          .raw(" the browser then keeps only a session cookie.</p>")
          .raw("<form method=\"post\" action=\"/ui/login\" class=\"login\">")
          .raw("<input type=\"password\" name=\"token\" autocomplete=\"off\" required aria-label=\"token\">")
          .raw("<button type=\"submit\" class=\"btn\">Sign in</button></form>");
    }
    return new Page(status, "Sign in", null, null, h.toString());
  }

  // ------------------------------------------------------------------ pages

  /** What a page handler answers: its title, navigation entry, live topics and body. */
  record Page(int status, String title, Section section, String topics, String body) {
    static Page of(String title, Section section, String topics, String body) {
      return new Page(200, title, section, topics, body);
    }
  }

  /** The navigation entries. */
  enum Section {
    TASKS("/ui", "Tasks"), FAILURES("/ui/failures", "Failures"), DLQ("/ui/dlq", "Dead letters"),
    CIRCUITS("/ui/circuits", "Circuits"),
    FINGERPRINTS("/ui/fingerprints", "Fingerprints"), ALERTS("/ui/alerts", "Alerts");

    final String path;
    final String label;

    Section(String path, String label) {
      this.path = path;
      this.label = label;
    }
  }

  /** Serves a page: read permission, then the page's body; a failure is an error page. */
  void page(RoutingContext ctx, Supplier<Future<Page>> render) {
    access.authorize(ctx, OperatorAccess.Permission.READ)
        .compose(actor -> {
          try {
            return render.get();
          } catch (RuntimeException e) {
            // a request record refusing the input (ReboundException: 400), or a bug (500)
            return Future.failedFuture(e);
          }
        })
        .onSuccess(p -> send(ctx, p))
        .onFailure(t -> sendError(ctx, t));
  }

  /**
   * Serves an operator action: operate permission, the service's operation with the actor, then a redirect to
   * the form's {@code back} page (a path under {@code /ui}) telling what was done.
   */
  void act(RoutingContext ctx, String defaultBack, Function<String, Future<Done>> action) {
    access.authorize(ctx, OperatorAccess.Permission.OPERATE)
        .compose(actor -> {
          try {
            return action.apply(actor);
          } catch (RuntimeException e) {
            // a request record refusing the input (ReboundException: 400), or a bug (500)
            return Future.failedFuture(e);
          }
        })
        .onSuccess(done -> {
          String back = ctx.request().getFormAttribute("back");
          String to = back != null && BACK.matcher(back).matches() && !back.contains("..") ? back : defaultBack;
          ctx.response().setStatusCode(303)
              .putHeader("Location", Html.url(to, Html.query("done", done.what(), "n", String.valueOf(done.count()))))
              .end();
        })
        .onFailure(t -> sendError(ctx, t));
  }

  /** What an action did: a key of the fixed notices (never text from the request) and a count. */
  record Done(String what, int count) {
    static Done one(String what) {
      return new Done(what, 1);
    }
  }

  /**
   * A section of a page whose data comes from {@code service}: rendered from the answer, or a notice that the
   * service is not running on this event bus, or its error.
   */
  static <T> Future<String> section(String service, Future<T> data, Function<T, String> render) {
    return data.transform(ar -> Future.succeededFuture(ar.succeeded() ? render.apply(ar.result())
        : unavailable(service, ar.cause())));
  }

  static String unavailable(String service, Throwable cause) {
    ReboundException e = ReboundException.from(cause);
    Html h = new Html();
    if (e.code() == ErrorCode.UNAVAILABLE) {
      h.raw("<div class=\"notice absent\"><strong>The ").text(service).raw(" is not running on this event bus.</strong> ")
          .raw("Start it (or open the dashboard of a process where it runs); this page shows its data once it answers.")
          .raw("<div class=\"detail\">").text(e.getMessage()).raw("</div></div>");
    } else {
      h.raw("<div class=\"notice error\"><strong>").text(e.code().name()).raw("</strong> ").text(e.getMessage())
          .raw("</div>");
    }
    return h.toString();
  }

  /** The request's query parameters (non-blank ones) as the JSON a request record's {@code fromJson} reads. */
  static JsonObject query(RoutingContext ctx, String... names) {
    JsonObject q = new JsonObject();
    MultiMap params = ctx.queryParams();
    for (String name : names) {
      String v = params.get(name);
      if (v != null && !v.isBlank()) {
        q.put(name, v.trim());
      }
    }
    return q;
  }

  /** A form field, trimmed; null when absent or blank. */
  static String form(RoutingContext ctx, String name) {
    String v = ctx.request().getFormAttribute(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * A one-button form for an operator action: POSTs {@code fields} to {@code action}, then comes back to
   * {@code back}; with {@code confirm}, the script asks first.
   */
  static Html button(Html h, String action, String back, String label, String confirm, String... fields) {
    h.raw("<form method=\"post\" class=\"inline\"").attr("action", action);
    if (confirm != null) {
      h.attr("data-confirm", confirm);
    }
    h.raw(">").hidden("back", back);
    for (int i = 0; i + 1 < fields.length; i += 2) {
      h.hidden(fields[i], fields[i + 1]);
    }
    return h.raw("<button type=\"submit\"").attr("class", "btn " + label.toLowerCase(java.util.Locale.ROOT))
        .raw(">").text(label).raw("</button></form>");
  }

  void send(RoutingContext ctx, Page page) {
    Html h = new Html();
    h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .raw("<title>").text(page.title()).raw(" · Rebound</title>")
        .raw("<link rel=\"stylesheet\" href=\"/ui/assets/dashboard.css\">")
        .raw("<script src=\"/ui/assets/dashboard.js\" defer></script></head><body>")
        .raw("<header><a class=\"brand\" href=\"/ui\">Rebound</a><nav>");
    for (Section s : Section.values()) {
      h.raw("<a").attr("href", s.path).attr("class", s == page.section() ? "active" : "").raw(">").text(s.label)
          .raw("</a>");
    }
    if (access.signInRequired()) {
      h.raw("<form method=\"post\" action=\"/ui/logout\" class=\"inline signout\">")
          .raw("<button type=\"submit\" class=\"btn\">Sign out</button></form>");
    }
    h.raw("</nav><span id=\"live-status\" class=\"live-status\" title=\"live updates\"></span></header><main>");
    String done = ctx.queryParams().get("done");
    if (done != null && DONE.containsKey(done)) {
      int n;
      try {
        n = Integer.parseInt(ctx.queryParams().get("n"));
      } catch (NumberFormatException e) {
        n = 1;
      }
      h.raw("<div class=\"notice done\" id=\"done\">").text(String.format(DONE.get(done), n)).raw("</div>");
    }
    h.raw("<h1>").text(page.title()).raw("</h1>");
    h.raw("<div id=\"live\"").attr("data-topics", page.topics() == null ? "" : page.topics()).raw(">")
        .raw(page.body()).raw("</div></main></body></html>");
    ctx.response().setStatusCode(page.status()).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(h.toString());
  }

  void sendError(RoutingContext ctx, Throwable cause) {
    ReboundException e = ReboundException.from(cause);
    if (e.code() == ErrorCode.UNAUTHORIZED && "GET".equals(ctx.request().method().name())) {
      // a page asked for without a sign-in: the sign-in page
      ctx.response().setStatusCode(303).putHeader("Location", "/ui/login").end();
      return;
    }
    Html h = new Html();
    h.raw("<div class=\"notice error\"><strong>").text(e.code().name()).raw("</strong> ").text(e.getMessage())
        .raw("</div><p><a href=\"/ui\">Back to the dashboard</a></p>");
    send(ctx, new Page(e.code().httpStatus(), e.code() == ErrorCode.FORBIDDEN ? "Not allowed" : "Error", null, null,
        h.toString()));
  }

  /** {@code 2024-05-01T10:00:00.123Z} shown as {@code 2024-05-01 10:00:00}; other text as given. */
  static String when(String iso) {
    if (iso == null) {
      return "";
    }
    return iso.length() >= 19 && iso.charAt(10) == 'T' ? iso.substring(0, 10) + " " + iso.substring(11, 19) : iso;
  }

  /** At most {@code max} characters of {@code text}, with an ellipsis when cut. */
  static String clip(String text, int max) {
    if (text == null) {
      return "";
    }
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
