package dev.rebound.analyzer;

import dev.rebound.common.runtime.ServiceLauncher;
import dev.rebound.common.runtime.Settings;
import java.util.List;

/** Runs the analyzer alone: {@code java -jar analyzer-service-…-all.jar} (clustered when cluster.enabled). */
public final class AnalyzerMain {
  private AnalyzerMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.launch("analyzer", Settings.fromEnvironment(), AnalyzerConfig.KEYS,
        s -> List.of(AnalyzerVerticle.fromSettings(s)));
  }
}
