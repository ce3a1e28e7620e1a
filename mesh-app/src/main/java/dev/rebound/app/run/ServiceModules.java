package dev.rebound.app.run;

import dev.rebound.analyzer.AnalyzerConfig;
import dev.rebound.analyzer.AnalyzerVerticle;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.Settings;
import dev.rebound.ledger.LedgerConfig;
import dev.rebound.ledger.LedgerVerticle;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The services {@code rebound run} starts, in deployment order. Each entry builds a
 * {@link ServiceModule} from the (already overridden: local event bus, {@code http.enabled=false})
 * settings.
 *
 * <p>To add a service: depend on its module in {@code mesh-app/pom.xml}, write a factory like
 * {@link #ledger(Settings)} and add it to {@link #ALL}, and its config's keys to {@link #KEYS}:
 * <pre>{@code
 * static ServiceModule analyzer(Settings s) {
 *   AnalyzerVerticle v = AnalyzerVerticle.fromSettings(s);
 *   return ServiceModule.of("analyzer", v, v::routes, v::readiness);
 * }
 * }</pre>
 */
public final class ServiceModules {

  /** Every service built so far. The ledger goes first: the others talk to it. */
  public static final List<Function<Settings, ServiceModule>> ALL = List.of(
      ServiceModules::ledger,
      ServiceModules::analyzer);

  /** The keys of every service in {@link #ALL}, for {@code Settings.requireKnown}. */
  public static final List<ConfigKey<?>> KEYS = Stream.of(LedgerConfig.KEYS, AnalyzerConfig.KEYS)
      .flatMap(List::stream).toList();

  private ServiceModules() {
  }

  public static ServiceModule ledger(Settings settings) {
    LedgerVerticle ledger = LedgerVerticle.fromSettings(settings);
    return ServiceModule.of("ledger", ledger, ledger::routes, ledger::readiness, ledger::endLongPolls);
  }

  public static ServiceModule analyzer(Settings settings) {
    AnalyzerVerticle analyzer = AnalyzerVerticle.fromSettings(settings);
    return ServiceModule.of("analyzer", analyzer, analyzer::routes, analyzer::readiness);
  }
}
