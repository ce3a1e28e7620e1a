package dev.rebound.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ServiceLauncherTest {

  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Records its start and stop; stop finishes "in-flight work" asynchronously. */
  private final class Recording extends VerticleBase {
    private final String name;

    Recording(String name) {
      this.name = name;
    }

    @Override
    public Future<?> start() {
      events.add("start " + name);
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      events.add("stop " + name);
      Promise<Void> drained = Promise.promise();
      vertx.setTimer(10, t -> drained.complete());
      return drained.future();
    }
  }

  private final class FailingStart extends VerticleBase {
    @Override
    public Future<?> start() {
      events.add("start failing");
      return Future.failedFuture(new ConfigException("ledger.lease-ms",
          "Invalid configuration 'ledger.lease-ms' (env REBOUND_LEDGER_LEASE_MS): got '0'"));
    }
  }

  private final class NeverStops extends VerticleBase {
    @Override
    public Future<?> stop() {
      events.add("stop stuck");
      return Promise.promise().future();
    }
  }

  private static Settings settings(String shutdownTimeout) {
    return Settings.empty().withOverrides(Map.of("shutdown.timeout", shutdownTimeout, "metrics.jvm", "false"));
  }

  @Test
  void verticlesStartInOrderAndGracefulShutdownStopsThemInReverseThenClosesVertx() {
    ServiceLauncher.RunningService running = Await.result(ServiceLauncher.start("test", settings("5s"),
        s -> List.of(new Recording("store"), new Recording("consumers"), new Recording("http"))));
    assertThat(events).containsExactly("start store", "start consumers", "start http");
    assertThat(running.deploymentIds()).hasSize(3);
    assertThat(running.vertx().deploymentIDs()).hasSize(3);

    Await.result(running.shutdown());
    assertThat(events).containsExactly("start store", "start consumers", "start http",
        "stop http", "stop consumers", "stop store");
    assertThat(running.shutdown().succeeded()).isTrue();
    assertThat(running.vertx().deploymentIDs()).isEmpty();
  }

  @Test
  void aFailingDeploymentFailsTheStartWithItsConfigErrorAndUndeploysWhatHadStarted() {
    Throwable failure = Await.failure(ServiceLauncher.start("test", settings("5s"),
        s -> List.of(new Recording("store"), new FailingStart(), new Recording("http"))));
    assertThat(failure).isInstanceOf(ConfigException.class).hasMessageContaining("ledger.lease-ms");
    assertThat(events).containsExactly("start store", "start failing", "stop store");
  }

  @Test
  void aConfigErrorWhileBuildingTheVerticlesFailsBeforeVertxStarts() {
    Settings bad = Settings.load(Map.of("REBOUND_LEDGER_BATCH", "many"), Optional.empty());
    Throwable failure = Await.failure(ServiceLauncher.start("test", bad,
        s -> List.of(new Recording("batch-" + s.get(ConfigKey.integer("ledger.batch", 10, 1, 100, "batch"))))));
    assertThat(failure).isInstanceOf(ConfigException.class).hasMessageContaining("ledger.batch")
        .hasMessageContaining("'many'");
    assertThat(events).isEmpty();
  }

  @Test
  void shutdownIsBoundedByTheTimeoutWhenAVerticleNeverFinishesStoppingAndClosingStopsTheRest() {
    ServiceLauncher.RunningService running = Await.result(ServiceLauncher.start("test", settings("200ms"),
        s -> List.of(new Recording("store"), new NeverStops())));
    Await.result(running.shutdown());
    assertThat(events).containsExactly("start store", "stop stuck", "stop store");
  }

  @Test
  void theLaunchedVertxPropagatesCorrelationIds() {
    ServiceLauncher.RunningService running = Await.result(ServiceLauncher.start("test", settings("5s"), s -> List.of()));
    try {
      Vertx vertx = running.vertx();
      vertx.eventBus().<String>consumer("test.launcher.downstream", msg -> msg.reply(String.valueOf(Correlation.of(msg))));
      vertx.eventBus().<String>consumer("test.launcher.upstream", msg -> vertx.eventBus()
          .<String>request("test.launcher.downstream", "x").onSuccess(r -> msg.reply(r.body())));
      String seen = Await.result(vertx.eventBus().<String>request("test.launcher.upstream", "x",
          Correlation.options("launch-corr"))).body();
      assertThat(seen).isEqualTo("launch-corr");
    } finally {
      Await.result(running.shutdown());
    }
  }

  // ------------------------------------------------------------------ settings at start

  private static final ConfigKey<Duration> SWEEP = ConfigKey.duration("ledger.lease-sweep-interval",
      Duration.ofSeconds(1), "sweep");
  private static final String WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX";

  @TempDir
  Path dir;

  @Test
  void anUnknownKeyFailsTheStartBeforeAnyVerticleAndTheLogNamesItWithoutItsValue()
      throws IOException {
    Path yaml = Files.writeString(dir.resolve("rebound.yaml"),
        "ledger:\n  lease-sweep-intervl: " + WEBHOOK + "\n");
    Settings settings = Settings.load(Map.of("REBOUND_PG_ROUTING_KEY", "R0UTING-secret"), Optional.of(yaml));
    String logs = capturingLogs(() -> {
      Throwable failure = Await.failure(ServiceLauncher.start("test", settings, List.of(SWEEP),
          s -> List.of(new Recording("never"))));
      assertThat(failure).isInstanceOf(ConfigException.class)
          .hasMessageContaining("unknown setting 'ledger.lease-sweep-intervl'")
          .hasMessageContaining("did you mean 'ledger.lease-sweep-interval'")
          .hasMessageContaining("REBOUND_PG_ROUTING_KEY");
    });
    assertThat(events).isEmpty();
    assertThat(logs).contains("ledger.lease-sweep-intervl", "REBOUND_PG_ROUTING_KEY")
        .doesNotContain("XXXXsecretXXXX", "R0UTING-secret");
  }

  @Test
  void theStartupLogNeverPrintsTheValueOfAKeyNoRegistryDeclares() throws IOException {
    Path yaml = Files.writeString(dir.resolve("rebound.yaml"), """
        ledger: {lease-sweep-interval: 2s}
        notifier:
          webhook-url: %s
          routing: R0UTING-secret
        """.formatted(WEBHOOK));
    Settings settings = Settings.load(Map.of("REBOUND_NOTIFIER_PAGERDUTY", "PD-secret",
        "REBOUND_METRICS_JVM", "false"), Optional.of(yaml));
    String logs = capturingLogs(() -> {
      ServiceLauncher.RunningService running = Await.result(ServiceLauncher.start("test", settings,
          List.of(SWEEP), s -> List.of(new Recording("sweeper-" + s.get(SWEEP).toSeconds()))));
      Await.result(running.shutdown());
    });
    assertThat(events).contains("start sweeper-2");
    assertThat(logs).contains("ledger.lease-sweep-interval=2s (yaml)", "yaml notifier.webhook-url",
            "yaml notifier.routing", "env REBOUND_NOTIFIER_PAGERDUTY")
        .doesNotContain("XXXXsecretXXXX", "hooks.slack.com", "R0UTING-secret", "PD-secret");
  }

  /** Everything logged while {@code body} ran, messages and stack traces. */
  private static String capturingLogs(Runnable body) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    try {
      body.run();
    } finally {
      root.detachAppender(appender);
    }
    return appender.list.stream()
        .map(e -> e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())))
        .collect(Collectors.joining("\n"));
  }
}
