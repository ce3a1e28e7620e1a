package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.app.bench.HostileInputHarness;
import dev.rebound.app.bench.HostileInputs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounded variant of issue 10 §5's hostile-input run: a few hundred generated inputs against every HTTP route
 * and event-bus address of {@code rebound run} (malformed, oversized, wrong types, unicode and NUL, huge numbers,
 * deep nesting, duplicate keys, wrong content types) → no 5xx, no input left unanswered, nothing written by a
 * refused input, health UP throughout. {@code HostileInputHarness} runs the same generator with 10,000 and more.
 */
class HostileInputTest {
  private static HostileInputHarness mesh;

  @BeforeAll
  static void start() throws Exception {
    mesh = HostileInputHarness.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void threeHundredGeneratedHostileInputsGetNo5xxWriteNothingWhenRefusedAndLeaveEveryServiceHealthy() throws Exception {
    HostileInputs.Report report = mesh.inputs(20261207L).run(300);
    assertThat(report.findings()).as(report.summary()).isEmpty();
    assertThat(report.http()).isGreaterThan(100);
    assertThat(report.bus()).isGreaterThan(50);
    assertThat(report.healthChecks()).isGreaterThanOrEqualTo(3);
  }
}
