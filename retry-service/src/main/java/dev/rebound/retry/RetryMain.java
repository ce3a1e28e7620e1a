package dev.rebound.retry;

import dev.rebound.common.runtime.ServiceLauncher;
import dev.rebound.common.runtime.Settings;
import java.util.List;

/** Runs the retry service alone: {@code java -jar retry-service-…-all.jar} (clustered when cluster.enabled). */
public final class RetryMain {
  private RetryMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.launch("retry", Settings.fromEnvironment(), RetryConfig.KEYS,
        s -> List.of(RetryVerticle.fromSettings(s)));
  }
}
