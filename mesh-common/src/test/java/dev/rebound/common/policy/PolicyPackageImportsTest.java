package dev.rebound.common.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The policy package is contract: a worker client may use it with nothing but vertx-core's JSON. */
class PolicyPackageImportsTest {

  @Test
  void thePolicyPackageImportsOnlyTheJdkAndVertxJson() throws IOException {
    Path dir = Path.of("src/main/java/dev/rebound/common/policy");
    List<String> imports;
    try (Stream<Path> files = Files.list(dir)) {
      imports = files.filter(f -> f.toString().endsWith(".java")).flatMap(PolicyPackageImportsTest::lines)
          .filter(l -> l.startsWith("import ")).distinct().toList();
    }
    assertThat(imports).isNotEmpty().allSatisfy(l -> assertThat(l).matches("import (static )?(java\\.|io\\.vertx\\.core\\.json\\.).*"));
  }

  private static Stream<String> lines(Path f) {
    try {
      return Files.readAllLines(f).stream().map(String::trim);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
