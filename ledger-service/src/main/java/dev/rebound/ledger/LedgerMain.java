package dev.rebound.ledger;

import dev.rebound.common.runtime.ServiceLauncher;
import dev.rebound.common.runtime.Settings;
import java.util.List;

/** Runs the ledger alone: {@code java -jar ledger-service-…-all.jar} (clustered when cluster.enabled). */
public final class LedgerMain {
  private LedgerMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.launch("ledger", Settings.fromEnvironment(), LedgerConfig.KEYS,
        s -> List.of(LedgerVerticle.fromSettings(s)));
  }
}
