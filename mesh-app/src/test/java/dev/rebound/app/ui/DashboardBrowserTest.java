package dev.rebound.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.common.runtime.Settings;
import dev.rebound.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver})
 * against {@code rebound run} in this JVM on a fresh database. Each page is saved as a screenshot under
 * {@code target/ui-screenshots/}. Skipped, saying so, when Chromium is not installed ({@code .ci/run} installs it).
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
  /** What a worker wrote: rendered as text, never as markup. */
  private static final String HOSTILE = "<img src=x onerror=\"window.__xss=1\"> NullPointerException at Checkout";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Vertx vertx;
  private static TestDatabase db;
  private static Pool pool;
  private static ReboundRun run;
  private static String url;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Chromium is not installed (apt-get install -y chromium chromium-driver): the dashboard's browser test is skipped");
    vertx = Vertx.vertx();
    db = TestDatabase.create(vertx, "dashboard").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    pool = PgBuilder.pool().connectingTo(db.options()).using(vertx).build();
    Path yaml = Files.createTempFile("rebound-dashboard", ".yaml");
    Files.writeString(yaml, """
        notifier:
          receivers:
            - name: log
          route:
            receiver: log
            group-wait: 0s
            routes:
              - matchers: ['kind="checkout"']
                receiver: log
                escalation:
                  steps: [{after: 1h, receivers: [log]}]
        """);
    Map<String, String> overrides = new HashMap<>(db.settingsOverrides());
    String password = db.options().getPassword();
    if (password != null && !password.isEmpty()) {
      overrides.put("pg.password", password);
    }
    overrides.put("run.port", "0");
    overrides.put("shutdown.timeout", "5s");
    Settings settings = Settings.load(Map.of(), Optional.of(yaml)).withOverrides(overrides);
    run = ReboundRun.start(settings, ReboundRun.SERVICES, PostgresProvisioner.system());
    url = run.url();

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--window-size=1400,1000");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (run != null) {
      run.stop();
    }
    if (pool != null) {
      pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.drop(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ the pages

  @Test
  void everyPageRendersTheMeshsOwnDataWithWhatWorkersWroteShownAsText() throws Exception {
    String failed = deadLetter("checkout", "wf-pages");
    String queued = enqueue("checkout", "wf-pages", new JsonObject().put("cart", "<b>42</b>"));
    post("/v1/circuits/dependency:payments-db/open", new JsonObject().put("reason", "maintenance"));
    String alert = raiseAlert("checkout-pages", "checkout <script>window.__xss=1</script> is failing");
    eventually(() -> !get("/v1/fingerprints").getJsonArray("fingerprints").isEmpty());
    String fingerprint = get("/v1/fingerprints").getJsonArray("fingerprints").getJsonObject(0).getString("fingerprint");

    open("/ui", "tasks");
    assertThat(text("table.counts")).contains("checkout").contains("FAILED").contains("QUEUED");
    assertThat(browser.findElement(By.cssSelector("tr[data-task='" + queued + "']")).getText()).contains("wf-pages");

    open("/ui/tasks/" + failed, "task");
    assertThat(text("main")).contains("FAILED").contains(HOSTILE).contains("Attempts").contains("History");
    open("/ui/tasks/" + queued, "task-queued");
    assertThat(text("pre.json")).contains("\"cart\" : \"<b>42</b>\"");

    open("/ui/dlq", "dlq");
    assertThat(browser.findElement(By.cssSelector("tr[data-task='" + failed + "']")).getText()).contains(HOSTILE);

    String free = post("/v1/failures", new JsonObject().put("message", HOSTILE).put("stage", "checkout")
        .put("source", "storefront").put("stackTrace", "at Checkout.pay(Checkout.java:42)")).getString("failureId");
    open("/ui/failures?stage=checkout", "failures");
    assertThat(browser.findElement(By.cssSelector("tr[data-failure='" + free + "']")).getText())
        .contains("storefront").contains(HOSTILE);
    assertThat(text("table.failures")).contains(failed.substring(0, 8));
    open("/ui/failures/" + free, "failure");
    assertThat(text("main")).contains(HOSTILE).contains("Stack trace").contains("Checkout.java:42");

    open("/ui/circuits", "circuits");
    assertThat(browser.findElement(By.cssSelector("tr[data-circuit='dependency:payments-db']")).getText())
        .contains("FORCED_OPEN").contains("maintenance");

    open("/ui/fingerprints", "fingerprints");
    assertThat(browser.findElement(By.cssSelector("tr[data-fingerprint='" + fingerprint + "']")).getText()).isNotBlank();
    open("/ui/fingerprints/" + fingerprint, "fingerprint");
    assertThat(text("main")).contains("Outcomes").contains("dead-lettered").contains("Similar fingerprints");
    assertThat(browser.findElements(By.cssSelector("ul.recommendations li"))).isNotEmpty();

    open("/ui/alerts", "alerts");
    assertThat(browser.findElement(By.cssSelector("tr[data-alert='" + alert + "']")).getText())
        .contains("checkout <script>window.__xss=1</script> is failing").contains("kind=checkout");

    assertThat(((JavascriptExecutor) browser).executeScript("return window.__xss === undefined")).isEqualTo(true);
  }

  @Test
  void aRedriveFromTheDeadLetterPageMovesTheTaskBackToTheQueue() throws Exception {
    String id = deadLetter("redrive", "wf-redrive");

    open("/ui/dlq?stage=redrive", "dlq-before-redrive");
    browser.findElement(By.cssSelector("tr[data-task='" + id + "'] button.redrive")).click();

    waitFor(() -> browser.findElements(By.id("done")).size() == 1);
    assertThat(text("#done")).contains("1 dead letter(s) redriven");
    assertThat(browser.findElements(By.cssSelector("tr[data-task='" + id + "']"))).isEmpty();
    screenshot("dlq-after-redrive");
    JsonObject task = get("/v1/tasks/" + id);
    assertThat(task.getString("state")).isEqualTo("QUEUED");
    JsonArray history = get("/v1/tasks/" + id + "/history").getJsonArray("history");
    JsonObject last = history.getJsonObject(history.size() - 1);
    assertThat(last.getString("from")).isEqualTo("FAILED");
    assertThat(last.getString("actor")).isEqualTo("dashboard");
  }

  @Test
  void anAcknowledgementFromTheAlertsPageStopsTheAlertsEscalation() throws Exception {
    String id = raiseAlert("checkout-ack", "checkout-ack is failing");
    assertThat(nextEscalation(id)).as("an escalation is scheduled").isNotNull();

    open("/ui/alerts", "alerts-before-ack");
    browser.findElement(By.cssSelector("tr[data-alert='" + id + "'] button.acknowledge")).click();

    waitFor(() -> browser.findElements(By.id("done")).size() == 1);
    assertThat(text("#done")).contains("Alert acknowledged");
    assertThat(browser.findElement(By.cssSelector("tr[data-alert='" + id + "']")).getText()).contains("acknowledged")
        .contains("dashboard");
    screenshot("alerts-after-ack");
    JsonObject alert = get("/v1/alerts/" + id);
    assertThat(alert.getString("state")).isEqualTo("acknowledged");
    assertThat(nextEscalation(id)).as("no escalation is due any more").isNull();
  }

  @Test
  void aTaskEnqueuedWhileTheTasksPageIsOpenAppearsWithoutAReload() throws Exception {
    open("/ui?stage=live", "tasks-live-before");
    waitFor(() -> text("#live-status").contains("live"));
    ((JavascriptExecutor) browser).executeScript("window.__sameDocument = true;");

    String id = enqueue("live", "wf-live", new JsonObject());

    waitFor(() -> !browser.findElements(By.cssSelector("tr[data-task='" + id + "']")).isEmpty());
    assertThat(((JavascriptExecutor) browser).executeScript("return window.__sameDocument === true")).isEqualTo(true);
    screenshot("tasks-live-after");
  }

  // ------------------------------------------------------------------ helpers

  private static void open(String path, String screenshot) throws Exception {
    browser.get(url + path);
    waitFor(() -> !browser.findElements(By.id("live")).isEmpty());
    screenshot(screenshot);
  }

  private static void screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static String text(String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }

  private static void waitFor(BooleanSupplier condition) {
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> condition.getAsBoolean());
  }

  /** A task of {@code stage} that failed its only attempt with {@link #HOSTILE}: a dead letter. */
  private static String deadLetter(String stage, String workflow) throws Exception {
    String id = enqueue(stage, workflow, new JsonObject().put("maxAttempts", 1));
    JsonObject claimed = post("/v1/tasks/claim", new JsonObject().put("worker", "w-" + stage).put("stage", stage))
        .getJsonArray("tasks").getJsonObject(0);
    post("/v1/failures", new JsonObject().put("taskId", id).put("leaseToken", claimed.getString("leaseToken"))
        .put("message", HOSTILE).put("errorType", "java.lang.NullPointerException"));
    eventually(() -> "FAILED".equals(get("/v1/tasks/" + id).getString("state")));
    return id;
  }

  private static String enqueue(String stage, String workflow, JsonObject payload) throws Exception {
    JsonObject task = new JsonObject().put("stage", stage).put("workflowId", workflow).put("payload", payload);
    if (payload.containsKey("maxAttempts")) {
      task.put("maxAttempts", payload.remove("maxAttempts"));
    }
    return post("/v1/tasks", task).getJsonObject("task").getString("id");
  }

  private static String raiseAlert(String workflow, String summary) throws Exception {
    return post("/v1/alerts", new JsonObject().put("summary", summary)
        .put("labels", new JsonObject().put("kind", "checkout").put("workflow", workflow).put("severity", "critical")))
        .getString("id");
  }

  private static Object nextEscalation(String alertId) throws Exception {
    Row row = pool.preparedQuery("SELECT next_escalation_at FROM notifier.alerts WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(alertId))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .iterator().next();
    return row.getValue(0);
  }

  private static void eventually(BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static JsonObject get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + ": " + r.body()).isLessThan(300);
      return new JsonObject(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject post(String path, JsonObject body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isLessThan(300);
    return r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
  }
}
