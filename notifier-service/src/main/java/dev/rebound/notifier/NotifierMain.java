package dev.rebound.notifier;

import dev.rebound.common.runtime.ServiceLauncher;
import dev.rebound.common.runtime.Settings;
import java.util.List;

/** Runs the notifier alone: {@code java -jar notifier-service-…-all.jar} (clustered when cluster.enabled). */
public final class NotifierMain {
  private NotifierMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.launch("notifier", Settings.fromEnvironment(), NotifierConfig.KEYS,
        s -> List.of(NotifierVerticle.fromSettings(s)));
  }
}
